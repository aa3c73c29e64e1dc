/**
 * The main thread's heartbeat: Node's event-loop delay monitor
 * (perf_hooks.monitorEventLoopDelay), a libuv timer whose callback is C++ and
 * counts each time the event loop runs its timers into a histogram. It runs no JS
 * on the main thread, so the program's event loop is the same to the program: no
 * extra timer in its timer lists, which would change where its microtasks drain
 * (and so the stacks it prints), nothing in getActiveResourcesInfo(), nothing that
 * keeps it alive. The worker reads the same histogram (a clone shares it).
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** What the worker holds: the histogram's count, which grows by one at each beat. */
export interface Heartbeat {
  readonly count: number;
}

/** Held for the life of the process: a monitor that is garbage-collected stops beating, which would look like a stall. */
const running: IntervalHistogram[] = [];

/** Often enough that a stall is seen within a tenth of the threshold, but never busier than every 5 ms. */
export function heartbeatPeriodMs(thresholdMs: number): number {
  return Math.min(50, Math.max(5, Math.round(thresholdMs / 10)));
}

export function startHeartbeat(periodMs: number): Heartbeat {
  const monitor = monitorEventLoopDelay({ resolution: periodMs });
  monitor.enable();
  running.push(monitor);
  return monitor;
}
