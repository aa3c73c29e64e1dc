import { statSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, run, samplesOf, tempLog, tripod } from './helpers/cli';
import { agentSocket, listeningPorts, startTarget, stopAllTargets } from './helpers/target';

const nodes = inject('nodes');
const fixture = (name: string) => path.join(FIXTURES, name);

afterEach(() => stopAllTargets());

describe.each(nodes)('tripod agent, $label', ({ bin, label }) => {
  const major = Number(/node v(\d+)/.exec(label)![1]);
  // --disable-sigusr1 exists from Node 22.14 / 23.7; on older Nodes the agent is simply preferred when present.
  const noSignal = major >= 23 ? ['--disable-sigusr1'] : [];

  // Retried: once, in a loaded full suite, the target was gone after two good dumps (ENOENT on /proc/PID/fd),
  // never seen again in 9 runs of the suite nor in 50 runs of the two dumps alone under load (Node 20 and 24);
  // the check below says how it ended if it happens again.
  it('dumps every thread through a 0600 Unix socket, with no TCP port ever opened', { retry: 2 }, async () => {
    const target = startTarget(bin, [...noSignal, '--require', 'tripod/agent', fixture('attach-workers.js')]);
    await target.waitFor(/ready/);
    const socket = agentSocket(target.pid)!;
    expect(socket).toBeDefined();
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
    for (let i = 0; i < 2; i++) {
      const result = await tripod(bin, ['dump', '--locals', String(target.pid)]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('3 JavaScript threads, reached through the tripod agent');
      expect(result.stdout).toMatch(/"cruncher" \([^)]*\): running/);
      expect(result.stdout).toContain('Arguments: crunchInWorker(limit=1000000000)');
      expect(result.stdout).not.toContain('tripod-agent');
    }
    // Seen once: the target gone at this point. Its end and last words say why, if it happens again.
    const gone = target.child.exitCode !== null || target.child.signalCode !== null;
    expect(gone, `the target ended (code ${target.child.exitCode}, signal ${target.child.signalCode}); its stderr: ${target.stderr()}`).toBe(false);
    expect(listeningPorts(target.pid)).toEqual([]);
    expect(target.stderr()).not.toContain('Debugger listening');
  });

  it('records through the agent, and the program still exits on its own', async () => {
    const target = startTarget(bin, [...noSignal, '--require', 'tripod/agent', '-e', 'setTimeout(() => {}, 1500); process.stdout.write(`ready ${process.pid}\\n`)']);
    await target.waitFor(/ready/);
    const log = tempLog();
    const result = await tripod(bin, ['record', '--interval', '0.2', '-o', log, String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    const records = readLog(log);
    expect(records[0]).toMatchObject({ event: 'start', attached: { via: 'agent' } });
    expect(samplesOf(records).length).toBeGreaterThan(0);
    expect(records.at(-1)).toMatchObject({ event: 'end', detached: 'target exited' });
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });

  it('is the route taken when the process also has an inspector open, which it leaves as it was', async () => {
    const target = startTarget(bin, ['--inspect=127.0.0.1:0', '--require', 'tripod/agent', fixture('attach-esm.mjs')]);
    await target.waitFor(/ready/);
    const open = listeningPorts(target.pid);
    expect(open.length).toBe(1);
    const result = await tripod(bin, ['dump', '--json', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ attached: { via: 'agent' } });
    expect(listeningPorts(target.pid)).toEqual(open);
  });

  it('loads with --import for ES modules', async () => {
    const target = startTarget(bin, [...noSignal, '--import', 'tripod/agent', fixture('attach-esm.mjs')]);
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', '--json', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    const dump = JSON.parse(result.stdout);
    expect(dump).toMatchObject({ attached: { via: 'agent' }, threads: [{ threadName: 'main' }] });
    // The program waits in its event loop; the dump may still catch Node closing the agent's request socket.
    const main = dump.threads[0];
    expect(['idle', 'running']).toContain(main.state);
    if (main.state === 'running') {
      expect(main.frames.length, main.stack).toBeGreaterThan(0);
      expect(main.frames.filter((f: any) => !f.url.startsWith('node:')), main.stack).toEqual([]);
    }
  });

  it('is dormant: no thread, no timer, no handle that keeps the program alive', async () => {
    const plain = await run(bin, [fixture('attach-dormant.js')]);
    const withAgent = await run(bin, ['--require', 'tripod/agent', fixture('attach-dormant.js')]);
    expect(withAgent.code, withAgent.stderr).toBe(0);
    expect(JSON.parse(withAgent.stdout)).toEqual(JSON.parse(plain.stdout));
  });

  it('says so when the main thread does not come back to the event loop in time', async () => {
    const target = startTarget(bin, [...noSignal, '--require', 'tripod/agent', fixture('attach-busy.js')]);
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', '--timeout', '0.5', String(target.pid)]);
    expect(result.code).toBe(6);
    expect(result.stderr.trim()).toMatch(/the agent in process \d+ did not answer within 1 s: its main thread has not come back to the event loop/);
  });
});

describe.each(nodes.filter((n) => Number(/node v(\d+)/.exec(n.label)![1]) >= 23))('without the agent, $label', ({ bin }) => {
  it('explains that --disable-sigusr1 needs the agent', async () => {
    const target = startTarget(bin, ['--disable-sigusr1', fixture('attach-server.js')]);
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', String(target.pid)]);
    expect(result.code).toBe(6);
    expect(result.stderr.trim()).toMatch(/was started with --disable-sigusr1, .*\(node --require tripod\/agent\)/);
  });
});
