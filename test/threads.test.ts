/**
 * `tripod --threads script.js`: the program's worker_threads Workers, those started
 * later too, are sampled on the main thread's schedule and tagged as `tripod record`
 * tags them; tripod's own sampler never appears; the program runs as under node.
 */
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, run, samplesOf, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const POOL = path.join(FIXTURES, 'threads-pool.js');

describe.each(nodes)('tripod --threads, $label', ({ bin }) => {
  it('samples every worker, one started later too, by name, and the program runs as under node', async () => {
    const plain = await run(bin, [POOL]);
    expect(plain.code).toBe(3);
    const log = tempLog();
    // The default budget: a worker's reads of locals are its own, and so is the note when they are skipped.
    const result = await tripod(bin, ['--threads', '--interval', '0.2', '--log', log, POOL], { env: { TRIPOD_LOCALS_BUDGET: '1' } });
    expect(result.code, result.stderr).toBe(plain.code);
    expect(result.stdout).toBe(plain.stdout);
    expect(result.stderr).toContain('[tripod] Sampling every 0.200000 seconds, worker threads included');
    const records = readLog(log);
    const samples = samplesOf(records);
    const byName = (name: string) => samples.filter((s) => s.threadName === name);
    expect(samples.filter((s) => s.threadId === undefined).length).toBeGreaterThanOrEqual(3);
    for (const name of ['busy', 'idle', 'late']) {
      const own = byName(name);
      expect(own.length, `samples of ${name}`).toBeGreaterThanOrEqual(1);
      expect(new Set(own.map((s) => s.threadId)).size, name).toBe(1);
      expect(own[0].threadId).toBeGreaterThan(0);
      expect(own[0].threadUrl).toBe(`file://${POOL}`);
    }
    expect(byName('busy').some((s) => s.state === 'running' && s.frames[0]?.function === 'hashInWorker')).toBe(true);
    expect(byName('idle').some((s) => s.state === 'idle')).toBe(true);
    expect(byName('busy').some((s) => /^over --locals-budget 1%: reading locals last stopped the thread [\d.]+ ms$/.test(s.localsSkipped))).toBe(true);
    // "late" ends 1.8 s into the 3 s program: it leaves the recording then, while the others are sampled on.
    const lastOf = (list: typeof samples) => Math.max(...list.map((s) => s.capturedAt));
    expect(lastOf(byName('late'))).toBeLessThan(lastOf(byName('idle')) - 500);
    expect(samples.filter((s) => s.threadId !== undefined).every((s) => ['busy', 'idle', 'late'].includes(s.threadName))).toBe(true);
    expect(JSON.stringify(records)).not.toContain('tripod-sampler');
    expect(samples.map((s) => s.seq)).toEqual(samples.map((_, i) => i + 1));
    expect(records.at(-1)).toMatchObject({ event: 'end', exitCode: 3, samples: samples.length });
  });

  it('samples the main thread only without --threads', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['--interval', '0.2', '--log', log, POOL]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).not.toContain('worker threads');
    const samples = samplesOf(readLog(log));
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect(samples.every((s) => s.threadId === undefined && s.threadName === undefined)).toBe(true);
  });

  it('refuses --threads with an interval of 0 in one line', async () => {
    const result = await tripod(bin, ['--threads', '--interval', '0', '--crash', POOL], { env: { TRIPOD_LOG: tempLog() } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^tripod: --threads samples worker threads every --interval, and an interval of 0 turns that off; use a positive number of seconds such as 5\n$/);
    expect(result.stdout).toBe('');
  });
});
