/**
 * Names a thrown value for the end record without running any of the program's
 * code: no instanceof, no getters, no toString or Proxy traps — own data
 * properties and util.types only, through built-ins captured before the program
 * could replace them. Anything can be thrown: a null-prototype object, a revoked
 * Proxy, an object whose toString throws.
 */
import { types } from 'node:util';

const { isNativeError, isProxy } = types;
const { getOwnPropertyDescriptor, getPrototypeOf, apply } = Reflect;
const { hasOwn } = Object;
const toText = String;
const slice = String.prototype.slice;

/** Longest message kept: a thrown 100 MB string must not become a 100 MB end record. */
const MAX_TEXT = 1000;
/** Prototype chains are short; a longer one is not walked to its end. */
const MAX_CHAIN = 32;

export interface ThrownDescription {
  name: string;
  message: string;
}

export function describeThrown(thrown: unknown): ThrownDescription {
  if (thrown === null) return { name: 'null', message: 'null' };
  if (typeof thrown !== 'object' && typeof thrown !== 'function') return { name: typeof thrown, message: clip(primitiveText(thrown)) };
  if (isProxy(thrown)) return { name: 'Proxy', message: '' };
  const object = thrown as object;
  const message = ownString(object, 'message') ?? '';
  const name = isNativeError(object) ? (inheritedString(object, 'name') ?? 'Error') : (constructorName(object) ?? 'Object');
  return { name: clip(name), message: clip(message) };
}

function primitiveText(value: unknown): string {
  // String() of a primitive runs no program code (a symbol gives "Symbol(desc)" instead of throwing).
  return toText(value);
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${apply(slice, text, [0, MAX_TEXT])}…` : text;
}

/** An own data property holding a string; undefined for accessors and anything else. */
function ownString(object: object, key: string): string | undefined {
  const value = dataValue(object, key);
  return typeof value === 'string' ? value : undefined;
}

/** The value of an own data property; undefined for an accessor (never called) or no property. */
function dataValue(object: object, key: string): unknown {
  const descriptor = getOwnPropertyDescriptor(object, key);
  // hasOwn, not `in`: a program's Object.prototype.value getter must not be reached.
  return descriptor !== undefined && hasOwn(descriptor, 'value') ? descriptor.value : undefined;
}

/** The first data property `key` along the prototype chain, as a string; stops at a Proxy. */
function inheritedString(object: object, key: string): string | undefined {
  const holder = firstHolder(object, key);
  return holder ? ownString(holder, key) : undefined;
}

/** The name of the function in the first `constructor` data property along the chain. */
function constructorName(object: object): string | undefined {
  const holder = firstHolder(object, 'constructor');
  if (!holder) return undefined;
  const ctor = dataValue(holder, 'constructor');
  if (typeof ctor !== 'function' || isProxy(ctor)) return undefined;
  return ownString(ctor, 'name') || undefined;
}

/** The first object along the chain (itself included) that has an own `key`; none past a Proxy. */
function firstHolder(object: object, key: string): object | undefined {
  let current: object | null = object;
  for (let depth = 0; current !== null && depth < MAX_CHAIN; depth++) {
    if (isProxy(current)) return undefined;
    if (getOwnPropertyDescriptor(current, key)) return current;
    current = getPrototypeOf(current);
  }
  return undefined;
}
