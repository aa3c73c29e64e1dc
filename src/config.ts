/**
 * The one home of configuration: TRIPOD_* environment variables and command-line
 * flags are parsed and validated here, once, into typed objects.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from './errors';
import type { SampleState } from './sample/types';

export const DEFAULT_REDACT_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'authorization',
  'cookie',
  'api_key',
  'apikey',
  'private_key',
  'pwd',
  'auth',
  'jwt',
  'bearer',
  'credential',
  'passphrase',
];

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

export interface RunConfig {
  script: string;
  scriptArgs: string[];
  /** Seconds between samples; 0 turns periodic sampling off. */
  interval: number;
  watchdog?: WatchdogConfig;
  crash?: CrashConfig;
  profile?: ProfileConfig;
  /** Milliseconds a capture may wait for the main thread. */
  timeoutMs: number;
  /** Share of the time periodic samples may stop the main thread to read locals (0.01 = 1%). */
  localsBudget: number;
  /** Log file to append to; a fresh temp file when absent. */
  logPath?: string;
  limits: CaptureLimits;
  quiet: boolean;
  debug: boolean;
}

export interface ShowConfig {
  logPath?: string;
  color: boolean;
  debug: boolean;
}

export const REPORT_FORMATS = ['table', 'svg', 'speedscope', 'cpuprofile', 'pprof', 'collapsed'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
const SAMPLE_STATES: SampleState[] = ['running', 'idle', 'blocked'];

/** A --since/--until bound: a moment, or an offset from the first record read. */
export type TimeBound = { epochMs: number } | { offsetMs: number };

export interface ReportConfig {
  logPath?: string;
  format: ReportFormat;
  /** File to write; standard output when absent. */
  output?: string;
  since?: TimeBound;
  until?: TimeBound;
  /** Only samples in these states. */
  states?: SampleState[];
  /** Only stacks with a frame ("name location") that matches. */
  grep?: RegExp;
  /** Rows of the table. */
  limit: number;
  debug: boolean;
}

type Env = Record<string, string | undefined>;

/** The bounds and redaction of locals, shared by every command that reads them. */
const LIMIT_OPTIONS = {
  depth: { type: 'string' },
  'max-elements': { type: 'string' },
  maxel: { type: 'string' },
  'max-string': { type: 'string' },
  'max-frames': { type: 'string' },
  redact: { type: 'string' },
} as const;

/** Options of `tripod [options] script`: the table both the splitter and parseArgs read. */
const RUN_OPTIONS = {
  ...LIMIT_OPTIONS,
  interval: { type: 'string' },
  'locals-budget': { type: 'string' },
  timeout: { type: 'string' },
  log: { type: 'string' },
  'no-locals': { type: 'boolean' },
  watchdog: { type: 'string' },
  'watchdog-repeat': { type: 'string' },
  crash: { type: 'boolean' },
  'on-rejection': { type: 'boolean' },
  profile: { type: 'boolean' },
  rate: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  'agent-path': { type: 'boolean' },
} as const;

export function isDebug(argv: string[], env: Env): boolean {
  return env.TRIPOD_DEBUG === '1' || argv.includes('--debug');
}

/**
 * Splits `[tripod options] script [script args]`: tripod's options end at the
 * first word that is not an option (or at `--`); everything after is the script's.
 */
export function splitRunArgv(argv: string[]): { own: string[]; script?: string; scriptArgs: string[] } {
  const own: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return { own, script: argv[i + 1], scriptArgs: argv.slice(i + 2) };
    if (!arg.startsWith('-') || arg === '-') return { own, script: arg, scriptArgs: argv.slice(i + 1) };
    own.push(arg);
    if (takesValue(arg) && !arg.includes('=') && i + 1 < argv.length) own.push(argv[++i]);
  }
  return { own, scriptArgs: [] };
}

function takesValue(flag: string): boolean {
  const table = RUN_OPTIONS as Record<string, { type: string; short?: string }>;
  const name = flag.replace(/^--?/, '');
  const entry = table[name] ?? Object.values(table).find((o) => o.short === name);
  return entry?.type === 'string';
}

export type RunCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'agent-path' }
  | { kind: 'run'; config: RunConfig };

export function parseRunCommand(argv: string[], env: Env): RunCommand {
  const { own, script, scriptArgs } = splitRunArgv(argv);
  const { values } = parseStrict(own, RUN_OPTIONS);
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values['agent-path']) return { kind: 'agent-path' };
  if (!script) throw new UserError('tripod: no script given; usage: tripod [options] script.js [args], or a Node program by name (tripod tsc -p .) (tripod --help)');
  // 0 turns periodic sampling off; anything else is floored as `tripod record` is: 1e-9 meant ~640 samples a second.
  const interval = seconds('interval', values.interval, env.TRIPOD_INTERVAL, 5, { min: 0.01, max: 86_400, orZero: 'no periodic samples' });
  const watchdog = watchdogConfig(values.watchdog, values['watchdog-repeat'], env);
  const rejections = Boolean(values['on-rejection']) || flag('TRIPOD_ON_REJECTION', env.TRIPOD_ON_REJECTION, false);
  const crash = rejections || Boolean(values.crash) || flag('TRIPOD_CRASH', env.TRIPOD_CRASH, false) ? { rejections } : undefined;
  const profile = profileConfig(values.profile, values.rate, env);
  if (interval === 0 && !watchdog && !crash && !profile) {
    throw new UserError(
      'tripod: an interval of 0 turns periodic sampling off, which leaves nothing to do; use a positive number of seconds such as 5, or add --watchdog MS or --crash, or --profile',
    );
  }
  return {
    kind: 'run',
    config: {
      script,
      scriptArgs,
      interval,
      ...(watchdog ? { watchdog } : {}),
      ...(crash ? { crash } : {}),
      ...(profile ? { profile } : {}),
      timeoutMs: seconds('timeout', values.timeout, env.TRIPOD_TIMEOUT, 1, { min: 0.001, max: 3600 }) * 1000,
      localsBudget: localsBudget(values['locals-budget'], env),
      logPath: values.log ?? nonEmpty(env.TRIPOD_LOG),
      limits: captureLimits(values, env, !values['no-locals'] && flag('TRIPOD_LOCALS', env.TRIPOD_LOCALS, true)),
      quiet: Boolean(values.quiet) || flag('TRIPOD_QUIET', env.TRIPOD_QUIET, false),
      debug: Boolean(values.debug) || flag('TRIPOD_DEBUG', env.TRIPOD_DEBUG, false),
    },
  };
}

interface LimitValues {
  depth?: string;
  'max-elements'?: string;
  maxel?: string;
  'max-string'?: string;
  'max-frames'?: string;
  redact?: string;
}

/** The capture bounds every command that captures shares (--depth, --max-*, --redact). */
function captureLimits(values: LimitValues, env: Env, locals: boolean): CaptureLimits {
  return {
    depth: integer('depth', values.depth, env.TRIPOD_DEPTH, 2, { min: 0, max: 10 }),
    maxElements: integer('max-elements', values['max-elements'] ?? values.maxel, env.TRIPOD_MAXEL, 20, { min: 1, max: 10_000 }),
    maxString: integer('max-string', values['max-string'], env.TRIPOD_MAX_STRING, 200, { min: 1, max: 1_000_000 }),
    maxFrames: integer('max-frames', values['max-frames'], env.TRIPOD_MAX_FRAMES, 50, { min: 1, max: 1_000 }),
    locals,
    redactKeys: redactKeys(values.redact, env.TRIPOD_REDACT),
  };
}

function watchdogConfig(threshold: string | undefined, repeat: string | undefined, env: Env): WatchdogConfig | undefined {
  const thresholdMs = milliseconds('watchdog', threshold, 'TRIPOD_WATCHDOG_MS', env.TRIPOD_WATCHDOG_MS, { min: 10, max: 3_600_000 });
  const repeatMs = milliseconds('watchdog-repeat', repeat, 'TRIPOD_WATCHDOG_REPEAT_MS', env.TRIPOD_WATCHDOG_REPEAT_MS, { min: 10, max: 3_600_000 });
  if (thresholdMs === undefined) {
    if (repeatMs !== undefined) throw new UserError('tripod: --watchdog-repeat needs --watchdog MS (TRIPOD_WATCHDOG_MS) to say what a stall is');
    return undefined;
  }
  return { thresholdMs, repeatMs: repeatMs ?? 0 };
}

/** TRIPOD_RATE alone is only the rate for when profiling is on; --rate without --profile is a mistake. */
function profileConfig(on: boolean | undefined, rate: string | undefined, env: Env): ProfileConfig | undefined {
  const enabled = Boolean(on) || flag('TRIPOD_PROFILE', env.TRIPOD_PROFILE, false);
  if (!enabled) {
    if (rate !== undefined) throw new UserError('tripod: --rate HZ sets the rate of --profile; add --profile (TRIPOD_PROFILE=1)');
    return undefined;
  }
  const range = { min: 10, max: 1000 };
  const rateHz = wholeNumber('rate', rate, 'TRIPOD_RATE', env.TRIPOD_RATE, range, `a whole number of samples per second from ${range.min} to ${range.max}; the default is 100`);
  return { rateHz: rateHz ?? 100 };
}

const SHOW_OPTIONS = {
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseShowCommand(argv: string[], env: Env, stdoutIsTTY: boolean): ShowConfig | 'help' {
  const { values, positionals } = parseStrict(argv, SHOW_OPTIONS, true);
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UserError(`tripod show: one log at a time, got ${positionals.length}; run it once per file`);
  const color = values['no-color'] ? false : values.color ? true : stdoutIsTTY && !env.NO_COLOR;
  return { logPath: positionals[0], color, debug: Boolean(values.debug) || env.TRIPOD_DEBUG === '1' };
}

// ---- tripod dump PID / tripod record PID (attach to a running process) ----

export interface AttachConfig {
  pid: number;
  /** Milliseconds a capture waits for a thread before calling it blocked. */
  timeoutMs: number;
  limits: CaptureLimits;
  debug: boolean;
}

export interface DumpConfig extends AttachConfig {
  json: boolean;
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
}

const ATTACH_OPTIONS = {
  ...LIMIT_OPTIONS,
  locals: { type: 'boolean' },
  timeout: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const REPORT_OPTIONS = {
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  since: { type: 'string' },
  until: { type: 'string' },
  state: { type: 'string' },
  grep: { type: 'string' },
  limit: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DUMP_OPTIONS = { ...ATTACH_OPTIONS, json: { type: 'boolean' } } as const;

const RECORD_OPTIONS = {
  ...ATTACH_OPTIONS,
  duration: { type: 'string' },
  interval: { type: 'string' },
  'locals-budget': { type: 'string' },
  log: { type: 'string', short: 'o' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export function parseDumpCommand(argv: string[], env: Env): DumpConfig | 'help' {
  const { values, positionals } = parseStrict(argv, DUMP_OPTIONS, true);
  if (values.help) return 'help';
  return { ...attachConfig('dump', values, positionals, env), json: Boolean(values.json) };
}

export function parseRecordCommand(argv: string[], env: Env): RecordConfig | 'help' {
  const { values, positionals } = parseStrict(argv, RECORD_OPTIONS, true);
  if (values.help) return 'help';
  const duration = seconds('duration', values.duration, env.TRIPOD_DURATION, 0, { min: 0, max: 604_800 });
  return {
    ...attachConfig('record', values, positionals, env),
    interval: seconds('interval', values.interval, env.TRIPOD_INTERVAL, 1, { min: 0.01, max: 86_400 }),
    localsBudget: localsBudget(values['locals-budget'], env),
    ...(duration > 0 ? { duration } : {}),
    logPath: values.log ?? nonEmpty(env.TRIPOD_LOG),
    quiet: Boolean(values.quiet) || flag('TRIPOD_QUIET', env.TRIPOD_QUIET, false),
  };
}

function attachConfig(command: string, values: LimitValues & { locals?: boolean; timeout?: string; debug?: boolean }, positionals: string[], env: Env): AttachConfig {
  return {
    pid: processId(command, positionals),
    timeoutMs: seconds('timeout', values.timeout, env.TRIPOD_TIMEOUT, 1, { min: 0.001, max: 3600 }) * 1000,
    // Off unless asked: reading locals pauses the target and copies its data out.
    limits: captureLimits(values, env, Boolean(values.locals) || flag('TRIPOD_LOCALS', env.TRIPOD_LOCALS, false)),
    debug: Boolean(values.debug) || flag('TRIPOD_DEBUG', env.TRIPOD_DEBUG, false),
  };
}

/** Linux pids run from 1 to 4194304 (pid_max's ceiling). */
function processId(command: string, positionals: string[]): number {
  if (positionals.length !== 1) {
    throw new UserError(`tripod ${command}: give exactly one process id, got ${positionals.length}; e.g. tripod ${command} 4242 (pgrep -a node lists them)`);
  }
  const raw = positionals[0];
  const pid = Number(raw);
  if (!/^\d+$/.test(raw) || pid < 1 || pid > 4_194_304) {
    throw new UserError(`tripod ${command}: ${JSON.stringify(raw)} is not a process id (a whole number from 1 to 4194304); e.g. tripod ${command} 4242`);
  }
  if (pid === process.pid) throw new UserError(`tripod ${command}: ${pid} is tripod itself; give the pid of the process to look at`);
  return pid;
}

/** Which format an output file's name asks for, when --format does not say. */
const FORMAT_BY_EXTENSION: Array<[RegExp, ReportFormat]> = [
  [/\.svg$/i, 'svg'],
  [/\.cpuprofile$/i, 'cpuprofile'],
  [/\.speedscope\.json$/i, 'speedscope'],
  [/\.(pprof|pb\.gz|pb)$/i, 'pprof'],
  [/\.(collapsed|folded)$/i, 'collapsed'],
];

export function parseReportCommand(argv: string[], env: Env): ReportConfig | 'help' {
  const { values, positionals } = parseStrict(argv, REPORT_OPTIONS, true);
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UserError(`tripod report: one log at a time, got ${positionals.length}; run it once per file`);
  const states = values.state?.split(',').map((s) => s.trim());
  const badState = states?.find((s) => !SAMPLE_STATES.includes(s as SampleState));
  if (badState !== undefined) throw new UserError(`tripod report: --state=${JSON.stringify(badState)} is not a state; use running, idle or blocked (or a comma list)`);
  return {
    logPath: positionals[0],
    format: reportFormat(values.format, values.output),
    output: values.output,
    since: timeBound('since', values.since),
    until: timeBound('until', values.until),
    states: states as SampleState[] | undefined,
    grep: grepPattern(values.grep),
    limit: wholeNumber('limit', values.limit, 'limit', undefined, { min: 1, max: 100_000 }, 'a whole number of rows from 1 to 100000; the default is 25') ?? 25,
    debug: Boolean(values.debug) || env.TRIPOD_DEBUG === '1',
  };
}

function reportFormat(format: string | undefined, output: string | undefined): ReportFormat {
  if (format === undefined) return FORMAT_BY_EXTENSION.find(([pattern]) => output && pattern.test(output))?.[1] ?? 'table';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`tripod report: --format=${JSON.stringify(format)} is not a format; use one of ${REPORT_FORMATS.join(', ')}`);
  }
  return format as ReportFormat;
}

const OFFSET_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "30s", "5m", "1.5h" from the log's first record; epoch milliseconds; or an ISO date. */
function timeBound(name: string, raw: string | undefined): TimeBound | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const offset = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (offset) return { offsetMs: Number(offset[1]) * OFFSET_UNITS_MS[offset[2]] };
  if (/^\d{12,}$/.test(text)) return { epochMs: Number(text) };
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isFinite(parsed)) return { epochMs: parsed };
  throw new UserError(
    `tripod report: --${name}=${JSON.stringify(raw)} is not a time; use an offset from the log's start (30s, 5m), epoch milliseconds, or an ISO date (2026-11-23T12:07:00)`,
  );
}

function grepPattern(raw: string | undefined): RegExp | undefined {
  if (raw === undefined) return undefined;
  try {
    return new RegExp(raw);
  } catch (error) {
    throw new UserError(`tripod report: --grep=${JSON.stringify(raw)} is not a regular expression (${(error as Error).message}); escape special characters`);
  }
}

function parseStrict<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  const joined = joinDashedValues(args, options);
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UserError(`tripod: ${(error as Error).message.split('\n')[0].replace(/\.$/, '')}; see tripod --help`);
  }
}

/**
 * `--interval -1`: parseArgs reads a value that starts with a dash as an option and calls it ambiguous.
 * A negative number is a value, joined here (`--interval=-1`) so its range check names it; any other dashed
 * word after an option that needs a value is said in one line with the way to pass it.
 */
function joinDashedValues(args: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = args[i + 1];
    joined.push(arg);
    if (arg === '--') {
      joined.push(...args.slice(i + 1));
      break;
    }
    if (next === undefined || !next.startsWith('-') || next === '-' || !takesStringValue(arg, options)) continue;
    if (!/^-(\d|\.\d)/.test(next)) {
      throw new UserError(`tripod: ${arg} needs a value, and the next word ${JSON.stringify(next)} reads as an option; give the value, or write ${arg}=${next} if that is it`);
    }
    joined[joined.length - 1] = `${arg}=${next}`;
    i++;
  }
  return joined;
}

function takesStringValue(arg: string, options: NonNullable<ParseArgsConfig['options']>): boolean {
  if (arg.startsWith('--')) return !arg.includes('=') && options[arg.slice(2)]?.type === 'string';
  return arg.length === 2 && Object.values(options).some((option) => option.short === arg[1] && option.type === 'string');
}

interface Range {
  min: number;
  max: number;
  /** 0 is allowed too, below `min`, and means this. */
  orZero?: string;
}

function pick(name: string, flagValue: string | undefined, envName: string | undefined, envValue: string | undefined) {
  if (flagValue !== undefined) return { raw: flagValue, source: `--${name}` };
  if (envValue !== undefined && envValue !== '') return { raw: envValue, source: envName ?? name };
  return undefined;
}

function envNameFor(name: string): string {
  const special: Record<string, string> = { 'max-elements': 'TRIPOD_MAXEL' };
  return special[name] ?? `TRIPOD_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** A float number of seconds, in range. */
function seconds(name: string, flagValue: string | undefined, envValue: string | undefined, fallback: number, range: Range): number {
  return decimal(name, flagValue, envValue, fallback, range, 'a number of seconds');
}

/** A percentage, as a fraction; the default 1% is the overhead tripod aims at when sampling every 5 s. */
function localsBudget(flagValue: string | undefined, env: Env): number {
  return decimal('locals-budget', flagValue, env.TRIPOD_LOCALS_BUDGET, 1, { min: 0.01, max: 100 }, 'a percentage') / 100;
}

/** A float in range, from the flag or else the environment; `what` names it in the error. */
function decimal(name: string, flagValue: string | undefined, envValue: string | undefined, fallback: number, range: Range, what: string): number {
  const chosen = pick(name, flagValue, envNameFor(name), envValue);
  if (!chosen) return fallback;
  const text = chosen.raw.trim();
  // Plain decimals only: Number() would also take 0x10, 0b1, 1e-9 and Infinity.
  const value = PLAIN_DECIMAL.test(text) ? Number(text) : NaN;
  const inRange = (value >= range.min && value <= range.max) || (range.orZero !== undefined && value === 0);
  if (!inRange) {
    const zero = range.orZero === undefined ? '' : `, or 0 (${range.orZero})`;
    throw new UserError(`tripod: ${chosen.source}=${JSON.stringify(chosen.raw)} is not ${what} from ${range.min} to ${range.max}${zero}; use e.g. ${fallback}`);
  }
  return value;
}

/** Digits with an optional fraction: 5, 0.25, .5, 2. */
const PLAIN_DECIMAL = /^(\d+\.?\d*|\.\d+)$/;

function integer(name: string, flagValue: string | undefined, envValue: string | undefined, fallback: number, range: Range): number {
  return wholeNumber(name, flagValue, envNameFor(name), envValue, range, `a whole number from ${range.min} to ${range.max}; the default is ${fallback}`) ?? fallback;
}

/** Whole milliseconds, in range; undefined when not given. */
function milliseconds(name: string, flagValue: string | undefined, envName: string, envValue: string | undefined, range: Range): number | undefined {
  return wholeNumber(name, flagValue, envName, envValue, range, `a whole number of milliseconds from ${range.min} to ${range.max}; use e.g. 200`);
}

function wholeNumber(name: string, flagValue: string | undefined, envName: string, envValue: string | undefined, range: Range, expected: string): number | undefined {
  const chosen = pick(name, flagValue, envName, envValue);
  if (!chosen) return undefined;
  const value = Number(chosen.raw.trim());
  if (!/^\d+$/.test(chosen.raw.trim()) || value < range.min || value > range.max) {
    throw new UserError(`tripod: ${chosen.source}=${JSON.stringify(chosen.raw)} is not ${expected}`);
  }
  return value;
}

function flag(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new UserError(`tripod: ${name}=${JSON.stringify(raw)} is not a switch; use 1 or 0`);
}

/**
 * The redaction list from --redact or TRIPOD_REDACT. An empty setting, or a name
 * that is empty once case, '-' and '_' are set aside, is refused rather than read
 * as "redact nothing": a typo must not write secrets to the log.
 */
function redactKeys(flagValue: string | undefined, envValue: string | undefined): string[] {
  const source = flagValue !== undefined ? '--redact' : 'TRIPOD_REDACT';
  const raw = flagValue ?? envValue;
  if (raw === undefined) return DEFAULT_REDACT_KEYS;
  const extra = raw.trim().startsWith('+');
  const keys = raw.trim().replace(/^\+/, '').split(',').map((k) => k.trim());
  if (keys.some((key) => key.replace(/[-_\s]/g, '') === '')) {
    const what = raw.trim() === '' || raw.trim() === '+' ? 'names no key' : 'has an empty name';
    throw new UserError(`tripod: ${source}=${JSON.stringify(raw)} ${what}; give names such as +session,pin (+ adds to the defaults), or leave it out for the default list`);
  }
  return extra ? [...DEFAULT_REDACT_KEYS, ...keys] : keys;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
