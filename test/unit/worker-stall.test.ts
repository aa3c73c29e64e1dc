/**
 * Unit tests, in-process: a worker's stall records as `tripod show` heads them
 * (report/render-record.ts), and which worker captures are waiting for work
 * rather than stalled (watchdog/stall-capture.ts waitsForWork).
 */
import { describe, expect, it } from 'vitest';
import type { StallEndRecord, StallRecord } from '../../src/record/records';
import type { CapturedSample, Frame } from '../../src/record/sample';
import { renderRecord } from '../../src/report/render-record';
import { waitsForWork } from '../../src/watchdog/stall-capture';

const frame = (fields: Partial<Frame>): Frame => ({ function: 'spin', url: 'file:///app/pool.js', line: 12, column: 3, ...fields });
const sample = (frames: Frame[]): CapturedSample => ({ capturedAt: 0, state: 'running', stoppedMs: 4.2, frames, stack: '    at spin (/app/pool.js:12:3)' });
const tag = { threadId: 2, threadName: 'spinner', threadUrl: 'file:///app/pool.js' };

describe("a worker's stall in tripod show", () => {
  it('names the thread, and its stop as the thread\'s', () => {
    const record: StallRecord = { event: 'stall', ...tag, stallId: 3, repeat: 1, stalledMs: 560, ...sample([frame({})]) };
    expect(renderRecord(record).split('\n')[0]).toBe('stall #3 thread 2 "spinner", capture 2: event loop away 560 ms; running, thread stopped 4.2 ms');
  });

  it("names the thread on the stall's end, and says the thread may have ended first", () => {
    const end: StallEndRecord = { event: 'stall-end', ...tag, stallId: 3, durationMs: 807, captures: 2, atExit: true };
    expect(renderRecord(end)).toBe('stall #3 thread 2 "spinner" over: event loop away 807 ms, 2 captures (the thread or the process ended first)');
  });

  it("leaves the main thread's stall as it was", () => {
    const record: StallRecord = { event: 'stall', stallId: 1, repeat: 0, stalledMs: 220, ...sample([frame({})]) };
    expect(renderRecord(record).split('\n')[0]).toBe('stall #1: event loop away 220 ms; running, main thread stopped 4.2 ms');
    expect(renderRecord({ event: 'stall-end', stallId: 1, durationMs: 1008, captures: 1 })).toBe('stall #1 over: event loop away 1008 ms, 1 capture');
  });
});

describe('waitsForWork', () => {
  it("sees Atomics.wait's builtin frame on top of a probe's stack", () => {
    expect(waitsForWork(sample([frame({ function: 'wait', url: '', line: 0, column: 0 }), frame({ function: 'atomicsWaitLoop' })]))).toBe(true);
  });

  it('sees a pause at the call of Atomics.wait', () => {
    expect(waitsForWork(sample([frame({ function: 'atomicsWaitLoop', source: 'Atomics.wait(sharedBuffer, symbols_1.kRequestCountField, lastSeenRequestCount);' })]))).toBe(true);
  });

  it('takes code that runs, a function of the program named wait, and an empty stack for stalls', () => {
    expect(waitsForWork(sample([frame({ source: 'while (Date.now() < until) h = (h * 31 + 7) % 1000003;' })]))).toBe(false);
    expect(waitsForWork(sample([frame({ function: 'wait', source: 'for (;;) poll();' })]))).toBe(false);
    expect(waitsForWork(sample([]))).toBe(false);
  });
});
