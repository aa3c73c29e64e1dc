/**
 * Reads a paused frame's scopes inside the target, in one call: a function
 * installed once on the main thread walks the scope objects and the containers
 * under them and returns, as one JSON text, what Runtime.getProperties would have
 * answered for each (shaped the same, so ValueReader turns both into values).
 * One Runtime.callFunctionOn replaces a round trip per nesting level of dozens
 * of getProperties calls, each ~40 µs of main-thread time (BENCHMARKS.md, stop).
 *
 * It must never run the target's code: it only lists own properties through
 * built-ins captured when it was installed (Reflect.ownKeys,
 * Object.getOwnPropertyDescriptor, native getters that check their receiver's
 * internal slots), never reads through a getter, and never touches a Proxy
 * (util.types.isProxy sees one without calling its traps). A Promise's state has
 * no such built-in, so promises are held, in an object group that outlives the
 * pause, and read with getProperties once the thread runs again.
 */
import type { Protocol } from 'devtools-protocol';
import type { CaptureLimits } from '../config';
import { type CdpClient, withDeadline } from './cdp';
import { secretNeedles } from './redact';
import { getPropertiesOf, LARGEST_LISTED_CONTAINER, OBJECT_BUDGET, type PropertyList, type PropertySource } from './values';

/** Ids the reader gives the objects it listed, and the promises it held for getProperties. */
const LISTED = 'listed:';
const HELD = 'held:';
/** Containers the reader lists per call: above what ValueReader's budget can ask for, so it never misses one it wants. */
const LISTING_CAP = OBJECT_BUDGET * 2;
/** A function's source is cut after its name: at its first '(' or '{', within this many characters. */
const FUNCTION_HEAD = 120;
/** The object group of held promises, let go once they are read. */
const HELD_GROUP = 'tripod-held';

interface ReaderOptions {
  depth: number;
  maxElements: number;
  maxString: number;
  largest: number;
  cap: number;
  secretNeedles: string[];
  listed: string;
  held: string;
  functionHead: number;
}

interface ReaderAnswer {
  held: number;
  scopes: string[];
  table: Record<string, PropertyList>;
}

/** The reader's answer as it came (JSON text), parsed only once the thread runs again. */
export type RawListing = string;

/**
 * Installs the reader on the target's main thread and returns its object id, or
 * undefined where it cannot run (a Node without process.getBuiltinModule:
 * before 20.16 and 22.3); capture then reads with getProperties alone.
 */
export async function installReader(cdp: CdpClient, limits: CaptureLimits): Promise<string | undefined> {
  const options: ReaderOptions = {
    depth: limits.depth,
    maxElements: limits.maxElements,
    maxString: limits.maxString,
    largest: LARGEST_LISTED_CONTAINER,
    cap: LISTING_CAP,
    secretNeedles: secretNeedles(limits.redactKeys),
    listed: LISTED,
    held: HELD,
    functionHead: FUNCTION_HEAD,
  };
  try {
    const { result, exceptionDetails } = await cdp.post('Runtime.evaluate', {
      expression: `(${targetReader.toString()})(${JSON.stringify(options)})`,
      objectGroup: 'tripod-reader',
      silent: true,
    });
    return exceptionDetails ? undefined : result.objectId;
  } catch {
    return undefined;
  }
}

/** Lists the given scope objects and what is under them, in one call. */
export async function readInTarget(cdp: CdpClient, readerId: string, scopeObjectIds: string[]): Promise<RawListing | undefined> {
  const { result, exceptionDetails } = await cdp.post('Runtime.callFunctionOn', {
    objectId: readerId,
    functionDeclaration: 'function () { return this.read(arguments); }',
    arguments: scopeObjectIds.map((objectId) => ({ objectId })),
    returnByValue: true,
    silent: true,
  });
  if (exceptionDetails || typeof result.value !== 'string') return undefined;
  return result.value;
}

/**
 * Answers ValueReader's getProperties from the reader's listing; held promises go
 * to the real getProperties. The listing leaves out what ValueReader does without
 * (`enumerable`: only enumerable properties are listed; a description that would
 * only repeat the class name), to keep what the main thread sends small.
 */
export class InTargetListing {
  private heldIds?: Promise<string[]>;
  private readonly getProperties: PropertySource;

  private readonly answer: ReaderAnswer;

  /** `deadlineMs` bounds the wait for held promises: the thread runs on, and may be in a native call by then. */
  constructor(
    private readonly cdp: CdpClient,
    private readonly readerId: string,
    raw: RawListing,
    private readonly deadlineMs: number,
  ) {
    this.answer = JSON.parse(raw) as ReaderAnswer;
    this.getProperties = getPropertiesOf(cdp);
  }

  get scopeIds(): string[] {
    return this.answer.scopes;
  }

  readonly properties: PropertySource = async (objectId) => {
    if (objectId.startsWith(LISTED)) return this.answer.table[objectId];
    if (!objectId.startsWith(HELD)) return undefined;
    const read = await withDeadline(this.heldProperties(Number(objectId.slice(HELD.length))), this.deadlineMs);
    return read.answered ? read.value : undefined;
  };

  private async heldProperties(index: number): Promise<PropertyList | undefined> {
    const realId = (await this.held())[index];
    return realId ? this.getProperties(realId) : undefined;
  }

  /** Lets go of the held promises (the listing itself lives only in the JSON text). */
  release(): void {
    if (this.heldIds) void this.cdp.post('Runtime.releaseObjectGroup', { objectGroup: HELD_GROUP }).catch(() => {});
  }

  private held(): Promise<string[]> {
    this.heldIds ??= this.fetchHeld();
    return this.heldIds;
  }

  /** The held promises as real remote objects: one array from the reader, then its elements. */
  private async fetchHeld(): Promise<string[]> {
    if (this.answer.held === 0) return [];
    const { result } = await this.cdp.post('Runtime.callFunctionOn', {
      objectId: this.readerId,
      functionDeclaration: 'function () { return this.takeHeld(); }',
      objectGroup: HELD_GROUP,
      silent: true,
    });
    const list = result.objectId ? await this.getProperties(result.objectId) : undefined;
    const ids: string[] = [];
    for (const d of list?.result ?? []) if (/^\d+$/.test(d.name) && d.value?.objectId) ids[Number(d.name)] = d.value.objectId;
    return ids;
  }
}

type RemoteObject = Protocol.Runtime.RemoteObject;

/**
 * Runs in the target, stringified: it may use nothing from this module, only
 * its options and the target's built-ins, captured here before any read.
 */
function targetReader(options: ReaderOptions) {
  const types = (process as any).getBuiltinModule('node:util').types;
  const apply = Reflect.apply;
  const ownKeys = Reflect.ownKeys;
  const describe = Object.getOwnPropertyDescriptor;
  const protoOf = Object.getPrototypeOf;
  const isArray = Array.isArray;
  const toText = String;
  const stringify = JSON.stringify;
  const toStringTag = Symbol.toStringTag;
  const { isProxy, isTypedArray, isMap, isSet, isNativeError, isDate, isRegExp, isPromise, isAsyncFunction, isGeneratorFunction } = types;
  const { isWeakMap, isWeakSet, isAnyArrayBuffer, isDataView, isGeneratorObject, isMapIterator, isSetIterator } = types;
  const getterOf = (proto: object, key: PropertyKey) => describe(proto, key)!.get!;
  const typedLength = getterOf(protoOf(Uint8Array.prototype), 'length');
  const mapSize = getterOf(Map.prototype, 'size');
  const setSize = getterOf(Set.prototype, 'size');
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;
  const mapNext = protoOf(new Map().entries()).next;
  const setNext = protoOf(new Set().values()).next;
  const bufferLength = getterOf(ArrayBuffer.prototype, 'byteLength');
  const viewLength = getterOf(DataView.prototype, 'byteLength');
  const functionText = Function.prototype.toString;
  const dateText = Date.prototype.toString;
  const regexpSource = getterOf(RegExp.prototype, 'source');
  // The flags in the order RegExp.prototype.flags gives them, each read by its own native getter.
  const flagNames = ['hasIndices', 'd', 'global', 'g', 'ignoreCase', 'i', 'multiline', 'm', 'dotAll', 's', 'unicode', 'u', 'unicodeSets', 'v', 'sticky', 'y'];
  const flagGetters: Array<{ get: () => boolean; flag: string }> = [];
  for (let i = 0; i < flagNames.length; i += 2) {
    if (describe(RegExp.prototype, flagNames[i])) flagGetters[flagGetters.length] = { get: getterOf(RegExp.prototype, flagNames[i]), flag: flagNames[i + 1] };
  }
  const slice = String.prototype.slice;
  const lower = String.prototype.toLowerCase;
  const includes = String.prototype.includes;
  const charCodeAt = String.prototype.charCodeAt;
  const { depth: maxDepth, maxElements, maxString, largest, secretNeedles } = options;
  const scaffolding = [Object.prototype, Array.prototype];

  /**
   * Whether the reader's own objects and arrays are safe to build and stringify:
   * a toJSON or an indexed property on their prototypes would be the target's
   * code run by JSON.stringify or by an element's assignment. Then it declines.
   */
  function scaffoldingIsPlain(): boolean {
    for (let p = 0; p < scaffolding.length; p++) {
      const keys = ownKeys(scaffolding[p]);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        if (key === 'toJSON' || (typeof key === 'string' && key.length > 0 && key.length < 10 && toText(+key) === key)) return false;
      }
    }
    return true;
  }

  /** A key's name without case, '-', '_' or white space, as tripod's redaction compares them (no RegExp: its methods can be replaced). */
  function normalised(name: string): string {
    const low: string = apply(lower, name, []);
    let out = '';
    for (let i = 0; i < low.length; i++) {
      const c: number = apply(charCodeAt, low, [i]);
      if (c !== 45 && c !== 95 && c !== 32 && (c < 9 || c > 13)) out += low[i];
    }
    return out;
  }

  function isSecret(name: string): boolean {
    if (secretNeedles.length === 0) return false;
    const hay = normalised(name);
    for (let i = 0; i < secretNeedles.length; i++) if (apply(includes, hay, [secretNeedles[i]])) return true;
    return false;
  }

  function keyName(key: PropertyKey): string {
    return typeof key === 'string' ? key : toText(key);
  }

  /** An own property's descriptor; a module namespace's binding still in its temporal dead zone throws. */
  function ownDescriptor(owner: object, key: PropertyKey): PropertyDescriptor | 'unset' | undefined {
    try {
      return describe(owner, key);
    } catch {
      return 'unset';
    }
  }

  /**
   * The class name V8 would give (JSReceiver::GetConstructorName): along the
   * prototype chain, a Symbol.toStringTag data property, else (past the object
   * itself) the name of a `constructor` data property. A Proxy in the chain ends
   * the walk: looking at it would call its traps.
   */
  function constructorName(value: object): string {
    try {
      for (let at: object | null = value; at !== null && !isProxy(at); at = protoOf(at)) {
        const tag = dataValue(at, toStringTag);
        if (typeof tag === 'string') return tag;
        if (at === value) continue;
        const ctor = dataValue(at, 'constructor');
        if (typeof ctor !== 'function' || isProxy(ctor)) continue;
        const name = dataValue(ctor, 'name');
        if (typeof name === 'string' && name !== '') return name;
      }
    } catch {}
    return 'Object';
  }

  function dataValue(owner: object, key: PropertyKey): unknown {
    const d = describe(owner, key);
    return d && 'value' in d ? d.value : undefined;
  }

  /** What the error's first stack line says, built from data properties only (reading `stack` could run Error.prepareStackTrace). */
  function errorText(error: object, className: string): string {
    let name: unknown;
    for (let at: object | null = error; at !== null && !isProxy(at) && name === undefined; at = protoOf(at)) name = dataValue(at, 'name');
    const message = dataValue(error, 'message');
    const head = typeof name === 'string' ? name : className;
    return typeof message === 'string' && message !== '' ? `${head}: ${message}` : head;
  }

  let table: Record<string, { result: any[]; internalProperties?: any[]; omitted?: number }> = { __proto__: null } as any;
  let held: object[] = [];
  let next = 0;
  let queue: Array<{ id: string; value: object; depth: number; kind: string }> = [];
  let room = options.cap;

  /**
   * An id for a container, listed after this level if depth, size and room allow.
   * Every container gets one: ValueReader checks depth and size itself, and marks them, before it asks.
   */
  function later(value: object, depth: number, kind: string, size: number): string {
    const id = options.listed + next++;
    if (depth < maxDepth && size <= largest && room > 0) {
      room--;
      queue[queue.length] = { id, value, depth, kind };
    }
    return id;
  }

  function remote(value: unknown, depth: number): Partial<RemoteObject> {
    switch (typeof value) {
      case 'string':
        return value.length <= maxString ? { type: 'string', value } : { type: 'string', value: apply(slice, value, [0, maxString]), length: value.length } as any;
      case 'number':
        if (value !== value || value === Infinity || value === -Infinity || (value === 0 && 1 / value < 0)) return { type: 'number', unserializableValue: value === 0 ? '-0' : toText(value) };
        return { type: 'number', value };
      case 'boolean':
        return { type: 'boolean', value };
      case 'undefined':
        return { type: 'undefined' };
      case 'bigint':
        return { type: 'bigint', unserializableValue: `${toText(value)}n` };
      case 'symbol':
        return { type: 'symbol', description: toText(value) };
      case 'function': {
        const className = isAsyncFunction(value) ? 'AsyncFunction' : isGeneratorFunction(value) ? 'GeneratorFunction' : 'Function';
        let text = '';
        try {
          text = apply(slice, apply(functionText, value, []), [0, options.functionHead]);
        } catch {}
        for (let i = 0; i < text.length; i++) {
          const c: number = apply(charCodeAt, text, [i]);
          if (c === 40 || c === 123) {
            text = apply(slice, text, [0, i + 1]);
            break;
          }
        }
        return { type: 'function', className, description: text };
      }
    }
    return objectRemote(value as object | null, depth);
  }

  function objectRemote(value: object | null, depth: number): Partial<RemoteObject> {
    if (value === null) return { type: 'object', subtype: 'null', value: null };
    if (isProxy(value)) return { type: 'object', subtype: 'proxy', className: 'Object', description: 'Proxy' };
    const className = constructorName(value);
    if (isArray(value) || isTypedArray(value)) {
      const length = isArray(value) ? (dataValue(value, 'length') as number) : (apply(typedLength, value, []) as number);
      const subtype = isArray(value) ? 'array' : 'typedarray';
      return { type: 'object', subtype, className, description: `${className}(${length})`, objectId: later(value, depth, subtype, length) };
    }
    if (isMap(value) || isSet(value)) {
      const subtype = isMap(value) ? 'map' : 'set';
      const size = apply(subtype === 'map' ? mapSize : setSize, value, []) as number;
      return { type: 'object', subtype, className, description: `${className}(${size})`, objectId: later(value, depth, subtype, size) };
    }
    if (isNativeError(value)) return { type: 'object', subtype: 'error', className, description: errorText(value, className) };
    if (isDate(value)) return { type: 'object', subtype: 'date', className, description: apply(dateText, value, []) };
    if (isRegExp(value)) {
      let flags = '';
      for (let i = 0; i < flagGetters.length; i++) if (apply(flagGetters[i].get, value, [])) flags += flagGetters[i].flag;
      return { type: 'object', subtype: 'regexp', className, description: `/${apply(regexpSource, value, [])}/${flags}` };
    }
    if (isPromise(value)) {
      held[held.length] = value;
      return { type: 'object', subtype: 'promise', className, description: 'Promise', objectId: options.held + (held.length - 1) };
    }
    if (isWeakMap(value)) return { type: 'object', subtype: 'weakmap', className };
    if (isWeakSet(value)) return { type: 'object', subtype: 'weakset', className };
    if (isAnyArrayBuffer(value)) return { type: 'object', subtype: 'arraybuffer', className, description: `${className}(${apply(bufferLength, value, [])})` };
    if (isDataView(value)) return { type: 'object', subtype: 'dataview', className, description: `${className}(${apply(viewLength, value, [])})` };
    if (isGeneratorObject(value)) return { type: 'object', subtype: 'generator', className };
    if (isMapIterator(value) || isSetIterator(value)) {
      const name = isMapIterator(value) ? 'MapIterator' : 'SetIterator';
      return { type: 'object', subtype: 'iterator', className: name };
    }
    return { type: 'object', className, objectId: later(value, depth, 'object', 0) };
  }

  /** A property as getProperties lists it, from its own descriptor (read once by the caller). */
  function entry(key: PropertyKey, d: PropertyDescriptor | 'unset', depth: number): any {
    const name = keyName(key);
    if (d === 'unset') return { name, value: { type: 'undefined' } };
    if (!('value' in d)) return { name, get: d.get ? { type: 'function' } : undefined, set: d.set ? { type: 'function' } : undefined };
    return { name, value: isSecret(name) ? { type: 'undefined' } : remote(d.value, depth) };
  }

  function listProperties(value: object, depth: number) {
    const result: any[] = [];
    let omitted = 0;
    const keys = ownKeys(value);
    for (let i = 0; i < keys.length; i++) {
      const d = ownDescriptor(value, keys[i]);
      if (!d || (d !== 'unset' && !d.enumerable)) continue;
      if (result.length >= maxElements) omitted++;
      else result[result.length] = entry(keys[i], d, depth + 1);
    }
    return { result, omitted };
  }

  function listItems(value: object, depth: number, length: number) {
    const result: any[] = [];
    for (let i = 0; i < length && result.length < maxElements; i++) {
      const d = describe(value, i);
      if (d) result[result.length] = entry(i, d, depth + 1);
    }
    return { result };
  }

  function listEntries(value: object, depth: number, isMapValue: boolean) {
    const iterator = apply(isMapValue ? mapEntries : setValues, value, []);
    const step = isMapValue ? mapNext : setNext;
    const entriesId = options.listed + next++;
    const entries: any[] = [];
    for (let i = 0; i < maxElements; i++) {
      const item: IteratorResult<any> = apply(step, iterator, []);
      if (item.done) break;
      const entryId = options.listed + next++;
      const key = isMapValue ? item.value[0] : undefined;
      const val = isMapValue ? item.value[1] : item.value;
      const secret = isMapValue && typeof key === 'string' && isSecret(key);
      table[entryId] = {
        result: isMapValue
          ? [{ name: 'key', value: remote(key, depth + 1) }, { name: 'value', value: secret ? { type: 'undefined' } : remote(val, depth + 1) }]
          : [{ name: 'value', value: remote(val, depth + 1) }],
      };
      entries[entries.length] = { name: `${i}`, value: { type: 'object', objectId: entryId } };
    }
    table[entriesId] = { result: entries };
    return { result: [], internalProperties: [{ name: '[[Entries]]', value: { type: 'object', subtype: 'array', objectId: entriesId } }] };
  }

  function list(item: { value: object; depth: number; kind: string }) {
    const { value, depth, kind } = item;
    if (kind === 'array' || kind === 'typedarray') {
      const length = kind === 'array' ? (dataValue(value, 'length') as number) : (apply(typedLength, value, []) as number);
      return listItems(value, depth, length);
    }
    if (kind === 'map' || kind === 'set') return listEntries(value, depth, kind === 'map');
    return listProperties(value, depth);
  }

  /** Every variable of each scope object, then, level by level, the containers under them. */
  function read(scopes: ArrayLike<object>): string | undefined {
    if (!scaffoldingIsPlain()) return undefined;
    next = 0;
    room = options.cap;
    held = [];
    queue = [];
    const scopeIds: string[] = [];
    for (let i = 0; i < scopes.length; i++) {
      const id = options.listed + next++;
      const result: any[] = [];
      const keys = ownKeys(scopes[i]);
      for (let k = 0; k < keys.length; k++) {
        const d = ownDescriptor(scopes[i], keys[k]);
        if (d) result[result.length] = entry(keys[k], d, 0);
      }
      table[id] = { result };
      scopeIds[i] = id;
    }
    while (queue.length > 0) {
      const level = queue;
      queue = [];
      for (let i = 0; i < level.length; i++) table[level[i].id] = list(level[i]);
    }
    const answer = stringify({ held: held.length, scopes: scopeIds, table });
    table = { __proto__: null } as any;
    return answer;
  }

  /** The promises the last read held, handed over once and then let go. */
  function takeHeld(): object[] {
    const out = held;
    held = [];
    return out;
  }

  return { read, takeHeld };
}
