import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { childEnv, FIXTURES, finish, start, tempDir, TRIPOD, tripod } from './helpers/cli';
import { holdPort, listeningPorts, startTarget, stopAllTargets, waitUntilClosed } from './helpers/target';

const nodes = inject('nodes');
const fixture = (name: string) => path.join(FIXTURES, name);
const ANY_PORT = '--inspect-port=0';

afterEach(() => stopAllTargets());

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe.each(nodes)('tripod dump errors, $label', ({ bin }) => {
  it('refuses a bad pid, a missing process and a process that is not Node.js, each in one line', async () => {
    const bad = await tripod(bin, ['dump', 'abc']);
    expect(bad.code).toBe(2);
    expect(oneLine(bad.stderr)).toMatch(/"abc" is not a process id/);
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('exit', resolve));
    const missing = await tripod(bin, ['dump', String(gone.pid)]);
    expect(missing.code).toBe(3);
    expect(oneLine(missing.stderr)).toMatch(/no such process/);
    const sleeper = spawn('sleep', ['30']);
    try {
      const notNode = await tripod(bin, ['dump', String(sleeper.pid)]);
      expect(notNode.code).toBe(4);
      expect(oneLine(notNode.stderr)).toMatch(/is not a Node\.js process, so tripod sent it nothing/);
      // SIGUSR1 would have killed it.
      expect(sleeper.exitCode).toBe(null);
      expect(sleeper.signalCode).toBe(null);
    } finally {
      sleeper.kill();
    }
  });

  it('refuses to record a process that is not Node.js before its banner, leaving no log', async () => {
    const tmp = tempDir();
    const sleeper = spawn('sleep', ['30']);
    try {
      const unnamed = await tripod(bin, ['record', String(sleeper.pid)], { env: { TMPDIR: tmp } });
      expect(unnamed.code).toBe(4);
      expect(oneLine(unnamed.stderr)).toMatch(/^tripod: process \d+ \(sleep\) is not a Node\.js process, so tripod sent it nothing/);
      const named = await tripod(bin, ['record', '--log', path.join(tmp, 'named.log'), String(sleeper.pid)], { env: { TMPDIR: tmp } });
      expect(named.code).toBe(4);
      expect(oneLine(named.stderr)).toMatch(/is not a Node\.js process/);
      expect(readdirSync(tmp)).toEqual([]);
      expect(sleeper.exitCode).toBe(null);
      expect(sleeper.signalCode).toBe(null);
    } finally {
      sleeper.kill();
    }
  });

  it('has help, and refuses bad values of record\'s options in one line', async () => {
    const help = await tripod(bin, ['record', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: tripod record [options] PID');
    expect(help.stdout).toContain('TRIPOD_DURATION');
    const dumpHelp = await tripod(bin, ['dump', '-h']);
    expect(dumpHelp.stdout).toContain('usage: tripod dump [options] PID');
    const bad = await tripod(bin, ['record', '--interval', '0', '4242']);
    expect(bad.code).toBe(2);
    expect(oneLine(bad.stderr)).toMatch(/--interval="0" is not a number of seconds from 0\.01 to 86400/);
    const env = await tripod(bin, ['record', '4242'], { env: { TRIPOD_DURATION: 'soon' } });
    expect(env.code).toBe(2);
    expect(oneLine(env.stderr)).toMatch(/TRIPOD_DURATION="soon" is not a number of seconds/);
  });

  it.runIf(process.getuid?.() === 0)('refuses a process of another user (run as nobody against root\'s target)', async () => {
    const target = startTarget(bin, [ANY_PORT, fixture('attach-server.js')]);
    await target.waitFor(/ready/);
    const child = spawn(bin, [TRIPOD, 'dump', String(target.pid)], { uid: 65534, gid: 65534, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const result = await finish(child);
    expect(result.code).toBe(5);
    expect(oneLine(result.stderr)).toMatch(/permission denied for process \d+: only its owner or root may attach/);
    expect(target.stderr()).not.toContain('Debugger listening');
  });

  it('says when the inspector port is taken, and opens nothing', async () => {
    const { port, server } = await holdPort();
    try {
      const target = startTarget(bin, [`--inspect-port=${port}`, fixture('attach-server.js')]);
      const [, , httpPort] = await target.waitFor(/ready (\d+) (\d+)/);
      const result = await tripod(bin, ['dump', String(target.pid)]);
      expect(result.code).toBe(7);
      expect(oneLine(result.stderr)).toMatch(new RegExp(`port ${port}, where process \\d+ would open its inspector, is in use`));
      expect(listeningPorts(target.pid)).toEqual([Number(httpPort)]);
    } finally {
      server.close();
    }
  });

  it('refuses to open an inspector on a non-loopback address', async () => {
    const target = startTarget(bin, ['--inspect-port=0.0.0.0:0', fixture('attach-server.js')]);
    const [, , httpPort] = await target.waitFor(/ready (\d+) (\d+)/);
    const result = await tripod(bin, ['dump', String(target.pid)]);
    expect(result.code).toBe(6);
    expect(oneLine(result.stderr)).toMatch(/set to listen on 0\.0\.0\.0, which is not loopback/);
    expect(listeningPorts(target.pid)).toEqual([Number(httpPort)]);
  });

  it('reports a target that exits during the dump, or before tripod is in', async () => {
    // block-die: tripod is connected and waits for the blocked main thread, which is then killed.
    for (const [action, env] of [['block-die', { BLOCK_MS: '1000' }], ['exit', {}]] as const) {
      const target = startTarget(bin, [ANY_PORT, fixture('attach-on-inspector.js'), action], env);
      await target.waitFor(/ready/);
      const result = await tripod(bin, ['dump', '--locals', '--timeout', '20', String(target.pid)]);
      expect(result.code, result.stdout).toBe(8);
      expect(oneLine(result.stderr)).toBe(`tripod: process ${target.pid} exited during the dump; nothing more to read from it`);
    }
  });

  it('reports a blocked main thread after the deadline, and the port closes once it returns', async () => {
    const target = startTarget(bin, [ANY_PORT, fixture('attach-on-inspector.js'), 'block'], { BLOCK_MS: '3000' });
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', '--timeout', '0.5', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/### Thread 0 "main": blocked in a native call/);
    expect(result.stdout).toContain('workers unknown');
    await target.waitFor(/unblocked/);
    expect(await waitUntilClosed(target.inspectorPort()!, 5000), target.stderr()).toBe(true);
  });

  /** A dump that waits for a main thread blocked (1.5 s) the moment its inspector opened. */
  async function dumpInProgress() {
    const target = startTarget(bin, [ANY_PORT, fixture('attach-on-inspector.js'), 'block'], { BLOCK_MS: '1500' });
    await target.waitFor(/ready/);
    const child = start(bin, [TRIPOD, 'dump', '--timeout', '30', String(target.pid)]);
    const done = finish(child);
    const deadline = Date.now() + 20_000;
    while (!target.inspectorPort() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { target, child, done };
  }

  it('leaves no port open when tripod is killed mid-dump', async () => {
    const { target, child, done } = await dumpInProgress();
    child.kill('SIGKILL');
    await done;
    // Its guardian connects and queues the close behind the block: it runs once the thread returns.
    expect(await waitUntilClosed(target.inspectorPort()!, 20_000)).toBe(true);
  });

  it('detaches cleanly when tripod is asked to stop mid-dump', async () => {
    const { target, child, done } = await dumpInProgress();
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    expect(oneLine(result.stderr)).toMatch(/interrupted; process \d+ was let go/);
    await target.waitFor(/unblocked/);
    expect(await waitUntilClosed(target.inspectorPort()!, 3000)).toBe(true);
  });
});
