/**
 * The process-wide registry of flags, on globalThis under Symbol.for("tripod.flags"),
 * so that several copies of tripod in one program (and tripod from outside, through
 * the inspector) meet on one set of flags. Its parts are plain data that
 * `tripod flags` reads with Runtime.getProperties, which runs no getter. Imports
 * nothing but values.ts.
 */
import type { FlagValue } from './values';

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
