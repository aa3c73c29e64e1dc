/**
 * Issue 11, item 4: values people expect to see. Containers of any size show their first --max-elements with
 * their size, read in bounded time; a function under a secret-looking name is shown, not redacted; a blocked
 * sample names the frame that made the native call, and an execSync's blockedMs is the call's duration. Real
 * targets under the runner, on every test Node.
 */
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, type LogRecord, readLog, samplesOf, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');

/** The first frame named `fn` that carries arguments, over the log's samples, with its sample. */
function firstRead(records: LogRecord[], fn: string): { sample: LogRecord; frame: LogRecord } | undefined {
  for (const sample of samplesOf(records)) {
    const frame = (sample.frames ?? []).find((f: LogRecord) => f.function === fn && f.args);
    if (frame) return { sample, frame };
  }
  return undefined;
}

describe.each(nodes)('values people expect to see, $label', ({ bin }) => {
  it('a 10M-element array, a 10M typed array, a 1M Map and a 1M Set show their first elements and size, in a bounded stop', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.3', '--max-elements', '3', '--log', log, path.join(FIXTURES, 'values-containers.js')], {
      env: { BUSY_MS: '2500' },
    });
    expect(result.code, result.stderr).toBe(0);
    const read = firstRead(readLog(log), 'holdContainers');
    expect(read, 'no sample read holdContainers').toBeDefined();
    const { array, holes, typed, map, set, keyring } = read!.frame.args;
    expect(array).toEqual({ $type: 'Array', length: 10_000_000, items: [0, 1, 2], more: 9_999_997 });
    expect(typed).toEqual({ $type: 'Float64Array', length: 10_000_000, items: [0, 0.5, 1], more: 9_999_997 });
    expect(map).toEqual({ $type: 'Map', length: 1_000_000, entries: [['k0', 0], ['k1', 1], ['k2', 2]], more: 999_997 });
    expect(set).toEqual({ $type: 'Set', length: 1_000_000, items: [0, 3, 6], more: 999_997 });
    // Holes are looked for only in the first indices: the one element at 5,000,000 is not searched out.
    expect(holes).toEqual({ $type: 'Array', length: 10_000_000, items: [], more: 10_000_000 });
    // A function is code, not a secret, under a Map key too; the string beside it stays hidden.
    expect(keyring.entries).toEqual([['privateKey', { $type: 'function', name: 'signWith' }], ['apiToken', '[redacted]']]);
    // Listing all 10M keys would take seconds; the reader stops at 30 ms, and V8's pause around it is what remains.
    expect(read!.sample.stoppedMs).toBeLessThan(1000);
  });

  it("a blocked execFileSync names the frame that made the call on top, and blockedMs is the call's duration", async () => {
    const log = tempLog();
    // The call starts at 300 ms, between the samples at 0 and 1 s: a sample sees it only from its middle.
    const result = await tripod(bin, ['-q', '--interval', '1', '--log', log, path.join(FIXTURES, 'blocked-calls.js'), 'exec']);
    expect(result.code, result.stderr).toBe(0);
    const { callMs } = JSON.parse(result.stdout);
    const blocked = samplesOf(readLog(log)).filter((s) => s.state === 'blocked');
    expect(blocked).toHaveLength(1);
    // Before, the function entered right after the call returned stood on top (`toString (node:buffer)`).
    expect(blocked[0].frames[0].function).toBe('spawnSync');
    expect(blocked[0].frames.map((f: LogRecord) => f.function)).toContain('fetchSlowly');
    // /proc's start times are to 10 ms; the fixture's own measure includes the child's start-up.
    expect(Math.abs(blocked[0].blockedMs - callMs)).toBeLessThan(150);
  });

  it('a blocked readFileSync of a FIFO, whose start nothing records, counts blockedMs from the sample that found it', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '1', '--log', log, path.join(FIXTURES, 'blocked-calls.js'), 'fifo']);
    expect(result.code, result.stderr).toBe(0);
    const { callMs } = JSON.parse(result.stdout);
    const blocked = samplesOf(readLog(log)).filter((s) => s.state === 'blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0].blockedMs).toBeLessThanOrEqual(callMs + 20);
    // At most one interval short of the call, plus what a loaded machine makes the sampler's tick late (seen: 245 ms).
    expect(blocked[0].blockedMs).toBeGreaterThan(callMs - 1000 - 750);
    expect(blocked[0].frames[0].function).not.toBe('toString');
  });
});
