/**
 * Issue 17, item 3 ("no upward drift"): every sample that reads locals leaves the target a few small compiled
 * scripts that each later Debugger.enable replays until a full collection. In a program that runs none of its own,
 * tripod runs one once the replays have cost as much (capture/script-pile.ts), through a collector the runner
 * made before the program's first line; the program's contexts and threads never see a `gc` it would not have
 * had under node.
 */
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, TRIPOD, readLog, run, samplesOf, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const GC_UNSEEN = path.join(FIXTURES, 'gc-unseen.js');
const REPLAYED = /^tripod:capture [\d.]+ms Debugger\.enable answered \((\d+) scripts replayed\)$/;
const COLLECTED = /^tripod:capture [\d.]+ms full collection/;

describe.each(nodes)('the scripts tripod\'s reads pile up, $label', ({ bin }) => {
  it('are freed by a full collection once they cost the enables as much, and the count falls back', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.1', '--locals-budget', '100', '--log', log, GC_UNSEEN], {
      env: { TRIPOD_DEBUG: 'capture', BUSY_MS: '5000' },
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split('\n').filter((line) => REPLAYED.test(line) || COLLECTED.test(line));
    const collections = lines.flatMap((line, i) => (COLLECTED.test(line) ? [i] : []));
    expect(collections.length, result.stderr).toBeGreaterThan(0);
    // Each collection's next enable replays fewer scripts than the one before it.
    const count = (line: string | undefined) => Number(line?.match(REPLAYED)?.[1]);
    const fell = collections.filter((at) => {
      const before = lines.slice(0, at).reverse().find((line) => REPLAYED.test(line));
      const after = lines.slice(at + 1).find((line) => REPLAYED.test(line));
      return after !== undefined && count(after) < count(before);
    });
    expect(fell.length, lines.join('\n')).toBeGreaterThan(0);
    // The log says so, and counts the collection in the sample's stop.
    const collected = samplesOf(readLog(log)).filter((s) => s.collectedMs !== undefined);
    // (a collection in the capture the program's exit cut short may not reach the log)
    expect(collected.length).toBeGreaterThan(0);
    expect(collected.length).toBeLessThanOrEqual(collections.length);
    for (const sample of collected) {
      expect(sample.collectedMs).toBeGreaterThan(0);
      expect(sample.stoppedMs).toBeGreaterThan(sample.collectedMs);
    }
  });

  it('leave the program\'s contexts and threads without a gc global, as under node, and keep the one --expose-gc gave', async () => {
    const plain = await run(bin, [GC_UNSEEN], { env: { BUSY_MS: '1500' } });
    const under = await tripod(bin, ['-q', '--interval', '0.1', '--locals-budget', '100', '--log', tempLog(), GC_UNSEEN], { env: { BUSY_MS: '1500' } });
    expect(plain.stdout).toContain('worker: undefined');
    expect(under.stdout).toBe(plain.stdout);
    const exposedPlain = await run(bin, ['--expose-gc', GC_UNSEEN], { env: { BUSY_MS: '300' } });
    const exposedUnder = await run(bin, ['--expose-gc', TRIPOD, '-q', '--interval', '0.1', '--log', tempLog(), GC_UNSEEN], { env: { BUSY_MS: '300' } });
    expect(exposedPlain.stdout).toContain('end: main function, vm function');
    expect(exposedUnder.stdout).toBe(exposedPlain.stdout);
  });
});
