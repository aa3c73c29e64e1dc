import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, SAMPLES, readLog, run, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const STALLS = path.join(FIXTURES, 'stalls.js');

async function watched(bin: string, args: string[], extra: string[] = []) {
  const log = tempLog();
  const result = await tripod(bin, ['-q', '--interval', '0', '--watchdog', '200', ...extra, '--log', log, STALLS, ...args]);
  expect(result.code, result.stderr).toBe(0);
  const records = readLog(log);
  return { result, records, stalls: records.filter((r) => r.event === 'stall'), ends: records.filter((r) => r.event === 'stall-end') };
}

describe.each(nodes)('watchdog, $label', ({ bin }) => {
  it('reports a 500 ms synchronous block with the blocking function and its locals, then its end', async () => {
    const { stalls, ends } = await watched(bin, ['sync', '500']);
    expect(stalls).toHaveLength(1);
    const [stall] = stalls;
    expect(stall).toMatchObject({ level: 40, msg: 'stall', stallId: 1, repeat: 0, state: 'running' });
    expect(stall.stalledMs).toBeGreaterThanOrEqual(200);
    expect(stall.frames[0]).toMatchObject({ function: 'blockFor', args: { ms: 500 } });
    expect(stall.frames[0].locals).toMatchObject({ until: expect.any(Number), spins: expect.any(Number) });
    expect(stall.stack).toMatch(/^ {4}at blockFor \(.*stalls\.js:\d+:\d+\)/);
    expect(ends).toHaveLength(1);
    expect(ends[0].stallId).toBe(1);
    expect(ends[0].durationMs).toBeGreaterThanOrEqual(400);
  });

  it('does not report a 50 ms block under a 200 ms threshold', async () => {
    const { stalls, ends } = await watched(bin, ['sync', '50']);
    expect(stalls).toEqual([]);
    expect(ends).toEqual([]);
  });

  it('does not report a target idle for 5 s', async () => {
    const { stalls, result } = await watched(bin, ['idle', '5000']);
    expect(result.stdout).toBe('done\n');
    expect(stalls).toEqual([]);
  });

  it('repeats captures of a long stall with --watchdog-repeat, not hundreds', async () => {
    const { stalls, ends } = await watched(bin, ['sync', '1500'], ['--watchdog-repeat', '400']);
    expect(stalls.length).toBeGreaterThanOrEqual(2);
    expect(stalls.length).toBeLessThanOrEqual(5);
    expect(stalls.map((s) => s.repeat)).toEqual(stalls.map((_, i) => i));
    expect(new Set(stalls.map((s) => s.stallId))).toEqual(new Set([1]));
    expect(ends[0]).toMatchObject({ stallId: 1, captures: stalls.length });
  });

  it('reports a stall in a native call as blocked, then the JS frame that made the call', async () => {
    const { stalls, ends } = await watched(bin, ['native']);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toMatchObject({ state: 'blocked' });
    expect(ends).toHaveLength(1);
    expect(ends[0].durationMs).toBeGreaterThanOrEqual(500);
    expect(ends[0].stack).toMatch(/at runsNative \(.*stalls\.js:\d+:\d+\)/);
  });

  it('runs alongside periodic sampling', async () => {
    const { records, stalls } = await watched(bin, ['sync', '500'], ['--interval', '0.2']);
    expect(stalls).toHaveLength(1);
    expect(records.filter((r) => r.event === 'sample').length).toBeGreaterThan(0);
  });

  it('validates its options like TRIPOD_INTERVAL', async () => {
    const bad = await tripod(bin, ['--watchdog', '5ms', STALLS]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('tripod: --watchdog="5ms" is not a whole number of milliseconds from 10 to 3600000; use e.g. 200\n');
    const env = await tripod(bin, [STALLS], { env: { TRIPOD_WATCHDOG_MS: '-3' } });
    expect(env.stderr).toMatch(/TRIPOD_WATCHDOG_MS="-3" is not a whole number of milliseconds/);
    const repeatAlone = await tripod(bin, ['--watchdog-repeat', '100', STALLS]);
    expect(repeatAlone.stderr).toMatch(/--watchdog-repeat needs --watchdog MS/);
    const zero = await tripod(bin, ['--interval', '0', STALLS]);
    expect(zero.stderr).toMatch(/add --watchdog MS or --crash/);
    const banner = await tripod(bin, ['--interval', '0', '--watchdog', '250', STALLS, 'sync', '1']);
    expect(banner.stderr).toMatch(/^\[tripod\] Watching for event-loop stalls over 250 ms\n\[tripod\] Writing output to: /);
  });

  it('is found by grep stall and rendered by show', async () => {
    const log = tempLog();
    await tripod(bin, ['-q', '--interval', '0', '--watchdog', '200', '--log', log, STALLS, 'sync', '500']);
    const shown = await tripod(bin, ['show', '--no-color', log]);
    expect(shown.stdout).toMatch(/WARN: stall #1: event loop away \d+ ms; running, main thread stopped [\d.]+ ms\n {4}at blockFor/);
    expect(shown.stdout).toMatch(/stall #1 over: event loop away \d+ ms, 1 capture/);
    expect(shown.stdout).toContain('Arguments: blockFor(ms=500)');
  });
});

describe.each(nodes)('crash capture, $label', ({ bin }) => {
  it('logs the throwing frame\'s locals and dies as plain node does', async () => {
    const log = tempLog();
    const plain = await run(bin, [path.join(SAMPLES, 'crash.js')]);
    const result = await tripod(bin, ['-q', '--interval', '0', '--crash', '--log', log, path.join(SAMPLES, 'crash.js')]);
    expect(result.code).toBe(plain.code);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(plain.stderr);
    const crash = readLog(log).find((r) => r.event === 'crash')!;
    expect(crash).toMatchObject({ level: 50, origin: 'exception', error: { name: 'TypeError', message: expect.stringContaining("reading 'value'") } });
    expect(crash.frames[0]).toMatchObject({ function: 'applyDiscount', args: { code: 'NOPE' }, locals: { rate: { $type: 'undefined' } } });
    expect(crash.frames[0].args.order.props).toMatchObject({ id: 'A-17', total: 39 });
    const shown = await tripod(bin, ['show', '--no-color', log]);
    expect(shown.stdout).toMatch(/ERROR: crash: uncaught exception TypeError: Cannot read properties of undefined \(reading 'value'\)\n {4}at applyDiscount/);
    expect(shown.stdout).toContain("Arguments: applyDiscount(order={ id: 'A-17', items: Array(2) [ [Object], [Object] ], total: 39 }, code='NOPE')");
  });

  it('captures only the exception nothing catches', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0', '--crash', '--log', log, path.join(FIXTURES, 'caught.js')]);
    expect(result.stdout).toBe('caught 500\n');
    expect(result.code).toBe(1);
    const crashes = readLog(log).filter((r) => r.event === 'crash');
    expect(crashes).toHaveLength(1);
    expect(crashes[0].frames[0]).toMatchObject({ function: 'finalStep', args: { total: 500 }, locals: { note: 'about to fail' } });
  });

  it('captures unhandled rejections with --on-rejection only', async () => {
    const script = path.join(FIXTURES, 'ending.js');
    const without = tempLog();
    await tripod(bin, ['-q', '--interval', '0', '--crash', '--log', without, script, 'reject']);
    expect(readLog(without).filter((r) => r.event === 'crash')).toEqual([]);
    const withIt = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0', '--on-rejection', '--log', withIt, script, 'reject']);
    expect(result.code).toBe(1);
    const crash = readLog(withIt).find((r) => r.event === 'crash')!;
    expect(crash).toMatchObject({ origin: 'rejection', error: { name: 'RangeError', message: 'rejected by the target' } });
  });
});
