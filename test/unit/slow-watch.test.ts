// --slow's scheduling on the sampler worker's side (requests/slow-watch.ts) over a real slot table: which
// records a request gets when captures queue behind each other and the program ends meanwhile. The captures
// are the watch's input here, handed out by the test; the capturer itself is tested on real processes.
import { describe, expect, it } from 'vitest';
import type { Capturer } from '../../src/capture/capturer';
import type { SlowConfig } from '../../src/config';
import type { CapturedSample } from '../../src/record/sample';
import type { RecordSink } from '../../src/record/sink';
import { endSlot, newSlotBuffers, slotViews, takeSlot } from '../../src/requests/slow-slots';
import { SlowWatch } from '../../src/requests/slow-watch';

const sample = (): CapturedSample => ({ capturedAt: Date.now(), state: 'running', stoppedMs: 1, captureMs: 1, frames: [], stack: '' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A capturer whose first capture waits until `release()`; every later one answers at once. */
function heldCapturer() {
  let release!: () => void;
  const first = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  const capturer = { capture: async () => (calls++ === 0 ? first.then(() => ({ kind: 'sample', sample: sample() })) : { kind: 'sample', sample: sample() }) };
  return { capturer: capturer as unknown as Capturer, release, calls: () => calls };
}

function recordingSink() {
  const slow: string[] = [];
  const ends: Array<{ path: string; status?: number }> = [];
  const sink = {
    slow: (record: { slow: { path: string } }) => slow.push(record.slow.path),
    slowEnd: (record: { slow: { path: string }; status?: number }) => ends.push({ path: record.slow.path, status: record.status }),
  };
  return { sink: sink as unknown as RecordSink, slow, ends };
}

describe('SlowWatch', () => {
  it('writes the end of a request that ended while its slow record waited behind another capture, when the run stops', async () => {
    const slots = slotViews(newSlotBuffers());
    const cursor = { next: 0 };
    const { capturer, release, calls } = heldCapturer();
    const { sink, slow, ends } = recordingSink();
    const watch = new SlowWatch(slots, { thresholdMs: 30, repeatMs: 0 } satisfies SlowConfig, capturer, sink);
    takeSlot(slots, cursor, 1, Date.now() - 100, 'GET /first');
    const second = takeSlot(slots, cursor, 2, Date.now(), 'GET /second');
    watch.start();
    // /first is slow at once, and its capture is held; /second turns slow behind it, then ends.
    await sleep(120);
    expect(calls()).toBe(1);
    endSlot(slots, second, Date.now(), 200);
    const stopped = watch.stop();
    release();
    await stopped;
    expect(slow.sort()).toEqual(['/first', '/second']);
    expect(ends).toEqual([{ path: '/second', status: 200 }]);
  });

  it('stops while a request is still in flight, though each capture outlasts --slow-repeat (it came due again every pass)', async () => {
    const slots = slotViews(newSlotBuffers());
    let calls = 0;
    const capturer = { capture: async () => (calls++, await sleep(25), { kind: 'sample', sample: sample() }) } as unknown as Capturer;
    const { sink, slow, ends } = recordingSink();
    const watch = new SlowWatch(slots, { thresholdMs: 30, repeatMs: 10 } satisfies SlowConfig, capturer, sink);
    takeSlot(slots, { next: 0 }, 1, Date.now() - 100, 'GET /stuck');
    watch.start();
    await sleep(60);
    const outcome = await Promise.race([watch.stop().then(() => 'stopped'), sleep(3000).then(() => 'still scanning')]);
    expect(outcome).toBe('stopped');
    const written = slow.length;
    await sleep(100);
    expect(slow.length).toBe(written);
    expect(calls).toBe(written);
    expect(ends).toEqual([]);
  });
});
