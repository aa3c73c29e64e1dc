/**
 * What the main thread and the sampler worker tell each other. The worker never
 * posts to the main thread (that would run JS there); it answers the stop request
 * through a SharedArrayBuffer the main thread waits on.
 */
import type { CaptureLimits, CrashConfig, ProfileConfig, WatchdogConfig } from '../config';
import type { EndInfo } from '../log/records';
import type { Heartbeat } from '../watchdog/heartbeat';

/** Sent once the worker is started: it may boot while the main thread opens the log. */
export interface SamplerTarget {
  /** The log, open for appending. */
  fd: number;
  /** Its path, to say which log failed. */
  logPath: string;
  script: string;
  argv: string[];
}

export interface SamplerData {
  intervalMs: number;
  timeoutMs: number;
  /** Share of the time periodic samples may stop the main thread to read locals. */
  localsBudget: number;
  limits: CaptureLimits;
  version: string;
  watchdog?: {
    config: WatchdogConfig;
    /** The main thread's heartbeat (see watchdog/heartbeat): a histogram, shared by cloning. */
    heartbeat: Heartbeat;
    periodMs: number;
  };
  crash?: CrashConfig;
  profile?: ProfileConfig;
  /** Int32 slots the worker sets and notifies: DONE, ARMED. */
  control: SharedArrayBuffer;
}

export interface BeginMessage {
  type: 'begin';
  target: SamplerTarget;
}

export interface StopMessage {
  type: 'stop';
  end: EndInfo;
}

export type SamplerMessage = BeginMessage | StopMessage;

/** The end record is written. */
export const DONE = 0;
/** The watchdog watches, crash capture is armed and the profiler runs: the script may start. */
export const ARMED = 1;
export const CONTROL_SLOTS = 2;

export function signal(control: SharedArrayBuffer, slot: number): void {
  const view = new Int32Array(control);
  Atomics.store(view, slot, 1);
  Atomics.notify(view, slot);
}

// Captured when tripod loads: the main thread waits at the program's exit, after the program may have replaced them.
const atomicsWait = Atomics.wait;
const Int32View = Int32Array;

/** Blocks this thread until the worker sets `slot`, or `ms` pass. */
export function waitFor(control: SharedArrayBuffer, slot: number, ms: number): void {
  atomicsWait(new Int32View(control), slot, 0, ms);
}
