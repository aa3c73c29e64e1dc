/**
 * The main thread's heartbeat: an unref'd timer that stamps the time into a
 * SharedArrayBuffer each time the event loop runs timers. It is the only work
 * the watchdog adds to the target; the worker reads the stamp without asking.
 */

/** [0]: the last beat, in ms on the shared clock. */
export const LAST_BEAT = 0;

/** Often enough that a stall is seen within a tenth of the threshold, but never busier than every 5 ms. */
export function heartbeatPeriodMs(thresholdMs: number): number {
  return Math.min(50, Math.max(5, Math.round(thresholdMs / 10)));
}

/** Milliseconds since `base`, on a clock both threads share (performance.now() is per thread). */
export function sharedClock(base: number): number {
  return Math.round(performance.timeOrigin + performance.now() - base);
}

export function startHeartbeat(buffer: SharedArrayBuffer, periodMs: number, base: number): void {
  const beats = new Int32Array(buffer);
  const beat = () => Atomics.store(beats, LAST_BEAT, sharedClock(base));
  beat();
  setInterval(beat, periodMs).unref();
}
