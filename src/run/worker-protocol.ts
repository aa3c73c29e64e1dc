/**
 * What the main thread and the sampler worker tell each other. The worker never
 * posts to the main thread (that would run JS there); it answers the stop request
 * through a SharedArrayBuffer the main thread waits on. The stop request itself
 * (how the program ended) goes through shared memory too, not postMessage: it is
 * made at the program's exit, after the program may have replaced MessagePort or
 * JSON, so it uses only built-ins captured when tripod loaded.
 */
import type { CaptureLimits, CrashConfig, ProfileConfig, RequestsConfig, SlowConfig, WatchdogConfig } from '../config';
import type { RecordingHeader } from '../log/header';
import type { EndInfo, RequestsHeader } from '../record/records';
import type { Heartbeat } from '../watchdog/heartbeat';
import type { FollowSettings } from './follow-children';

/** Sent once the worker is started: it may boot while the main thread opens the log. */
export interface SamplerTarget {
  /** The log, open for appending. */
  fd: number;
  /** Its path, to say which log failed. */
  logPath: string;
  script: string;
  argv: string[];
  /** A --children child's parent process, for its start record. */
  ppid?: number;
  /**
   * The top process of a --children run, whose end record counts the processes (and threads) in the log:
   * the log's size before the script ran, where the run's records begin (children may write before this
   * worker reads this message).
   */
  census?: { from: number };
  /** The start record is in the log already: the main thread wrote it at 'begin' (run/unbegun-run.ts). */
  startWritten?: boolean;
  /** --children, in the first process: what its main thread gives its children, to give its worker threads' children too. */
  follow?: FollowSettings;
}

export interface SamplerData {
  intervalMs: number;
  timeoutMs: number;
  /** Share of the time periodic samples may stop the main thread to read locals. */
  localsBudget: number;
  limits: CaptureLimits;
  version: string;
  /** tripod's debug sections on (diagnostics/debug-log), so this thread writes them too. */
  debug?: string;
  watchdog?: {
    config: WatchdogConfig;
    /** The main thread's heartbeat (see watchdog/heartbeat): a histogram, shared by cloning. */
    heartbeat: Heartbeat;
    periodMs: number;
  };
  crash?: CrashConfig;
  profile?: ProfileConfig;
  /** --threads: the program's worker threads are sampled too. */
  threads?: true;
  /** What the start record says of the requests tracked. */
  requests: RequestsHeader;
  /** --slow: the threshold and the slot table the main thread writes (requests/slow-slots.ts). */
  slow?: { config: SlowConfig; ints: SharedArrayBuffer; floats: SharedArrayBuffer; labels: SharedArrayBuffer };
  /** Int32 slots: DONE and ARMED the worker sets and notifies, STOP and END_LENGTH the main thread does; RUN by whichever takes the run first. */
  control: SharedArrayBuffer;
  /** The end, as JSON bytes, written by the main thread before it sets STOP. */
  endBuffer: SharedArrayBuffer;
}

/** What the start record says of the requests tracked. */
export function requestsHeaderOf(requests: RequestsConfig): RequestsHeader {
  const { slow } = requests;
  return { ...(slow ? { slowMs: slow.thresholdMs, repeatMs: slow.repeatMs } : {}), keepQuery: requests.keepQuery, running: requests.running, ...(requests.asyncStacks ? { asyncStacks: true } : {}) };
}

export interface BeginMessage {
  type: 'begin';
  target: SamplerTarget;
}

export type SamplerMessage = BeginMessage;

/** The end record is written. */
export const DONE = 0;
/** The watchdog watches, crash capture is armed and the profiler runs: the script may start. */
export const ARMED = 1;
/** The program ended: the end is in the end buffer, its length in END_LENGTH. */
export const STOP = 2;
export const END_LENGTH = 3;
/**
 * Who writes the run's records: the worker, once it reads 'begin' (WORKER_RUN), or the main thread,
 * when the program ended before the worker took it (MAIN_RUN: a short script need not wait for the
 * worker's boot). The one that swaps it from 0 writes them all.
 */
export const RUN = 4;
export const WORKER_RUN = 1;
export const MAIN_RUN = 2;
export const CONTROL_SLOTS = 5;
/** Room for the end as JSON: its error's name and message are cut at 1,000 characters each. */
export const END_BUFFER_BYTES = 16 * 1024;

/** The start record's content, from what the main thread handed the worker: the worker's and the main thread's alike. */
export function runHeader(data: SamplerData, target: SamplerTarget): RecordingHeader {
  return {
    tripod: data.version,
    node: process.version,
    script: target.script,
    argv: target.argv,
    ppid: target.ppid,
    intervalMs: data.intervalMs,
    timeoutMs: data.timeoutMs,
    localsBudget: data.localsBudget,
    limits: data.limits,
    watchdog: data.watchdog?.config,
    crash: data.crash,
    profile: data.profile,
    requests: data.requests,
  };
}

// Captured when tripod loads: the main thread takes the run at the program's exit.
const compareExchange = Atomics.compareExchange;

/** Whether `by` took the run (RUN was still 0): then it alone writes the run's records. */
export function takeRun(control: Int32Array, by: typeof WORKER_RUN | typeof MAIN_RUN): boolean {
  return compareExchange(control, RUN, 0, by) === 0;
}

export function signal(control: SharedArrayBuffer, slot: number): void {
  const view = new Int32Array(control);
  Atomics.store(view, slot, 1);
  Atomics.notify(view, slot);
}

// Captured when tripod loads, for the main thread's side of the exit.
const stringify = JSON.stringify;
const encoder = new TextEncoder();
const encodeInto = encoder.encodeInto;
const { apply } = Reflect;
const atomicsStore = Atomics.store;
const atomicsNotify = Atomics.notify;

/** The main thread's half: say how the program ended. `view`/`bytes` are made before the program runs. */
export function requestStop(control: Int32Array, endBuffer: Uint8Array, end: EndInfo): void {
  let json = stringify(end);
  // Only an error's text can be long; without it the end still fits.
  if (json.length * 3 > endBuffer.length) json = stringify({ ...end, error: undefined });
  const { written } = apply(encodeInto, encoder, [json, endBuffer]) as { written: number };
  atomicsStore(control, END_LENGTH, written);
  atomicsStore(control, STOP, 1);
  atomicsNotify(control, STOP);
}

/** Atomics.waitAsync (Node 16+), which TypeScript's ES2022 lib does not declare. */
interface AtomicsWithWaitAsync {
  waitAsync(view: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

/** The worker's half: resolves with the end once the main thread asked to stop. */
export async function stopRequested(control: SharedArrayBuffer, endBuffer: SharedArrayBuffer): Promise<EndInfo> {
  const view = new Int32Array(control);
  const wait = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(view, STOP, 0);
  if (wait.async) await wait.value;
  const length = Atomics.load(view, END_LENGTH);
  // TextDecoder does not read shared memory: copy the bytes out first.
  const bytes = new Uint8Array(length);
  bytes.set(new Uint8Array(endBuffer, 0, length));
  return JSON.parse(new TextDecoder().decode(bytes)) as EndInfo;
}

// Captured when tripod loads: the main thread waits at the program's exit, after the program may have replaced them.
const atomicsWait = Atomics.wait;
const Int32View = Int32Array;

/** Blocks this thread until the worker sets `slot`, or `ms` pass. */
export function waitFor(control: SharedArrayBuffer, slot: number, ms: number): void {
  atomicsWait(new Int32View(control), slot, 0, ms);
}
