/**
 * The log's records. One NDJSON line each, so every grep match is a whole record.
 */
import type { CaptureLimits } from '../config';
import type { Sample } from '../sample/types';

export const LOG_FORMAT = 1;

export interface StartRecord {
  event: 'start';
  format: number;
  tripod: string;
  node: string;
  script: string;
  argv: string[];
  interval: number;
  timeoutMs: number;
  limits: CaptureLimits;
}

export type SampleRecord = { event: 'sample' } & Sample;

export interface EndInfo {
  exitCode?: number;
  signal?: string;
  /** An uncaught exception or unhandled rejection that ended the process. */
  error?: { origin: string; name: string; message: string };
}

export interface EndRecord extends EndInfo {
  event: 'end';
  samples: number;
}

export type TripodRecord = StartRecord | SampleRecord | EndRecord;
