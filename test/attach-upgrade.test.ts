/**
 * The upgrade of long-lived attaches: reached through SIGUSR1, a session moves to
 * a relay in the target over a 0600 Unix socket and the inspector's port closes
 * within a second; the relay ends with the session, whatever ends it. Checked from
 * outside, in the kernel's tables: the target's TCP listeners, its threads
 * (/proc/PID/task), and the relay's socket files.
 */
import { type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, finish, readLog, samplesOf, start, tempLog, TRIPOD, tripod } from './helpers/cli';
import { eventually, guardiansOf, inspectorPorts, startTarget, stopAllTargets, type Target, threadCount } from './helpers/target';
import { runtimeDir } from '../src/attach/agent-protocol';

const nodes = inject('nodes');
const fixture = (name: string) => path.join(FIXTURES, name);
const ANY_PORT = '--inspect-port=0';
const LONG_SESSION = fixture('long-session.js');
/** The lease: what the brief of a relay's lifetime is held to (src/attach/lease.ts). */
const LEASE_MS = 10_000;

afterEach(() => stopAllTargets());

/** The relay's socket files: the relay stops listening, and its file goes, once tripod is connected to it. */
const relaySockets = (pid: number) => {
  const dir = runtimeDir();
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(`tripod-relay-${pid}-`)).map((name) => path.join(dir, name)) : [];
};

interface Session {
  child: ChildProcess;
  lines: Array<Record<string, any>>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** long-session.js against `pid`: a withAttached(…, { longLived: true }) that captures for `seconds`. */
function longSession(bin: string, pid: number, seconds: number): Session {
  const child = start(bin, [LONG_SESSION, String(pid), String(seconds)]);
  const lines: Array<Record<string, any>> = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const line of complete) if (line) lines.push(JSON.parse(line));
  });
  return { child, lines, done: finish(child, { killAfterMs: 30_000 }) };
}

async function attachedSession(session: Session): Promise<Record<string, any>> {
  expect(await eventually(() => session.lines.some((line) => line.attached), 20_000, 20)).toBe(true);
  return session.lines.find((line) => line.attached)!.attached;
}

/** The target as it was before tripod came: no inspector, no relay thread, no relay socket (file and listener). */
async function leftAsItWas(target: Target, own: number[], baseline: number, withinMs: number): Promise<void> {
  const clean = () => inspectorPorts(target.pid, own).length === 0 && threadCount(target.pid) <= baseline && relaySockets(target.pid).length === 0;
  expect(await eventually(clean, withinMs, 50)).toBe(true);
  expect(target.child.exitCode).toBe(null);
}

async function ready(bin: string, script: string): Promise<{ target: Target; own: number[]; baseline: number }> {
  const target = startTarget(bin, [ANY_PORT, fixture(script)]);
  const [, , port] = await target.waitFor(/ready (\d+) (\d+)/);
  return { target, own: [Number(port)], baseline: threadCount(target.pid) };
}

describe.each(nodes)('long-lived attaches through SIGUSR1, $label', ({ bin }) => {
  it('move to the relay socket: no inspector port 2 s into the session, captures go on, and the relay ends with it', async () => {
    const { target, own, baseline } = await ready(bin, 'attach-server.js');
    const session = longSession(bin, target.pid, 3.5);
    const attached = await attachedSession(session);
    expect(attached).toMatchObject({ route: 'signal', upgrade: { portOpenMs: expect.any(Number) } });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(inspectorPorts(target.pid, own)).toEqual([]);
    expect(relaySockets(target.pid)).toEqual([]);
    // One thread more than before: the relay.
    expect(threadCount(target.pid)).toBe(baseline + 1);
    const result = await session.done;
    expect(result.code, result.stderr).toBe(0);
    const captures = session.lines.filter((line) => line.capture);
    expect(captures.length).toBeGreaterThanOrEqual(6);
    // Seen once in a full suite: one capture of ~14 not idle. The odd ones are named with their place, to tell why if it happens again.
    expect(captures.map((line, i) => `capture ${i + 1}: ${line.capture}`).filter((text) => !text.endsWith(': idle'))).toEqual([]);
    await leftAsItWas(target, own, baseline, 5000);
  });

  it('gives tripod record PID the same upgrade: no port 2 s into a 10 s recording', async () => {
    const { target, own, baseline } = await ready(bin, 'attach-server.js');
    const log = tempLog();
    const recording = finish(start(bin, [TRIPOD, 'record', '-q', '--duration', '10', '--interval', '0.5', '-o', log, String(target.pid)]));
    expect(await eventually(() => existsSync(log) && samplesOf(readLog(log)).length > 0, 20_000, 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(inspectorPorts(target.pid, own)).toEqual([]);
    expect(threadCount(target.pid)).toBe(baseline + 1);
    const result = await recording;
    expect(result.code, result.stderr).toBe(0);
    const records = readLog(log);
    expect(records[0]).toMatchObject({ event: 'start', attached: { via: 'signal' } });
    expect(records.at(-1)).toMatchObject({ event: 'end', detached: 'duration' });
    expect(samplesOf(records).length).toBeGreaterThanOrEqual(15);
    await leftAsItWas(target, own, baseline, 5000);
  });

  it('leaves no port, relay thread or socket file when tripod is SIGKILLed mid-session, alone or with its guardian', async () => {
    for (const withGuardian of [false, true]) {
      const { target, own, baseline } = await ready(bin, 'attach-server.js');
      const session = longSession(bin, target.pid, 20);
      await attachedSession(session);
      expect(await eventually(() => session.lines.some((line) => line.capture), 10_000, 20)).toBe(true);
      expect(threadCount(target.pid)).toBe(baseline + 1);
      // As a kill of their whole cgroup would: nobody outside the target is left to clean up.
      if (withGuardian) for (const guardian of guardiansOf(target.pid)) process.kill(guardian, 'SIGKILL');
      session.child.kill('SIGKILL');
      expect((await session.done).signal).toBe('SIGKILL');
      await leftAsItWas(target, own, baseline, LEASE_MS);
      target.stop();
    }
  });

  it('serves two long-lived sessions and a dump at once, none cutting another', async () => {
    const { target, own, baseline } = await ready(bin, 'attach-server.js');
    const first = longSession(bin, target.pid, 4);
    await attachedSession(first);
    const second = longSession(bin, target.pid, 3);
    const secondAttached = await attachedSession(second);
    expect(secondAttached).toMatchObject({ route: 'signal', upgrade: expect.any(Object) });
    const dump = await tripod(bin, ['dump', String(target.pid)]);
    expect(dump.code, dump.stderr).toBe(0);
    expect(dump.stdout).toContain('reached through SIGUSR1');
    // Two relays, one per session.
    expect(await eventually(() => threadCount(target.pid) === baseline + 2, 3000, 50)).toBe(true);
    const capturesBefore = first.lines.filter((line) => line.capture).length;
    for (const session of [first, second]) {
      const result = await session.done;
      expect(result.code, result.stderr).toBe(0);
    }
    // The first session kept capturing through the second's upgrade and the dump's close.
    expect(first.lines.filter((line) => line.capture).length).toBeGreaterThan(capturesBefore);
    expect(first.lines.at(-1)).toMatchObject({ done: expect.any(Number) });
    await leftAsItWas(target, own, baseline, 5000);
  });

  it('upgrades a program that replaced require, Module.prototype.require, Module._load, Worker and process.binding, calling none of them', async () => {
    const { target, own, baseline } = await ready(bin, 'attach-hostile-loader.js');
    const session = longSession(bin, target.pid, 2.5);
    expect(await attachedSession(session)).toMatchObject({ route: 'signal', upgrade: expect.any(Object) });
    expect(await eventually(() => inspectorPorts(target.pid, own).length === 0, 2000, 50)).toBe(true);
    expect((await session.done).code).toBe(0);
    target.child.stdin!.write('report\n');
    const [report] = await target.waitFor(/\{"calls".*\}/);
    expect(JSON.parse(report)).toEqual({ calls: {} });
    await leftAsItWas(target, own, baseline, 5000);
  });
});

describe.each(nodes)('the relay on its own, $label', ({ bin }) => {
  it('ends by itself within the lease, its socket file removed, when tripod never connects', async () => {
    const target = startTarget(bin, [fixture('relay-unconnected.js')]);
    const [, file] = await target.waitFor(/relay (\S+)/);
    const baseline = threadCount(target.pid);
    expect(existsSync(file)).toBe(true);
    // 2 s for a relay the upgrade started (well within the lease): then the worker is gone and the file with it.
    const waited = Date.now();
    expect(await eventually(() => !existsSync(file) && threadCount(target.pid) < baseline, LEASE_MS, 100)).toBe(true);
    expect(Date.now() - waited).toBeGreaterThanOrEqual(1000);
    expect(target.child.exitCode).toBe(null);
  });
});

describe.each(nodes)('tripod --monitor, $label', ({ bin }) => {
  it('listens on the agent socket from the start: tripod dump PID reaches the program with no TCP listener but its own', async () => {
    const target = startTarget(bin, [TRIPOD, '--monitor', '-q', fixture('attach-server.js')]);
    const [, , port] = await target.waitFor(/ready (\d+) (\d+)/);
    const dump = await tripod(bin, ['dump', String(target.pid)]);
    expect(dump.code, dump.stderr).toBe(0);
    expect(dump.stdout).toContain('reached through the tripod agent');
    expect(inspectorPorts(target.pid, [Number(port)])).toEqual([]);
    expect(target.stderr()).not.toContain('Debugger listening');
  });
});
