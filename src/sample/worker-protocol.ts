/**
 * What the main thread and the sampler worker tell each other. The worker never
 * posts to the main thread (that would run JS there); it answers the stop request
 * through a SharedArrayBuffer the main thread waits on.
 */
import type { CaptureLimits } from '../config';
import type { EndInfo } from '../log/records';

export interface SamplerData {
  fd: number;
  intervalMs: number;
  timeoutMs: number;
  limits: CaptureLimits;
  script: string;
  argv: string[];
  version: string;
  /** [0]: set to 1 by the worker once the end record is written. */
  done: SharedArrayBuffer;
}

export interface StopMessage {
  type: 'stop';
  end: EndInfo;
}

export const DONE = 0;
