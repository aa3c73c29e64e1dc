/**
 * The log's records, one NDJSON line each so every grep match is a whole record.
 * The header fields are the log's own (LimitsHeader, WatchdogHeader, ...): the
 * options that produce them live elsewhere and are copied in field by field, so
 * changing an option's shape never silently changes the log.
 */
import type { InFlight, OutboundRequest, RunningRequest, ServerRequest } from './requests';
import type { CapturedSample, Frame, Sample, SampleState } from './sample';

export const LOG_FORMAT = 1;

/** The `event` of every record kind, as the log writes them. */
export const RECORD_EVENTS = ['start', 'sample', 'stall', 'stall-end', 'crash', 'profile', 'end', 'dump', 'control', 'slow', 'slow-end'] as const;

/** The bounds and redaction the captures of a log were taken with. */
export interface LimitsHeader {
  /** Object nesting read below a variable (0 = type only). */
  depth: number;
  /** Properties or elements kept per container. */
  maxElements: number;
  /** Characters kept per string. */
  maxString: number;
  /** Frames kept per sample; deeper stacks are sampled without locals. */
  maxFrames: number;
  /** Whether arguments and local variables were read at all. */
  locals: boolean;
  /** Variable and property names whose values were never written. */
  redactKeys: string[];
}

/** The watchdog a log was recorded with (--watchdog, --watchdog-repeat). */
export interface WatchdogHeader {
  /** A main thread away from the event loop this long is a stall. */
  thresholdMs: number;
  /** While a stall lasts, it was captured again this often (0: once). */
  repeatMs: number;
}

/** Crash capture a log was recorded with (--crash, --on-rejection). */
export interface CrashHeader {
  /** Promise rejections that nothing handles were captured too. */
  rejections: boolean;
}

/** The CPU profiler a log was recorded with (--profile, --rate). */
export interface ProfileHeader {
  /** Stack samples per second taken by V8's CPU profiler. */
  rateHz: number;
}

/** What a stall record says about the stall it captured. */
export interface StallNotice {
  stallId: number;
  /** 0 for the first capture of a stall, then 1, 2, ... with --watchdog-repeat. */
  repeat: number;
  /** Time since the event loop last ran, in ms (within one heartbeat period). */
  stalledMs: number;
}

/** What a stall-end record says about the stall that ended. */
export interface StallEnd {
  stallId: number;
  /** How long the event loop was away, in ms (within one heartbeat period). */
  durationMs: number;
  captures: number;
}

/** The requests a log was recorded with (--slow, --slow-repeat, --keep-query). */
export interface RequestsHeader {
  /** A request in flight this long was logged as slow; absent: no slow requests were looked for. */
  slowMs?: number;
  /** While it stayed in flight, it was logged again this often (0: once). */
  repeatMs?: number;
  /** Query strings were kept in paths. */
  keepQuery?: boolean;
  /** Samples name the request whose code they caught running. */
  running: boolean;
  /** --async-stacks: idle samples list the async functions each server request is suspended in. */
  asyncStacks?: boolean;
}

/**
 * A request in flight past --slow: the request, what it waits on (its outbound
 * requests, timers), and the main thread's capture at that moment.
 */
export type SlowRecord = { event: 'slow' } & CapturedSample & {
  /** Its id, and what it was when it came in. */
  slow: ServerRequest;
  /** 0 for the first record of a request, then 1, 2, ... with --slow-repeat. */
  repeat: number;
  /** Its outbound requests still in flight, oldest first. */
  waitingOnRequests: OutboundRequest[];
  /** Timers the process holds (Timeout), as a count. */
  timers?: number;
};

/** A slow request ended: how long it took and how it was answered. */
export interface SlowEndRecord {
  event: 'slow-end';
  slow: ServerRequest;
  /** From when it came in to when its response finished (or it was aborted). */
  durationMs: number;
  /** The response's status code; absent when it ended without one (aborted). */
  status?: number;
  /** The client went away before a response was finished. */
  aborted?: boolean;
}

export interface StartRecord {
  event: 'start';
  format: number;
  tripod: string;
  node: string;
  script: string;
  argv: string[];
  /** The parent process, on the start record of a child process (--children) or a followed one (record --children). */
  ppid?: number;
  interval: number;
  timeoutMs: number;
  /** Share of the time periodic samples may stop a thread to read locals (--locals-budget, as a fraction). */
  localsBudget?: number;
  limits: LimitsHeader;
  watchdog?: WatchdogHeader;
  crash?: CrashHeader;
  /** Set when tripod attached to a running process (`tripod record PID`) instead of running the script. */
  attached?: AttachedInfo;
  profile?: ProfileHeader;
  requests?: RequestsHeader;
}

export interface AttachedInfo {
  pid: number;
  /** How tripod reached it: an inspector already open, one opened with SIGUSR1, or the preload agent. */
  via: 'inspector' | 'signal' | 'agent';
  /** Seconds the recording was asked to last; absent: until stopped. */
  duration?: number;
}

/** Which thread a capture or a profile is of, on a worker's records; absent on the main thread's. */
export interface ThreadTag {
  threadId: number;
  threadName: string;
  threadUrl?: string;
}

export type ThreadCapture = ThreadTag & CapturedSample;

export type SampleRecord = { event: 'sample' } & Sample & Partial<ThreadTag>;

/** `tripod dump PID --json`: every JS thread of a running process, captured once. */
export interface DumpRecord {
  event: 'dump';
  format: number;
  tripod: string;
  node?: string;
  script: string;
  argv: string[];
  /** The parent process, on the dump of a child (dump --children). */
  ppid?: number;
  attached: AttachedInfo;
  timeoutMs: number;
  limits: LimitsHeader;
  /** Main thread first. */
  threads: ThreadCapture[];
  /** Workers could not be listed: the main thread, which reports them, did not answer. */
  workersUnknown?: boolean;
}

/**
 * A capture taken while the event loop is stalled; `seq` is not counted for stalls. A worker's (--threads)
 * carries its ThreadTag, and its stallId counts that thread's stalls.
 */
export type StallRecord = { event: 'stall' } & StallNotice & CapturedSample & Partial<ThreadTag>;

export type StallEndRecord = { event: 'stall-end' } & StallEnd & Partial<ThreadTag> & {
  /** For a stall in native code: the JS frames that made the call, seen when it returned. */
  frames?: Frame[];
  stack?: string;
  /** The process (or, on a worker's, the worker) ended while the loop was still away. */
  atExit?: boolean;
};

/** The stack and locals at the throw of an exception (or rejection) that nothing catches. */
export interface CrashRecord {
  event: 'crash';
  origin: 'exception' | 'rejection';
  error: { name: string; message: string };
  frames: Frame[];
  stack: string;
  /** What was in flight at the throw (tripod's table, as a sample has it); absent while nothing was. */
  inFlight?: InFlight;
  /** The server request whose code threw, when known (as a sample's `request`). */
  request?: RunningRequest;
}

/**
 * A frame of a profile batch: the function's name, where it is (`path:line:col`,
 * the original source when a source map says so; "" for V8's own and native
 * frames), and, when a source map moved it, where it is in the generated code.
 */
export type ProfileFrame = [name: string, location: string, generated?: string];

/**
 * One window (at most a second) of V8 CPU profiler samples, as a table of the
 * distinct stacks seen and how often. `stacks[i]` lists frame indices top first;
 * `states[i]` and `counts[i]` go with it. A worker thread's (--threads) carry
 * its tag; the main thread's none.
 */
export interface ProfileRecord extends Partial<ThreadTag> {
  event: 'profile';
  seq: number;
  /** Epoch ms of the window's first and last sample. */
  from: number;
  to: number;
  rateHz: number;
  samples: number;
  frames: ProfileFrame[];
  stacks: number[][];
  states: SampleState[];
  counts: number[];
}

export interface EndInfo {
  exitCode?: number;
  signal?: string;
  /** An uncaught exception or unhandled rejection that ended the process. */
  error?: { origin: string; name: string; message: string };
}

export interface EndRecord extends EndInfo {
  event: 'end';
  samples: number;
  /** For `tripod record PID`: why recording stopped while the target ran on (or that it exited). */
  detached?: 'duration' | 'interrupted' | 'target exited' | 'connection lost';
  /** Stack samples written in profile records (with --profile). */
  profileSamples?: number;
  /** On the parent's end record (--children, record --children): the processes seen, itself included. */
  processes?: number;
  /** On the parent's end record: the threads seen in all of them, main threads included. */
  threads?: number;
}

/** A change `tripod flags` made in the running program: a flag, a pino logger's level, debug's namespaces. */
export interface ControlRecord {
  event: 'control';
  /** What was changed: "flag", "pino", "debug". */
  kind: string;
  /** The flag's name, or the logger changed (`pino{module:"db"}`, `debug`); not `name`, which log viewers take for the logger's. */
  control: string;
  old: string | number | boolean;
  new: string | number | boolean;
  /** The module that registered the flag, or the logger package's folder. */
  module?: string;
  /** What the program's code (a flag's onChange) threw on the change; the value stayed set. */
  errors?: string[];
  by: string;
}

export type TripodRecord =
  | StartRecord
  | SampleRecord
  | StallRecord
  | StallEndRecord
  | CrashRecord
  | ProfileRecord
  | EndRecord
  | DumpRecord
  | SlowRecord
  | SlowEndRecord
  | ControlRecord;
