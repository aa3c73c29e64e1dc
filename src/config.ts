/**
 * The one home of configuration: TRIPOD_* environment variables and command-line
 * flags are parsed and validated here, once, into typed objects.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from './errors';

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

export interface RunConfig {
  script: string;
  scriptArgs: string[];
  /** Seconds between samples; 0 turns periodic sampling off. */
  interval: number;
  watchdog?: WatchdogConfig;
  crash?: CrashConfig;
  /** Milliseconds a capture may wait for the main thread. */
  timeoutMs: number;
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

type Env = Record<string, string | undefined>;

/** Options of `tripod [options] script`: the table both the splitter and parseArgs read. */
const RUN_OPTIONS = {
  interval: { type: 'string' },
  timeout: { type: 'string' },
  log: { type: 'string' },
  depth: { type: 'string' },
  'max-elements': { type: 'string' },
  maxel: { type: 'string' },
  'max-string': { type: 'string' },
  'max-frames': { type: 'string' },
  'no-locals': { type: 'boolean' },
  watchdog: { type: 'string' },
  'watchdog-repeat': { type: 'string' },
  crash: { type: 'boolean' },
  'on-rejection': { type: 'boolean' },
  redact: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
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
  | { kind: 'run'; config: RunConfig };

export function parseRunCommand(argv: string[], env: Env): RunCommand {
  const { own, script, scriptArgs } = splitRunArgv(argv);
  const { values } = parseStrict(own, RUN_OPTIONS);
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (!script) throw new UserError('tripod: no script given; usage: tripod [options] script.js [args] (tripod --help)');
  const interval = seconds('interval', values.interval, env.TRIPOD_INTERVAL, 5, { min: 0, max: 86_400 });
  const watchdog = watchdogConfig(values.watchdog, values['watchdog-repeat'], env);
  const rejections = Boolean(values['on-rejection']) || flag('TRIPOD_ON_REJECTION', env.TRIPOD_ON_REJECTION, false);
  const crash = rejections || Boolean(values.crash) || flag('TRIPOD_CRASH', env.TRIPOD_CRASH, false) ? { rejections } : undefined;
  if (interval === 0 && !watchdog && !crash) {
    throw new UserError(
      'tripod: an interval of 0 turns periodic sampling off, which leaves nothing to do; use a positive number of seconds such as 5, or add --watchdog MS or --crash',
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
      timeoutMs: seconds('timeout', values.timeout, env.TRIPOD_TIMEOUT, 1, { min: 0.001, max: 3600 }) * 1000,
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
    redactKeys: keyList(values.redact ?? env.TRIPOD_REDACT),
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
  /** Seconds to record; undefined: until Ctrl-C or the target exits. */
  duration?: number;
  logPath?: string;
  quiet: boolean;
}

const ATTACH_OPTIONS = {
  locals: { type: 'boolean' },
  timeout: { type: 'string' },
  depth: { type: 'string' },
  'max-elements': { type: 'string' },
  maxel: { type: 'string' },
  'max-string': { type: 'string' },
  'max-frames': { type: 'string' },
  redact: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DUMP_OPTIONS = { ...ATTACH_OPTIONS, json: { type: 'boolean' } } as const;

const RECORD_OPTIONS = {
  ...ATTACH_OPTIONS,
  duration: { type: 'string' },
  interval: { type: 'string' },
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

function parseStrict<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UserError(`tripod: ${(error as Error).message.split('\n')[0].replace(/\.$/, '')}; see tripod --help`);
  }
}

interface Range {
  min: number;
  max: number;
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
  const chosen = pick(name, flagValue, envNameFor(name), envValue);
  if (!chosen) return fallback;
  const value = Number(chosen.raw.trim());
  if (chosen.raw.trim() === '' || !Number.isFinite(value) || value < range.min || value > range.max) {
    throw new UserError(
      `tripod: ${chosen.source}=${JSON.stringify(chosen.raw)} is not a number of seconds from ${range.min} to ${range.max}; use e.g. ${fallback}`,
    );
  }
  return value;
}

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

function keyList(raw: string | undefined): string[] {
  if (raw === undefined) return DEFAULT_REDACT_KEYS;
  const extra = raw.startsWith('+');
  const keys = raw
    .replace(/^\+/, '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  return extra ? [...DEFAULT_REDACT_KEYS, ...keys] : keys;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
