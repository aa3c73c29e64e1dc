/**
 * `tripod/flags`: live flags a program registers and `tripod flags PID` lists and
 * sets from outside while it runs (as PyKdump's registerModuleAttr and pyctl).
 *
 *   const { flag } = require('tripod/flags');
 *   const debugCache = flag('debugCache', 0, 'log cache hits and misses (2: with keys)');
 *   if (debugCache.value > 0) ...
 *
 * Loads nothing else of tripod: no thread, timer, socket or logger. A flag's
 * `.value` is a plain data property, read at the cost of any object property.
 */
import { type FlagRegistry, type FlagHandleData, type Listener, processRegistry } from './registry';
import { FLAG_NAME, type FlagMeta, type FlagType, type FlagValue, parseFlagValue } from './values';

export type { FlagValue, FlagType } from './values';

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
