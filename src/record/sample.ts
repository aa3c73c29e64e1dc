/**
 * The data model's sample: what capture produces and every consumer (the log,
 * show, report) reads — a thread's stack, its frames' variables and values.
 * Imports nothing: everything else of tripod imports downward from here.
 */
import type { InFlight, RunningRequest } from './requests';

/** A captured value: JSON primitives as themselves, everything else tagged with `$type`. */
export type Value = string | number | boolean | null | TaggedValue;

export interface TaggedValue {
  $type: string;
  /** Text form of a primitive JSON cannot hold (bigint, NaN, -0) or of a summarised object (Date, RegExp). */
  value?: string;
  /** Own properties of an object, in order, at most `maxElements`. */
  props?: Record<string, Value>;
  /** Elements of an array-like or a Set, at most `maxElements`. */
  items?: Value[];
  /** Entries of a Map, at most `maxElements`. */
  entries?: Array<[Value, Value]>;
  /** Element count of an array, typed array, Map or Set; own keys of an object too large to list; characters of a long string. */
  length?: number;
  /** How many properties, elements or characters were left out. */
  more?: number;
  /**
   * Why the contents were not read: "depth" (deeper than --depth), "budget" (the
   * sample's 300 objects), "size" (an object of over 1000 keys), "time" or "record"
   * (the sample's read reached its time or size ceiling), "state" (a Promise),
   * "unreadable" (a built-in refused it, e.g. a view of a detached buffer).
   */
  truncated?: string;
  name?: string;
  message?: string;
}

/** The states a sample can be in, in the order reports list them. */
export const SAMPLE_STATES = ['running', 'idle', 'blocked'] as const;
export type SampleState = (typeof SAMPLE_STATES)[number];

export interface Frame {
  function: string;
  /** Script URL as V8 knows it (file:// URL, node:internal/..., or empty for eval code). */
  url: string;
  /** 1-based, as in Node's stack traces. */
  line: number;
  column: number;
  /** The source line's text, trimmed and bounded. */
  source?: string;
  /** Parameters of the function, by name. */
  args?: Record<string, Value>;
  /** Other variables of the function's own and block scopes. */
  locals?: Record<string, Value>;
  /** Variables the function closes over (not globals), but for those of `sharedClosure`. */
  closure?: Record<string, Value>;
  /** Variables of its own scopes left out (each scope lists at most 100). */
  moreLocals?: number;
  /** Variables of `closure`'s scopes left out. */
  moreClosure?: number;
  /** Why some of its variables were not read: "time" or "record" (the sample's ceilings), "proxy" (a `with` on a Proxy). */
  truncated?: string;
  /** Indices into the sample's `sharedScopes`: closure scopes this frame shares with others, innermost first. */
  sharedClosure?: number[];
}

/** A closure scope several frames of one sample share, written once in the sample. */
export interface SharedScope {
  variables: Record<string, Value>;
  /** Variables left out (a scope lists at most 100). */
  more?: number;
  /** Why it was not listed at all: "time", "record" (the sample's ceilings), "proxy". */
  unread?: string;
}

export interface NativeWait {
  /** Kernel function the main thread sleeps in (/proc/<pid>/task/<pid>/wchan). */
  wchan?: string;
  /** The syscall number and arguments it is blocked in (/proc/.../syscall). */
  syscall?: string;
}

/** A sample as captured, before the recording numbers it (stall captures and dumps are never numbered). */
export interface CapturedSample {
  /** Epoch milliseconds when the capture began (pino's own `time` is when the line was written). */
  capturedAt: number;
  state: SampleState;
  /**
   * Main-thread time this sample took, in ms: the probe, then pausing, reading
   * and resuming, measured as round trips from the sampler (an upper bound).
   * Enabling the debugger, which rides on the probe's interrupt, adds about
   * 15 µs per loaded script on top (see BENCHMARKS.md). 0 for idle and blocked samples.
   */
  stoppedMs: number;
  /**
   * Part of stoppedMs: a full garbage collection tripod ran after the read, to
   * free the small scripts its reads had left for every Debugger.enable to
   * replay (they pile up in a program that seldom collects on its own).
   */
  collectedMs?: number;
  /** Wall time the whole capture took, in ms. */
  captureMs: number;
  /** For blocked samples: how long the main thread did not answer, in ms. */
  blockedMs?: number;
  /** Whether the blocked main thread was still blocked when tripod stopped. */
  stillBlocked?: boolean;
  native?: NativeWait;
  /** For idle samples: what the event loop is waiting on. */
  waitingOn?: string[];
  frames: Frame[];
  /** Closure scopes shared by several frames, written once; frames refer to them by index (`sharedClosure`). */
  sharedScopes?: SharedScope[];
  /** Frames left out beyond --max-frames. */
  moreFrames?: number;
  /** Why locals are missing from a sample that has frames. */
  localsSkipped?: string;
  /** Node's "    at fn (file:line:col)" text, one line per frame. */
  stack: string;
  /** The requests in flight, where tripod tracks them (tripod script.js) or could find them (dump, record PID). */
  inFlight?: InFlight;
  /** The server request whose code the sample caught running. */
  request?: RunningRequest;
}

/** A periodic sample as the log holds it: numbered in the order the recording wrote it. */
export interface Sample extends CapturedSample {
  seq: number;
}
