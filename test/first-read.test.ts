/**
 * Issue 17, item 1: the first read of locals in a run. V8 does once-per-process work the first time the
 * debugger comes on (it hashes every loaded script); tripod pays it while the thread is idle when it can, and
 * --locals-budget does not let that one dear read starve the samples after it.
 */
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, SAMPLES, readLog, samplesOf, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');

describe.each(nodes)('the first read of locals, $label', ({ bin }) => {
  it('under a 1% budget (the default), the sample after the first read of a CPU-bound program still reads locals', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.5', '--log', log, path.join(SAMPLES, 'busy_loop.js')], { env: { BUSY_SECONDS: '3.5', TRIPOD_LOCALS_BUDGET: '1' } });
    expect(result.code, result.stderr).toBe(0);
    const records = readLog(log);
    expect(records[0].localsBudget).toBe(0.01);
    const running = samplesOf(records).filter((s) => s.state === 'running' && s.frames.length > 0);
    // A loaded machine can have a pause miss (stack only, for another reason): only the budget's refusals count here.
    const refused = (s: any) => /over --locals-budget/.test(s.localsSkipped ?? '');
    expect(running.length).toBeGreaterThanOrEqual(3);
    // The first read costs several times a later one: charged in full, the next several samples went without.
    expect(refused(running[0])).toBe(false);
    expect(refused(running[1]), JSON.stringify(running.slice(0, 2).map((s) => [s.stoppedMs, s.localsSkipped]))).toBe(false);
  });

  it('installs the in-target reader (which reads its own values once) without running what the program replaced', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.25', '--log', log, path.join(FIXTURES, 'hostile-iterator.js')], { env: { BUSY_MS: '1500' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('calls 0\n');
    const read = samplesOf(readLog(log)).filter((s) => s.frames.some((f: any) => f.function === 'busy' && f.locals?.seen));
    expect(read.length).toBeGreaterThan(0);
  });

  it('has the debugger on and off once while the program is idle, before its first read of locals', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.4', '--log', log, path.join(FIXTURES, 'idle-then-busy.js')], {
      env: { TRIPOD_DEBUG: 'capture', TRIPOD_LOCALS_BUDGET: '100', IDLE_MS: '2000', BUSY_MS: '1200' },
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('tripod:capture'));
    const warmed = lines.findIndex((line) => /^tripod:capture \d+\.\dms debugger warmed up while the thread was idle$/.test(line));
    expect(warmed, result.stderr).toBeGreaterThanOrEqual(0);
    expect(lines.filter((line) => /warmed up/.test(line))).toHaveLength(1);
    // Before any pause: the warm-up came first.
    expect(lines.findIndex((line) => /resumed: main thread stopped/.test(line))).toBeGreaterThan(warmed);
    const samples = samplesOf(readLog(log));
    const busy = samples.filter((s) => s.state === 'running' && s.frames.some((f: any) => f.function === 'crunch'));
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.some((s) => s.frames.find((f: any) => f.function === 'crunch').locals?.label === 'crunching')).toBe(true);
    // The idle samples say so and stopped nothing.
    expect(samples.filter((s) => s.state === 'idle').every((s) => s.stoppedMs === 0)).toBe(true);
  });
});
