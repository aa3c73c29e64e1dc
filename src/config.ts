/**
 * The typed configuration each command runs with. The options that make it (flags
 * and TRIPOD_* variables, their kinds, ranges and defaults) are one table in
 * src/options/, which parses them into these shapes.
 */
import type { ReportFormat, ReportGrouping } from './report/formats/format-names';
import type { SampleState } from './record/sample';

export type { ReportFormat, ReportGrouping } from './report/formats/format-names';

/** A --since/--until bound: a moment, or an offset from the first record read. */
export type TimeBound = { epochMs: number } | { offsetMs: number };

export interface CaptureLimits {
  /** Object nesting read below a variable (0 = type only). */
  depth: number;
  /** Properties or elements kept per container. */
  maxElements: number;
  /** Characters kept per string. */
  maxString: number;
  /** Frames kept per sample; deeper stacks are sampled without locals. */
  maxFrames: number;
  /** Whether arguments and local variables are read at all. */
  locals: boolean;
  /** Variable and property names whose values are never written. */
  redactKeys: string[];
}

export interface WatchdogConfig {
  /** A main thread away from the event loop this long is a stall. */
  thresholdMs: number;
  /** While a stall lasts, capture it again this often (0: once). */
  repeatMs: number;
}

export interface CrashConfig {
  /** Also capture promise rejections that nothing handles. */
  rejections: boolean;
}

export interface ProfileConfig {
  /** Stack samples per second taken by V8's CPU profiler. */
  rateHz: number;
}

/** The requests in flight: --slow, --slow-repeat, --keep-query, --requests, --async-stacks. */
export interface RequestsConfig {
  keepQuery: boolean;
  /** Samples name the request whose code runs (AsyncLocalStorage). */
  running: boolean;
  /** --async-stacks: each server request in flight lists the async functions it is suspended in (implies `running`). */
  asyncStacks?: boolean;
  slow?: SlowConfig;
}

export interface SlowConfig {
  /** A server request in flight this long is logged as slow. */
  thresholdMs: number;
  /** While it stays in flight it is logged again this often; 0: once. */
  repeatMs: number;
}

export interface RunConfig {
  script: string;
  scriptArgs: string[];
  /** Seconds between samples; 0 turns periodic sampling off. */
  interval: number;
  watchdog?: WatchdogConfig;
  crash?: CrashConfig;
  profile?: ProfileConfig;
  /** --threads: every worker_threads Worker is sampled too, on the main thread's schedule. */
  threads?: boolean;
  requests: RequestsConfig;
  /** --children: every Node.js child process, at any depth, runs under tripod too and writes to the same log. */
  children?: boolean;
  /** --monitor: the preload agent listens from the start (no port for tripod monitor/dump/record PID). */
  monitor?: boolean;
  /** Milliseconds a capture may wait for the main thread. */
  timeoutMs: number;
  /** Share of the time periodic samples may stop the main thread to read locals (0.01 = 1%). */
  localsBudget: number;
  /** Log file to append to; a fresh temp file when absent. */
  logPath?: string;
  limits: CaptureLimits;
  quiet: boolean;
  debug: boolean;
  /** --flag NAME=VALUE / TRIPOD_FLAGS: values for tripod/flags flags, taken as they register. */
  flags?: Record<string, string>;
}

/** The filters `tripod show` and `tripod report` share. */
export interface LogFilters {
  since?: TimeBound;
  until?: TimeBound;
  /** Only samples in these states. */
  states?: SampleState[];
  /** Only stacks with a frame ("name location") that matches. */
  grep?: RegExp;
  /** Only records of this process (report/record-origin.ts says which a record is of). */
  pid?: number;
  /** Only records of this thread (its threadId; 0 is the main thread). */
  thread?: number;
}

export interface ShowConfig extends LogFilters {
  logPath?: string;
  /** Only records of these events (start, sample, stall, …). */
  events?: string[];
  /** The newest tripod log in $TMPDIR rather than LOG or standard input. */
  last: boolean;
  color: boolean;
  debug: boolean;
}

export interface ReportConfig extends LogFilters {
  logPath?: string;
  format: ReportFormat;
  /** File to write; standard output when absent. */
  output?: string;
  /** Rows of the table. */
  limit: number;
  /** svg: frames narrower than this many pixels are merged into their parent. */
  minWidth?: number;
  /** One table section, or flame graph root, per process, thread or route; absent: one for the whole log. */
  by?: ReportGrouping;
  debug: boolean;
}

export interface LogsConfig {
  /** Remove the temp logs older than this many days. */
  cleanDays?: number;
}

export interface AttachConfig {
  pid: number;
  /** Milliseconds a capture waits for a thread before calling it blocked. */
  timeoutMs: number;
  limits: CaptureLimits;
  /** --children: the Node processes below the target too. */
  children: boolean;
  debug: boolean;
}

export interface DumpConfig extends AttachConfig {
  json: boolean;
  /** No timing line on stderr. */
  quiet: boolean;
  /** --requests: a process tripod did not start has its server requests in flight looked for in its heap. */
  requests: boolean;
}

export interface RecordConfig extends AttachConfig {
  /** Seconds between samples. */
  interval: number;
  /** Share of the time samples may stop the target's threads to read locals (0.01 = 1%). */
  localsBudget: number;
  /** Seconds to record; undefined: until Ctrl-C or the target exits. */
  duration?: number;
  logPath?: string;
  quiet: boolean;
  /** --requests: a process tripod did not start has its server requests in flight read from its open sockets at each sample. */
  requests: boolean;
}

/** `tripod flags PID`: what to list or change in a running process. */
export interface FlagsConfig {
  pid: number;
  timeoutMs: number;
  /** --ls: list; a glob narrows the flags listed. */
  list?: { glob?: string };
  /** --set NAME=VALUE, in order. */
  sets: string[];
  /** --clear: the names given, or all that tripod changed (an empty list). */
  clear?: string[];
  /** --debug PATTERNS (debug namespaces). */
  debugNamespaces?: string;
  /** --deep: pino's loggers by the heap walk. */
  deep: boolean;
  quiet: boolean;
  debug: boolean;
}

/** `tripod monitor PID`: the console's settings. */
export interface MonitorConfig {
  pid: number;
  /** Milliseconds a command waits for the thread it reads. */
  timeoutMs: number;
  /** Bounds of what mainwhoall and whoall read (locals is set per command). */
  limits: CaptureLimits;
  /** -e commands, run in order before the console quits; empty: the terminal or stdin. */
  execute: string[];
  json: boolean;
  /** Refuse the commands that run the program's code. */
  readOnly: boolean;
  /** Milliseconds an eval or exec may run in the program. */
  evalTimeoutMs: number;
  /** File every command is appended to, with its time. */
  auditPath?: string;
  debug: boolean;
}
