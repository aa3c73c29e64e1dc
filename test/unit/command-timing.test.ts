/**
 * Unit tests, in-process: the timing line every attach and console command ends with (report/command-timing.ts).
 */
import { describe, expect, it } from 'vitest';
import { timingLine } from '../../src/report/command-timing';

describe('timingLine', () => {
  it('says the wall time in seconds and the stop in tenths of a millisecond', () => {
    expect(timingLine({ wallMs: 41.2, stoppedMs: 0.43 })).toBe(' ** took 0.041 s, main thread stopped 0.4 ms');
  });

  it('names a worker when it was the one stopped', () => {
    expect(timingLine({ wallMs: 1500, stoppedMs: 12, thread: 'thread 2' })).toBe(' ** took 1.500 s, thread 2 stopped 12.0 ms');
  });

  it('says a thread was not stopped rather than 0 ms when nothing stopped it', () => {
    expect(timingLine({ wallMs: 3 })).toBe(' ** took 0.003 s, main thread not stopped');
  });

  it('shows a stop under a tenth of a millisecond as such, not as 0.0', () => {
    expect(timingLine({ wallMs: 3, stoppedMs: 0.04 })).toBe(' ** took 0.003 s, main thread stopped <0.1 ms');
    expect(timingLine({ wallMs: 3, stoppedMs: 0 })).toBe(' ** took 0.003 s, main thread stopped 0.0 ms');
  });
});
