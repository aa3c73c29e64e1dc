/**
 * `tripod/flags`: live flags a program registers and `tripod flags PID` lists and
 * sets from outside while it runs (as PyKdump's registerModuleAttr and pyctl).
 *
 *   const { flag } = require('tripod/flags');
 *   const debugCache = flag('debugCache', 0, 'log cache hits and misses (2: with keys)');
 *   if (debugCache.value > 0) ...
 *
 * Loads nothing else of tripod: no thread, timer, socket or logger, and is one
 * file (each file more is a read and a compile at the program's start). A flag's
 * `.value` is a plain data property, read at the cost of any object property.
 */
// ---- values: a flag's type, and reading a value for it from text (--set, --flag, TRIPOD_FLAGS), shared with
// `tripod flags` so that both sides read "2", "true" or "safe" alike ----

export type FlagValue = number | boolean | string;
export type FlagType = 'number' | 'boolean' | 'string' | 'choice';

/** What tripod needs to know of a flag besides its value; written once, at registration. */
export interface FlagMeta {
  type: FlagType;
  /** The file that registered the flag (absolute path), or "" when it could not be told. */
  module: string;
  help?: string;
  choices?: string[];
}

export type Parsed = { ok: true; value: FlagValue } | { ok: false; allowed: string };

const TRUE = /^(true|1|yes|on)$/i;
const FALSE = /^(false|0|no|off)$/i;
/** Plain decimals, signed, with an exponent: Number() alone would also take "", "0x10" and "Infinity". */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

export function parseFlagValue(meta: Pick<FlagMeta, 'type' | 'choices'>, text: string): Parsed {
  switch (meta.type) {
    case 'number':
      return NUMBER.test(text.trim()) ? { ok: true, value: Number(text) } : { ok: false, allowed: 'a number' };
    case 'boolean':
      if (TRUE.test(text.trim())) return { ok: true, value: true };
      if (FALSE.test(text.trim())) return { ok: true, value: false };
      return { ok: false, allowed: 'true or false' };
    case 'choice':
      return meta.choices?.includes(text) ? { ok: true, value: text } : { ok: false, allowed: `one of ${(meta.choices ?? []).join(', ')}` };
    default:
      return { ok: true, value: text };
  }
}

/** A flag name is one word: no "=", no comma, no space (they would not survive --set NAME=VALUE or TRIPOD_FLAGS). */
export const FLAG_NAME = /^[A-Za-z_$][\w$.:/-]{0,199}$/;

// ---- the process-wide registry, on globalThis under Symbol.for("tripod.flags"): several copies of tripod
// in one program, and tripod from outside through the inspector, meet on one set of flags. Its parts are
// plain data that `tripod flags` reads with Runtime.getProperties, which runs no getter ----

export const REGISTRY_KEY = 'tripod.flags';
export const REGISTRY_VERSION = 1;

export type Listener = (value: FlagValue, old: FlagValue) => void;

/** Own data properties only (value first, for the inspector's preview): reading `.value` costs what a plain property costs. */
export interface FlagHandleData {
  value: FlagValue;
  readonly default: FlagValue;
  readonly name: string;
}

export interface FlagRegistry {
  version: number;
  handles: Record<string, FlagHandleData>;
  /** JSON of each flag's FlagMeta: one string read per flag, however many flags there are. */
  meta: Record<string, string>;
  listeners: Record<string, Listener[]>;
  /** A flag's value before tripod first changed it, kept by tripod from outside for --clear. */
  originals: Record<string, FlagValue>;
  /** Values given at start (--flag, TRIPOD_FLAGS) for flags not registered yet, as text. */
  pending: Record<string, string>;
  /** Where a start value that does not read for its flag is said (the runner's stderr); absent: nowhere. */
  warn?: (line: string) => void;
  /** The runner's hook that appends control records (whole lines) to its log. */
  control?: (lines: string) => void;
  /** The levels pino loggers had before tripod set them (logger -> level label). */
  pinoOriginals?: WeakMap<object, string>;
  /** The `debug` namespaces that were on before tripod changed them, per copy of debug. */
  debugOriginals?: Record<string, string>;
}

/**
 * A new, empty registry. Self-contained (tripod also sends its source to a process to
 * make one there): object literals only, no call to an intrinsic the program could replace.
 */
export function newRegistry(): FlagRegistry {
  return {
    version: 1,
    handles: { __proto__: null } as unknown as FlagRegistry['handles'],
    meta: { __proto__: null } as unknown as FlagRegistry['meta'],
    listeners: { __proto__: null } as unknown as FlagRegistry['listeners'],
    originals: { __proto__: null } as unknown as FlagRegistry['originals'],
    pending: { __proto__: null } as unknown as FlagRegistry['pending'],
  };
}

/** This process's registry, made on first use. */
export function processRegistry(): FlagRegistry {
  const key = Symbol.for(REGISTRY_KEY);
  const holder = globalThis as unknown as Record<symbol, FlagRegistry | undefined>;
  const found = holder[key];
  if (found && typeof found === 'object' && found.version === REGISTRY_VERSION) return found;
  const made = newRegistry();
  Object.defineProperty(globalThis, key, { value: made, writable: false, enumerable: false, configurable: true });
  return made;
}

// ---- flag() ----

export interface FlagOptions<T extends string = string> {
  help?: string;
  /** For a string flag: the values it may take (`tripod flags --set` refuses others). */
  choices?: readonly T[];
}

export interface Flag<T extends FlagValue> {
  /** The flag's value now; tripod changes it from outside. */
  value: T;
  readonly default: T;
  readonly name: string;
  /** Called after tripod changes the value, with the new and the old; returns a function that stops it. */
  onChange(listener: (value: T, old: T) => void): () => void;
}

class FlagHandle implements FlagHandleData {
  // Declared, not a class field: a field would first be defined as undefined, and V8 would then
  // keep `value` in a general (tagged) representation that a hot loop reads more slowly than a
  // plain object's number.
  declare value: FlagValue;
  declare readonly default: FlagValue;
  declare readonly name: string;

  constructor(name: string, defaultValue: FlagValue, value: FlagValue) {
    this.value = value;
    Object.defineProperty(this, 'default', { value: defaultValue, enumerable: true });
    Object.defineProperty(this, 'name', { value: name, enumerable: true });
  }

  onChange(listener: Listener): () => void {
    if (typeof listener !== 'function') throw new TypeError(`tripod/flags: onChange of flag "${this.name}" takes a function`);
    const registry = processRegistry();
    const listeners = (registry.listeners[this.name] ??= []);
    listeners.push(listener);
    return () => {
      const at = listeners.indexOf(listener);
      if (at >= 0) listeners.splice(at, 1);
    };
  }
}

export function flag<C extends string>(name: string, defaultValue: C, options: FlagOptions<C> & { choices: readonly C[] }): Flag<C>;
export function flag(name: string, defaultValue: number, helpOrOptions?: string | FlagOptions): Flag<number>;
export function flag(name: string, defaultValue: boolean, helpOrOptions?: string | FlagOptions): Flag<boolean>;
export function flag(name: string, defaultValue: string, helpOrOptions?: string | FlagOptions): Flag<string>;
export function flag(name: string, defaultValue: FlagValue, helpOrOptions?: string | FlagOptions): Flag<FlagValue> {
  const options = typeof helpOrOptions === 'string' ? { help: helpOrOptions } : (helpOrOptions ?? {});
  const meta = metaOf(name, defaultValue, options, registeringModule());
  const registry = processRegistry();
  const known = registry.handles[name];
  if (known) return sameFlag(registry, name, meta, known) as Flag<FlagValue>;
  const handle = new FlagHandle(name, defaultValue, startValue(registry, name, meta, defaultValue));
  registry.meta[name] = JSON.stringify(meta);
  registry.handles[name] = handle;
  return handle as Flag<FlagValue>;
}

function metaOf(name: string, defaultValue: FlagValue, options: FlagOptions, module: string): FlagMeta {
  if (typeof name !== 'string' || !FLAG_NAME.test(name)) {
    throw new TypeError(`tripod/flags: ${JSON.stringify(name)} is not a flag name; use one word of letters, digits and _ $ . : / - (no "=", comma or space)`);
  }
  const type = typeOf(name, defaultValue, options);
  const meta: FlagMeta = { type, module };
  if (options.help !== undefined) meta.help = String(options.help);
  if (type === 'choice') meta.choices = options.choices!.map(String);
  return meta;
}

function typeOf(name: string, defaultValue: FlagValue, options: FlagOptions): FlagType {
  if (options.choices !== undefined) {
    if (typeof defaultValue !== 'string' || !Array.isArray(options.choices) || !options.choices.includes(defaultValue)) {
      throw new TypeError(`tripod/flags: flag "${name}" has choices, so its default must be one of them (${JSON.stringify(options.choices)})`);
    }
    return 'choice';
  }
  if (typeof defaultValue === 'number' && Number.isFinite(defaultValue)) return 'number';
  if (typeof defaultValue === 'boolean' || typeof defaultValue === 'string') return typeof defaultValue as FlagType;
  throw new TypeError(`tripod/flags: the default of flag "${name}" must be a finite number, a boolean or a string, not ${String(defaultValue)}`);
}

/** A second registration of one name: the same handle if it is of the same type, else one clear error. */
function sameFlag(registry: FlagRegistry, name: string, meta: FlagMeta, known: FlagHandleData): FlagHandleData {
  const first = JSON.parse(registry.meta[name]) as FlagMeta;
  const sameChoices = (first.choices ?? []).join('\0') === (meta.choices ?? []).join('\0');
  if (first.type === meta.type && sameChoices) return known;
  const kind = (m: FlagMeta) => (m.type === 'choice' ? `a choice of ${m.choices!.join('|')}` : `a ${m.type}`);
  throw new TypeError(`tripod/flags: flag "${name}" is registered already as ${kind(first)} (by ${first.module || 'unknown'}); ${meta.module || 'this module'} registers it as ${kind(meta)}: give one of them another name`);
}

/** The default, or a value given at start (--flag, TRIPOD_FLAGS) if it reads for the flag's type. */
function startValue(registry: FlagRegistry, name: string, meta: FlagMeta, defaultValue: FlagValue): FlagValue {
  const given = registry.pending[name];
  if (given === undefined) return defaultValue;
  delete registry.pending[name];
  const parsed = parseFlagValue(meta, given);
  if (parsed.ok) {
    registry.originals[name] = defaultValue;
    return parsed.value;
  }
  registry.warn?.(`tripod: --flag ${name}=${JSON.stringify(given)} is not ${parsed.allowed}; ${name} keeps its default ${JSON.stringify(defaultValue)}`);
  return defaultValue;
}

/** The file that called flag(), from V8's structured frames (whatever Error.prepareStackTrace the program set). */
function registeringModule(): string {
  const saved = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit };
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_error, frames) => frames;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, flag);
    const file = holder.stack?.[0]?.getFileName() ?? '';
    return file.startsWith('file://') ? decodeURIComponent(new URL(file).pathname) : file;
  } catch {
    return '';
  } finally {
    Error.prepareStackTrace = saved.prepare;
    Error.stackTraceLimit = saved.limit;
  }
}
