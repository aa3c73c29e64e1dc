/**
 * Unit tests, in-process: nextFlushMs, how long --profile lets a profile run before it collects it, from what
 * the last restart stopped the main thread (a restart logs every code object again: dear on a large heap).
 */
import { describe, expect, it } from 'vitest';
import { FLUSH_MS, MAX_FLUSH_MS, RESTART_SHARE, nextFlushMs } from '../../src/profile/recorder';

describe('nextFlushMs', () => {
  it('collects every 5 s while a restart is cheap', () => {
    expect(nextFlushMs(0)).toBe(FLUSH_MS);
    expect(nextFlushMs(12)).toBe(FLUSH_MS);
    expect(nextFlushMs(25)).toBe(FLUSH_MS);
  });

  it('collects less often as a restart grows dearer, so restarts keep to 0.5% of the time', () => {
    expect(RESTART_SHARE).toBe(0.005);
    // ~235 ms on a 180 MB heap: every 47 s.
    expect(nextFlushMs(235)).toBe(47_000);
    for (const restartMs of [40, 100, 235, 290]) expect(restartMs / nextFlushMs(restartMs)).toBeCloseTo(RESTART_SHARE, 6);
  });

  it('collects at least once a minute, however dear: a SIGKILL loses no more than that', () => {
    expect(nextFlushMs(555)).toBe(MAX_FLUSH_MS);
    expect(nextFlushMs(10_000)).toBe(MAX_FLUSH_MS);
    // At the cap, a 480 MB heap's ~550 ms restart is still under 1% of the time.
    expect(555 / MAX_FLUSH_MS).toBeLessThan(0.01);
  });
});
