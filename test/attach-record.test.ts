import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, finish, readLog, samplesOf, start, tempLog, TRIPOD, tripod } from './helpers/cli';
import { connectionRefused, startTarget, stopAllTargets, waitUntilClosed } from './helpers/target';

const nodes = inject('nodes');
const fixture = (name: string) => path.join(FIXTURES, name);
const ANY_PORT = '--inspect-port=0';

afterEach(() => stopAllTargets());

/** Resolves once the log has a start record: tripod is attached. */
async function attached(log: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if (readFileSync(log, 'utf8').includes('"event":"start"')) return;
    } catch {
      // not created yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('tripod record never attached');
}

describe.each(nodes)('tripod record, $label', ({ bin }) => {
  it('samples every thread for --duration into a log tripod show reads, and detaches', async () => {
    const target = startTarget(bin, [ANY_PORT, fixture('attach-workers.js')]);
    await target.waitFor(/ready/);
    const log = tempLog();
    const result = await tripod(bin, ['record', '--duration', '1.5', '--interval', '0.25', '--locals', '-o', log, String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`[tripod] Recording process ${target.pid} every 0.25 s for 1.5 s`);
    expect(result.stderr).toMatch(/\[tripod\] \d+ samples \(duration\)/);
    const records = readLog(log);
    expect(records[0]).toMatchObject({ event: 'start', pid: target.pid, format: 1, attached: { pid: target.pid, via: 'signal', duration: 1.5 }, interval: 0.25 });
    expect(records.at(-1)).toMatchObject({ event: 'end', detached: 'duration', samples: samplesOf(records).length });
    const samples = samplesOf(records);
    const main = samples.filter((s) => s.threadId === undefined);
    const cruncher = samples.filter((s) => s.threadName === 'cruncher');
    expect(main.length).toBeGreaterThanOrEqual(2);
    expect(main.every((s) => s.state === 'idle')).toBe(true);
    expect(cruncher.some((s) => s.state === 'running' && s.frames[0].function === 'crunchInWorker' && s.frames[0].args?.limit === 1e9)).toBe(true);
    expect(samples.some((s) => s.threadName === 'waiter')).toBe(true);
    expect(samples.map((s) => s.seq)).toEqual(samples.map((_, i) => i + 1));
    const shown = await tripod(bin, ['show', '--no-color', log]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`attached to process ${target.pid}`);
    expect(shown.stdout).toMatch(/sample #\d+ thread \d+ "cruncher": running/);
    expect(shown.stdout).toContain('recording ended (duration)');
    expect(await connectionRefused(target.inspectorPort()!)).toBe(true);
  });

  it('stops early on Ctrl-C and still writes the end record', async () => {
    const target = startTarget(bin, [ANY_PORT, fixture('attach-busy.js')]);
    await target.waitFor(/ready/);
    const log = tempLog();
    const child = start(bin, [TRIPOD, 'record', '--interval', '0.1', '-o', log, String(target.pid)]);
    const done = finish(child);
    await attached(log);
    await new Promise((resolve) => setTimeout(resolve, 400));
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    const records = readLog(log);
    expect(records.at(-1)).toMatchObject({ event: 'end', detached: 'interrupted' });
    expect(samplesOf(records).some((s) => s.frames[0]?.function === 'crunch')).toBe(true);
    expect(await connectionRefused(target.inspectorPort()!)).toBe(true);
  });

  it('ends with the target, and says so', async () => {
    // Long enough for the attach and its upgrade to the relay on a loaded machine: the target must exit while recorded.
    const target = startTarget(bin, [ANY_PORT, '-e', 'setTimeout(() => {}, 3000); process.stdout.write(`ready ${process.pid}\\n`)']);
    await target.waitFor(/ready/);
    const log = tempLog();
    const result = await tripod(bin, ['record', '--interval', '0.2', '-o', log, String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(readLog(log).at(-1)).toMatchObject({ event: 'end', detached: 'target exited' });
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });

  it('leaves no port open when tripod is killed mid-recording', async () => {
    const target = startTarget(bin, [ANY_PORT, fixture('attach-server.js')]);
    await target.waitFor(/ready/);
    const log = tempLog();
    const child = start(bin, [TRIPOD, 'record', '--interval', '0.2', '-o', log, String(target.pid)]);
    const done = finish(child);
    await attached(log);
    const port = target.inspectorPort()!;
    // The recording moved to the relay's socket and closed the port SIGUSR1 opened (test/attach-upgrade.test.ts).
    expect(await waitUntilClosed(port, 5000)).toBe(true);
    child.kill('SIGKILL');
    await done;
    expect(await waitUntilClosed(port, 20_000)).toBe(true);
  });
});
