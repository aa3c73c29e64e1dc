/**
 * `tripod --threads --watchdog MS`: a worker thread's own event-loop stall is
 * captured while it lasts, as the main thread's is, tagged with the worker;
 * workers idle in their loop or waiting for work give none and end as under
 * node; a worker that replaced the globals tripod could have used sees none of
 * them called.
 */
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, type LogRecord, readLog, run, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const STALLS = path.join(FIXTURES, 'threads-stalls.js');
const PISCINA_IDLE = path.join(FIXTURES, 'threads-piscina-idle.js');
const COLLECTOR = path.join(FIXTURES, 'threads-gc.js');

const stallsOf = (records: LogRecord[], event = 'stall') => records.filter((r) => r.event === event);
const functionsOf = (record: LogRecord) => (record.frames as { function: string }[]).map((f) => f.function);

describe.each(nodes)('tripod --threads --watchdog, $label', ({ bin }) => {
  it("captures each worker's own stalls, tagged and with its stack, and none of the main thread or an idle worker", async () => {
    const log = tempLog();
    const [plain, result] = await Promise.all([
      run(bin, [STALLS]),
      tripod(bin, ['--threads', '--watchdog', '300', '--watchdog-repeat', '250', '--interval', '5', '--log', log, STALLS]),
    ]);
    expect(plain.code).toBe(3);
    expect(result.code, `exit ${result.code}, signal ${result.signal}: ${result.stderr}`).toBe(plain.code);
    expect(result.stdout).toBe(plain.stdout);
    // The hostile worker's replacements of setInterval, performance.now and SharedArrayBuffer were never called.
    expect(result.stdout).toContain('hostile replacements called: {"setInterval":0,"performanceNow":0,"SharedArrayBuffer":0}\n');
    const records = readLog(log);
    const stalls = stallsOf(records);
    const ends = stallsOf(records, 'stall-end');
    expect(stalls.filter((s) => s.threadId === undefined), 'stalls of the main thread').toEqual([]);
    expect(ends.filter((s) => s.threadId === undefined)).toEqual([]);
    const of = (name: string) => stalls.filter((s) => s.threadName === name && s.repeat === 0);
    expect(of('pool'), 'stalls of the idle pool worker').toEqual([]);
    const spinner = of('spinner');
    // Stalls at 0.6 and 2.6 s of a 4.4 s program (each worker's watch is up within a few hundred ms).
    expect(spinner.length).toBeGreaterThanOrEqual(2);
    for (const stall of spinner) {
      expect(stall).toMatchObject({ threadUrl: `file://${STALLS}`, state: 'running' });
      expect(stall.threadId).toBeGreaterThan(0);
      expect(stall.stalledMs).toBeGreaterThanOrEqual(300);
      expect(functionsOf(stall)).toContain('spinInWorker');
      const end = ends.find((e) => e.threadId === stall.threadId && e.stallId === stall.stallId);
      expect(end, `the end of spinner's stall #${stall.stallId}`).toBeDefined();
      // An 800 ms block, or one the program's end cut short; --watchdog-repeat 250 captured it again 550 ms in.
      if (!end!.atExit) expect(end!.durationMs).toBeGreaterThanOrEqual(700);
      const captures = stalls.filter((s) => s.threadId === stall.threadId && s.stallId === stall.stallId);
      expect(captures.map((s) => s.repeat)).toEqual(captures.map((_, i) => i));
      expect(end!.captures).toBe(captures.length);
    }
    expect(stalls.some((s) => s.threadName === 'spinner' && s.repeat === 1 && functionsOf(s).includes('spinInWorker'))).toBe(true);
    expect(spinner.map((s) => s.stallId)).toEqual(spinner.map((_, i) => i + 1));
    expect(new Set(spinner.map((s) => s.threadId)).size).toBe(1);
    // Started 1.2 s after the sampler: watched too.
    expect(of('late').length).toBe(1);
    expect(functionsOf(of('late')[0])).toContain('lateSpin');
    expect(of('hostile').length).toBe(1);
    expect(functionsOf(of('hostile')[0])).toContain('hostileSpin');
    expect(stalls.every((s) => ['spinner', 'late', 'hostile'].includes(s.threadName))).toBe(true);
    expect(records.at(-1)).toMatchObject({ event: 'end', exitCode: 3 });
    const shown = await tripod(bin, ['show', log]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`stall #1 thread ${spinner[0].threadId} "spinner": event loop away \\d+ ms; running`));
    expect(shown.stdout).toMatch(new RegExp(`stall #1 thread ${spinner[0].threadId} "spinner" over: event loop away \\d+ ms, \\d+ captures?`));
  });

  it('sees no stall in a piscina pool waiting for work in Atomics.wait, and the program ends as under node', async () => {
    const log = tempLog();
    const [plain, result] = await Promise.all([
      run(bin, [PISCINA_IDLE]),
      tripod(bin, ['--threads', '--watchdog', '500', '--interval', '0.5', '--log', log, PISCINA_IDLE]),
    ]);
    expect(plain.code).toBe(0);
    expect(result.code, `exit ${result.code}, signal ${result.signal}: ${result.stderr}`).toBe(0);
    expect(result.stdout).toBe(plain.stdout);
    const records = readLog(log);
    // Its workers were there, and sampled.
    expect(records.some((r) => r.event === 'sample' && r.threadId !== undefined)).toBe(true);
    // Its workers wait 1.5 s in Atomics.wait, three times the threshold. (The main thread's own watchdog is
    // watchdog.test.ts's: a loaded machine can keep any thread from a core past a threshold.)
    expect(stallsOf(records).filter((s) => s.threadId !== undefined)).toEqual([]);
    expect(stallsOf(records, 'stall-end').filter((s) => s.threadId !== undefined)).toEqual([]);
  });

  it("keeps a worker's heartbeat through its garbage collections: one stall, where it blocked", async () => {
    const log = tempLog();
    const result = await tripod(bin, ['--threads', '--watchdog', '250', '--interval', '0.2', '--log', log, COLLECTOR], {
      env: { NODE_OPTIONS: '--expose-gc', TRIPOD_DEBUG: 'watchdog', TRIPOD_LOCALS_BUDGET: '100' },
    });
    expect(result.code, `exit ${result.code}, signal ${result.signal}: ${result.stderr}`).toBe(0);
    expect(result.stderr).toMatch(/worker collector \(thread \d+\) is watched: heartbeat installed/);
    // A heartbeat collected (or lost with its remote object) would be found out at a stall and installed again.
    expect(result.stderr).not.toContain('heartbeat lost');
    const stalls = stallsOf(readLog(log)).filter((s) => s.threadId !== undefined);
    expect(stalls.filter((s) => s.repeat === 0).map((s) => s.threadName)).toEqual(['collector']);
    expect(functionsOf(stalls[0])).toContain('spinAfterCollections');
  });
});
