/**
 * Generic option parsing over the table: the command line is split by node's
 * parseArgs (configured from the table), and each value is read from its flag or
 * else its environment variable, checked against its kind and range, only when the
 * command asks for it (so `--help` works whatever the environment holds, and an
 * option that does not apply is not judged). Refusals are one line naming the value,
 * where it came from and what is allowed.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_REDACT_KEYS } from '../capture/redact';
import type { TimeBound } from '../config';
import { tracesWanted } from '../diagnostics/debug-log';
import { UserError } from '../errors';
import { type Command, type CommandOption, optionsOf } from './table';

export type Env = Record<string, string | undefined>;
type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;
type Given = Record<string, string | boolean | string[] | undefined>;

/** parseArgs' view of a command's options: each flag, alias and short form. */
export function parseArgsOptions(options: CommandOption[]): ParseArgsOptions {
  const config: ParseArgsOptions = {};
  for (const option of options) {
    const type = option.kind === 'switch' ? 'boolean' : 'string';
    const multiple = option.multiple ? { multiple: true } : {};
    config[option.flag] = option.short ? { type, short: option.short, ...multiple } : { type, ...multiple };
    if (option.alias) config[option.alias] = { type };
  }
  return config;
}

/** Splits a command's arguments into option values (read lazily, by key) and positionals. */
export function parseCommandLine(command: Command, args: string[], env: Env, allowPositionals: boolean): { values: OptionValues; positionals: string[] } {
  const options = optionsOf(command);
  const config = parseArgsOptions(options);
  const joined = joinDashedValues(args, config);
  let parsed: { values: Given; positionals: string[] };
  try {
    parsed = parseArgs({ args: joined, options: config, strict: true, allowPositionals }) as { values: Given; positionals: string[] };
  } catch (error) {
    const help = command === 'run' ? 'tripod --help' : `tripod ${command} --help`;
    throw new UserError(`tripod: ${(error as Error).message.split('\n')[0].replace(/\.$/, '')}; see ${help}`);
  }
  return { values: new OptionValues(command, options, parsed.values, env), positionals: parsed.positionals };
}

/**
 * `--interval -1`: parseArgs reads a value that starts with a dash as an option and calls it ambiguous.
 * A negative number is a value, joined here (`--interval=-1`) so its range check names it; any other dashed
 * word after an option that needs a value is said in one line with the way to pass it.
 */
export function joinDashedValues(args: string[], options: ParseArgsOptions): string[] {
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

/** Whether `arg` (a word of the command line) is an option that takes its value from the next word. */
export function takesStringValue(arg: string, options: ParseArgsOptions): boolean {
  if (arg.startsWith('--')) return !arg.includes('=') && options[arg.slice(2)]?.type === 'string';
  return arg.length === 2 && Object.values(options).some((option) => option.short === arg[1] && option.type === 'string');
}

/** Digits with an optional fraction: 5, 0.25, .5, 2. Number() would also take 0x10, 0b1, 1e-9 and Infinity. */
const PLAIN_DECIMAL = /^(\d+\.?\d*|\.\d+)$/;
const OFFSET_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DECIMAL_WHAT: Record<string, (option: CommandOption) => string> = {
  seconds: () => 'a number of seconds',
  percent: () => 'a percentage',
  decimal: (option) => `a number of ${option.unit}`,
};

/** One command's option values, each read from its flag or variable when asked for. */
export class OptionValues {
  private readonly byKey: Map<string, CommandOption>;

  constructor(
    private readonly command: Command,
    options: CommandOption[],
    private readonly given: Given,
    private readonly env: Env,
  ) {
    this.byKey = new Map(options.map((option) => [option.key, option]));
  }

  /** Whether the flag itself (or its alias or short form) is on the command line. */
  has(key: string): boolean {
    const option = this.option(key);
    return this.flagValue(option) !== undefined;
  }

  /** A switch: its flag turns its default over; else its variable (1/0, true/false, yes/no, on/off). */
  switch(key: string): boolean {
    const option = this.option(key);
    const fallback = Boolean(option.default);
    if (this.flagValue(option)) return !fallback;
    const raw = option.env === undefined ? undefined : this.env[option.env];
    if (raw === undefined || raw === '') return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new UserError(`tripod: ${option.env}=${JSON.stringify(raw)} is not a switch; use 1 or 0`);
  }

  /** --debug, or TRIPOD_DEBUG=1 or *: stack traces on tripod's errors (a list of debug sections alone does not ask for them). */
  debugTraces(): boolean {
    return this.has('debug') || tracesWanted(this.env.TRIPOD_DEBUG);
  }

  /** A number in the option's own unit, or its default. */
  number(key: string): number {
    const value = this.optionalNumber(key);
    if (value !== undefined) return value;
    const fallback = this.option(key).default;
    if (typeof fallback !== 'number') throw new Error(`option --${key} has no default`);
    return fallback;
  }

  /** A number in the option's own unit; undefined when neither flag nor variable gives one. */
  optionalNumber(key: string): number | undefined {
    const option = this.option(key);
    const chosen = this.pick(option);
    if (!chosen) return undefined;
    const text = chosen.raw.trim();
    const range = option.range ?? { min: -Infinity, max: Infinity };
    const whole = option.kind === 'ms' || option.kind === 'whole';
    const value = (whole ? /^\d+$/ : PLAIN_DECIMAL).test(text) ? Number(text) : NaN;
    const inRange = (value >= range.min && value <= range.max) || (range.zero !== undefined && value === 0);
    if (inRange) return value;
    throw new UserError(`tripod: ${chosen.source}=${JSON.stringify(chosen.raw)} is not ${whole ? wholeExpected(option) : decimalExpected(option)}`);
  }

  /** Text as given; an empty variable counts as unset. */
  text(key: string): string | undefined {
    const chosen = this.pick(this.option(key));
    return chosen?.raw;
  }

  /** Every value of a repeatable option, in the order given. */
  texts(key: string): string[] {
    const given = this.flagValue(this.option(key));
    return Array.isArray(given) ? given : typeof given === 'string' ? [given] : [];
  }

  /** One of the option's choices, or undefined when not given. */
  choice(key: string): string | undefined {
    const option = this.option(key);
    const raw = this.text(key);
    if (raw === undefined) return undefined;
    if (!option.choices!.includes(raw)) {
      throw new UserError(`tripod ${this.command}: --${option.flag}=${JSON.stringify(raw)} is not a ${option.noun}; use one of ${option.choices!.join(', ')}`);
    }
    return raw;
  }

  /** A comma list of the option's choices, or undefined when not given. */
  choices(key: string): string[] | undefined {
    const option = this.option(key);
    const items = this.text(key)?.split(',').map((item) => item.trim());
    const bad = items?.find((item) => !option.choices!.includes(item));
    if (bad !== undefined) {
      throw new UserError(`tripod ${this.command}: --${option.flag}=${JSON.stringify(bad)} is not a ${option.noun}; use ${orList(option.choices!)} (or a comma list)`);
    }
    return items;
  }

  /** "30s", "5m", "1.5h" from the log's first record; epoch milliseconds; or an ISO date. */
  time(key: string): TimeBound | undefined {
    const raw = this.text(key);
    if (raw === undefined) return undefined;
    const text = raw.trim();
    const offset = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
    if (offset) return { offsetMs: Number(offset[1]) * OFFSET_UNITS_MS[offset[2]] };
    if (/^\d{12,}$/.test(text)) return { epochMs: Number(text) };
    const parsed = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
    if (Number.isFinite(parsed)) return { epochMs: parsed };
    throw new UserError(
      `tripod ${this.command}: --${key}=${JSON.stringify(raw)} is not a time; use an offset from the log's start (30s, 5m), epoch milliseconds, or an ISO date (2026-11-23T12:07:00)`,
    );
  }

  regex(key: string): RegExp | undefined {
    const raw = this.text(key);
    if (raw === undefined) return undefined;
    try {
      return new RegExp(raw);
    } catch (error) {
      throw new UserError(`tripod ${this.command}: --${key}=${JSON.stringify(raw)} is not a regular expression (${(error as Error).message}); escape special characters`);
    }
  }

  /**
   * The redaction list. An empty setting, or a name that is empty once case, '-' and
   * '_' are set aside, is refused rather than read as "redact nothing": a typo must
   * not write secrets to the log.
   */
  keys(key: string): string[] {
    const option = this.option(key);
    const flagValue = this.flagValue(option) as string | undefined;
    const source = flagValue !== undefined ? `--${option.flag}` : option.env!;
    const raw = flagValue ?? this.env[option.env!];
    if (raw === undefined) return DEFAULT_REDACT_KEYS;
    const extra = raw.trim().startsWith('+');
    const keys = raw.trim().replace(/^\+/, '').split(',').map((k) => k.trim());
    if (keys.some((name) => name.replace(/[-_\s]/g, '') === '')) {
      const what = raw.trim() === '' || raw.trim() === '+' ? 'names no key' : 'has an empty name';
      throw new UserError(`tripod: ${source}=${JSON.stringify(raw)} ${what}; give names such as +session,pin (+ adds to the defaults), or leave it out for the default list`);
    }
    return extra ? [...DEFAULT_REDACT_KEYS, ...keys] : keys;
  }

  private option(key: string): CommandOption {
    const option = this.byKey.get(key);
    // A programming error: the command reads an option its table row does not give it.
    if (!option) throw new Error(`tripod ${this.command} has no option ${key}`);
    return option;
  }

  private flagValue(option: CommandOption): string | boolean | string[] | undefined {
    return this.given[option.flag] ?? (option.alias === undefined ? undefined : this.given[option.alias]);
  }

  private pick(option: CommandOption): { raw: string; source: string } | undefined {
    const flagValue = this.flagValue(option);
    if (typeof flagValue === 'string') return { raw: flagValue, source: `--${option.flag}` };
    const envValue = option.env === undefined ? undefined : this.env[option.env];
    if (envValue !== undefined && envValue !== '') return { raw: envValue, source: option.env! };
    return undefined;
  }
}

function decimalExpected(option: CommandOption): string {
  const range = option.range!;
  const zero = range.zero === undefined ? '' : `, or 0 (${range.zero})`;
  return `${DECIMAL_WHAT[option.kind](option)} from ${range.min} to ${range.max}${zero}; use e.g. ${option.example ?? option.default}`;
}

function wholeExpected(option: CommandOption): string {
  const range = option.range!;
  const unit = option.kind === 'ms' ? ' of milliseconds' : option.unit ? ` of ${option.unit}` : '';
  const hint = typeof option.default === 'number' ? `the default is ${option.default}` : `use e.g. ${option.example}`;
  return `a whole number${unit} from ${range.min} to ${range.max}; ${hint}`;
}

/** "a, b or c". */
export function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
