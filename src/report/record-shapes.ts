/**
 * The shape each record kind must have before show and report use it (the types
 * in src/log/records.ts, checked at run time): a log is anyone's file, and a
 * field of the wrong type must make its record a bad line, not an internal error.
 * Only what the renderers and the report read is checked; extra fields are free.
 */
import { SAMPLE_STATES } from '../record/sample';

type Check = (value: unknown) => boolean;

const string: Check = (v) => typeof v === 'string';
const number: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const boolean: Check = (v) => typeof v === 'boolean';
const count: Check = (v) => Number.isInteger(v) && (v as number) >= 0;

function optional(check: Check): Check {
  return (v) => v === undefined || check(v);
}

function oneOf(...allowed: unknown[]): Check {
  return (v) => allowed.includes(v);
}

function arrayOf(check: Check): Check {
  return (v) => Array.isArray(v) && v.every(check);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shape(fields: Record<string, Check>): Check {
  return (v) => isObject(v) && Object.entries(fields).every(([name, check]) => check(v[name]));
}

function recordOf(check: Check): Check {
  return (v) => isObject(v) && Object.values(v).every(check);
}

const state = oneOf(...SAMPLE_STATES);

/** A captured value (src/record/sample.ts Value): a JSON primitive, or tagged with `$type`. */
const value: Check = (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v) || taggedValue(v);

const taggedValue: Check = shape({
  $type: string,
  value: optional(string),
  props: optional(recordOf((v) => value(v))),
  items: optional(arrayOf((v) => value(v))),
  entries: optional(arrayOf((v) => Array.isArray(v) && v.length === 2 && value(v[0]) && value(v[1]))),
  length: optional(number),
  more: optional(number),
  truncated: optional(string),
  name: optional(string),
  message: optional(string),
});

const variables = optional(recordOf(value));

const frame = shape({
  function: string,
  url: string,
  line: number,
  column: number,
  source: optional(string),
  args: variables,
  locals: variables,
  closure: variables,
  moreLocals: optional(count),
  moreClosure: optional(count),
  truncated: optional(string),
  sharedClosure: optional(arrayOf(count)),
});

/** A closure scope several frames of a sample share, written once (frames refer to it by index). */
const sharedScope = shape({ variables, more: optional(count), unread: optional(string) });

const awaitFrame = shape({ function: string, url: string, line: number, column: number, index: optional(count) });
const serverRequest = shape({ id: number, method: string, path: string, ageMs: number, awaiting: optional(arrayOf(awaitFrame)) });
const outboundRequest = shape({ id: number, method: string, origin: string, path: string, ageMs: number, parent: optional(number) });
const inFlight = shape({
  server: arrayOf(serverRequest),
  serverTotal: count,
  outbound: arrayOf(outboundRequest),
  outboundTotal: count,
  pending: optional(recordOf(count)),
  source: optional(oneOf('heap', 'sockets')),
});

/** The fields of a sample that its renderer and the report read (seq aside: stalls and dumps have none). */
const capture = {
  state,
  stoppedMs: number,
  capturedAt: optional(number),
  blockedMs: optional(number),
  stillBlocked: optional(boolean),
  native: optional(shape({ wchan: optional(string), syscall: optional(string) })),
  waitingOn: optional(arrayOf(string)),
  frames: arrayOf(frame),
  moreFrames: optional(number),
  sharedScopes: optional(arrayOf(sharedScope)),
  localsSkipped: optional(string),
  stack: optional(string),
  threadId: optional(number),
  threadName: optional(string),
  threadUrl: optional(string),
  inFlight: optional(inFlight),
  request: optional(serverRequest),
};

const attached = shape({ pid: number, via: oneOf('inspector', 'signal', 'agent'), duration: optional(number) });

const profileFrame: Check = (v) => Array.isArray(v) && v.length >= 2 && v.length <= 3 && string(v[0]) && string(v[1]) && optional(string)(v[2]);

/**
 * Samples one profile record may hold: a window is at most a second, at most
 * 1000 Hz; ten times that is room enough. Formats replay samples one by one, so
 * a count of 1e308 must not reach them.
 */
const MOST_PROFILE_SAMPLES = 10_000;

/** A profile's tables must agree: a stack per state and count, each naming frames the record has, the counts adding up to `samples`. */
const profileTables: Check = (v) => {
  const r = v as { frames: unknown[]; stacks: number[][]; states: unknown[]; counts: number[]; samples: number };
  const inFrames = (i: number) => Number.isInteger(i) && i >= 0 && i < r.frames.length;
  const total = r.counts.reduce((sum, n) => sum + n, 0);
  return (
    r.states.length === r.stacks.length &&
    r.counts.length === r.stacks.length &&
    r.stacks.every((stack) => stack.every(inFrames)) &&
    total === r.samples &&
    r.samples <= MOST_PROFILE_SAMPLES
  );
};

const SHAPES: Record<string, Check[]> = {
  start: [
    shape({
      tripod: string,
      node: optional(string),
      script: optional(string),
      argv: arrayOf(string),
      interval: number,
      profile: optional(shape({ rateHz: number })),
      watchdog: optional(shape({ thresholdMs: number })),
      attached: optional(attached),
      ppid: optional(number),
    }),
  ],
  end: [
    shape({
      samples: number,
      processes: optional(count),
      threads: optional(count),
      exitCode: optional(number),
      signal: optional(string),
      detached: optional(string),
      profileSamples: optional(number),
      error: optional(shape({ origin: optional(string), name: string, message: string })),
    }),
  ],
  sample: [shape({ seq: number, ...capture })],
  stall: [shape({ stallId: number, repeat: count, stalledMs: number, ...capture })],
  'stall-end': [shape({ stallId: number, durationMs: number, captures: count, atExit: optional(boolean), frames: optional(arrayOf(frame)), stack: optional(string) })],
  crash: [shape({ origin: string, error: shape({ name: string, message: string }), frames: arrayOf(frame), stack: optional(string), inFlight: optional(inFlight), request: optional(serverRequest) })],
  profile: [
    shape({
      seq: number,
      from: number,
      to: number,
      rateHz: (v) => number(v) && (v as number) > 0,
      samples: (v) => number(v) && (v as number) > 0,
      frames: arrayOf(profileFrame),
      stacks: arrayOf(arrayOf(number)),
      states: arrayOf(state),
      counts: arrayOf(count),
      threadId: optional(number),
      threadName: optional(string),
      threadUrl: optional(string),
    }),
    profileTables,
  ],
  control: [shape({ kind: string, control: string, by: string, module: optional(string), errors: optional(arrayOf(string)) })],
  slow: [shape({ slow: serverRequest, repeat: count, waitingOnRequests: arrayOf(outboundRequest), timers: optional(count), ...capture })],
  'slow-end': [shape({ slow: serverRequest, durationMs: number, status: optional(number), aborted: optional(boolean) })],
  dump: [shape({ tripod: optional(string), node: optional(string), argv: arrayOf(string), ppid: optional(number), attached, threads: arrayOf(shape(capture)), workersUnknown: optional(boolean) })],
};

/** Fields pino writes on every line, which show prints (pino-pretty knows pino's own levels only). */
const common = shape({ time: optional((v) => number(v) || string(v)), level: optional(oneOf(10, 20, 30, 40, 50, 60)), pid: optional(number) });

/**
 * Whether a record of a kind tripod writes has the fields show and report use,
 * of the right types. Records of other kinds pass (they are shown as JSON).
 */
export function isWellFormed(record: Record<string, unknown>): boolean {
  const checks = Object.hasOwn(SHAPES, record.event as string) ? SHAPES[record.event as string] : undefined;
  try {
    return common(record) && (!checks || checks.every((check) => check(record)));
  } catch {
    // Nesting deep enough to exhaust the stack is no record tripod wrote.
    return false;
  }
}
