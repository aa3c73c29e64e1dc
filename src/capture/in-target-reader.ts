/**
 * Reads a paused frame's scopes inside the target, in one call: a function
 * installed once on the main thread walks the scope objects and the containers
 * under them and returns, as one JSON text, what Runtime.getProperties would have
 * answered for each (shaped the same, so ValueReader turns it into values).
 * One Runtime.callFunctionOn replaces a round trip per nesting level of dozens
 * of getProperties calls, each ~40 µs of main-thread time (BENCHMARKS.md, stop).
 *
 * It is the only reader: getProperties itself is not safe, since V8 describes
 * every value it lists, and its description of an Error reads `name`, `message`
 * and `stack` through their getters (and Error.prepareStackTrace), and listing
 * an object whose prototype is a Proxy walks into the Proxy's traps.
 *
 * It must never run the target's code. It is compiled in a realm of tripod's
 * own, made from Node's verified natives (fresh-realm.ts), whose Reflect.ownKeys,
 * Object.getOwnPropertyDescriptor, JSON and String methods the program cannot
 * have replaced, and calls util.types' natives from Node's internalBinding('types')
 * (on a Node too old for that realm: a node:vm context and node:util's util.types,
 * checked to be native functions, as the program left the modules); it only
 * lists own properties and reads internal slots through native getters that
 * check their receiver, never reads through a getter, and never touches a Proxy
 * (util.types.isProxy sees one without calling its traps). A Promise's state has
 * no such built-in: promises are left unread.
 *
 * Every read is bounded: by --depth, --max-elements and the object budget, by
 * MAX_SCOPE_VARIABLES per scope, and per sample by READ_DEADLINE_MS of the
 * target's time and READ_SIZE_BUDGET characters of answer; what is left over is
 * marked with why. An object with more own keys than LARGEST_LISTED_CONTAINER
 * costs one listing of its keys the first time (no built-in lists only the first
 * N); the reader remembers it and marks it by its size from then on, unlisted.
 */
import type { CaptureLimits } from '../config';
import type { CdpClient } from './cdp';
import { bindingOf, callDeclaration, compileIn, type FreshRealm, FreshRealmTooOld, FreshRealmUnavailable, withFreshRealm } from './fresh-realm';
import { globalProperties } from './node-internals';
import { secretNeedles } from './redact';
import { LARGEST_LISTED_CONTAINER, OBJECT_BUDGET, type PropertyList, type PropertySource } from './values';

/** Ids the reader gives the objects it listed. */
const LISTED = 'listed:';
/** Containers the reader lists per call: above what ValueReader's budget can ask for, so it never misses one it wants. */
const LISTING_CAP = OBJECT_BUDGET * 2;
/** A function's source is cut after its name: at its first '(' or '{', within this many characters. */
const FUNCTION_HEAD = 120;
/** Variables listed per scope; the rest are counted (bundled code closes over thousands). */
export const MAX_SCOPE_VARIABLES = 100;
/** The target's time one read may take; containers not listed by then are marked `time`. */
export const READ_DEADLINE_MS = 30;
/** Characters of answer one read may write; containers not listed by then are marked `record`. */
export const READ_SIZE_BUDGET = 200_000;

interface ReaderOptions {
  depth: number;
  maxElements: number;
  maxString: number;
  largest: number;
  cap: number;
  secretNeedles: string[];
  listed: string;
  functionHead: number;
  maxScopeVariables: number;
  deadlineMs: number;
  sizeBudget: number;
}

interface ReaderAnswer {
  scopes: string[];
  table: Record<string, PropertyList>;
}

/** The reader's answer as it came (JSON text), parsed only once the thread runs again. */
export type RawListing = string;

/** The installed reader's object id, or why it declined to install (then samples go without variables). */
export type ReaderInstall = { id: string } | { declined: string };

/**
 * The global a reader built with these options is kept on: options differ between
 * tripod runs attached to one process, so the name carries a hash of them.
 */
function holderName(options: ReaderOptions): string {
  const text = JSON.stringify(options);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `__tripodReader_${hash.toString(36)}`;
}

function readerOptions(limits: CaptureLimits): ReaderOptions {
  return {
    depth: limits.depth,
    maxElements: limits.maxElements,
    maxString: limits.maxString,
    largest: LARGEST_LISTED_CONTAINER,
    cap: LISTING_CAP,
    secretNeedles: secretNeedles(limits.redactKeys),
    listed: LISTED,
    functionHead: FUNCTION_HEAD,
    maxScopeVariables: MAX_SCOPE_VARIABLES,
    deadlineMs: READ_DEADLINE_MS,
    sizeBudget: READ_SIZE_BUDGET,
  };
}

/**
 * The reader an earlier session of this client installed or found in the same
 * process, in one evaluate. Its holder is the global's own non-configurable,
 * non-writable data property, so the lookup reads that property and nothing of
 * the program's; before it is known to be there, installReader looks through
 * CDP alone. A new capture session pays one script and one round trip for it,
 * not three and six (each such script is one more for every later
 * Debugger.enable to replay until a full GC: script-pile.ts).
 */
export async function findInstalledReader(cdp: CdpClient, limits: CaptureLimits): Promise<ReaderInstall> {
  const { result, exceptionDetails } = await cdp.post('Runtime.evaluate', { expression: `this.${holderName(readerOptions(limits))}`, silent: true });
  return !exceptionDetails && result.type === 'object' && result.objectId ? { id: result.objectId } : { declined: 'it could not be found again' };
}

/**
 * Whether the reader's holder is the global's own data property (read by
 * descriptor, nothing of the program's called): only then may a later session
 * look it up by name. An install whose define failed (a frozen global, a name
 * taken) left it elsewhere, and a lookup by name would walk the global's prototypes.
 */
export async function readerOnGlobal(cdp: CdpClient, limits: CaptureLimits): Promise<boolean> {
  const kept = (await globalProperties(cdp, [holderName(readerOptions(limits))]))[0];
  return kept?.value?.type === 'object' && !kept.get && !kept.set;
}

/**
 * Installs the reader on the target's thread, compiled in a fresh realm of
 * tripod's (fresh-realm.ts) with util.types' natives from Node's
 * `internalBinding('types')`: nothing the program could replace is called. A
 * Node where that realm cannot be made (before 20.18 and 22.8) gets the reader
 * built from `process.getBuiltinModule`'s node:vm and node:util as the program
 * left them (README Limits). It declines (and says why) where it cannot read
 * safely: a Node without process.getBuiltinModule (before 20.16 and 22.3), or,
 * on that route, a program that replaced util.types' checks.
 */
export async function installReader(cdp: CdpClient, limits: CaptureLimits): Promise<ReaderInstall> {
  const options = readerOptions(limits);
  const holder = holderName(options);
  try {
    // A reader installed by an earlier session (each capture may have its own) is reused: its own data property, read by descriptor.
    const kept = (await globalProperties(cdp, [holder]))[0]?.value;
    if (kept?.type === 'object' && kept.objectId) return { id: kept.objectId };
    const fresh = await inFreshRealm(cdp, options, holder);
    if (fresh) return fresh;
    const { result, exceptionDetails } = await cdp.post('Runtime.evaluate', {
      // `this`, at a script's top level, is the global object: no name is looked up.
      expression: `(${targetReader.toString()})(${JSON.stringify(options)}, this, ${JSON.stringify(holder)}, null)`,
      silent: true,
    });
    if (result.type === 'string') return { declined: String(result.value) };
    return !exceptionDetails && result.objectId ? { id: result.objectId } : { declined: 'it could not be installed' };
  } catch {
    return { declined: 'it could not be installed' };
  }
}

/**
 * The reader compiled in tripod's fresh realm; undefined only where this Node is
 * too old to make one. Any other failure declines: a program can hide Node's
 * internals from tripod (a `process` of its own), and must not thereby send
 * the reader to the route that calls its getBuiltinModule.
 */
async function inFreshRealm(cdp: CdpClient, options: ReaderOptions, holder: string): Promise<ReaderInstall | undefined> {
  try {
    return await withFreshRealm(cdp, (realm) => installIn(cdp, realm, options, holder));
  } catch (error) {
    if (error instanceof FreshRealmTooOld) return undefined;
    if (error instanceof FreshRealmUnavailable) return { declined: `tripod could not make its own realm there (${error.message})` };
    throw error;
  }
}

async function installIn(cdp: CdpClient, realm: FreshRealm, options: ReaderOptions, holder: string): Promise<ReaderInstall> {
  const [build, types] = await Promise.all([compileIn(cdp, realm, READER_PARAMETERS, `return (${targetReader.toString()})(${READER_PARAMETERS.join(', ')});`), bindingOf(cdp, realm, 'types')]);
  if (!types) return { declined: "Node's internalBinding('types') was not found" };
  const answer = await cdp.post('Runtime.callFunctionOn', {
    objectId: build,
    functionDeclaration: callDeclaration(READER_PARAMETERS.length),
    arguments: [{ value: options }, { objectId: realm.global }, { value: holder }, { objectId: types }],
    silent: true,
  });
  if (answer.result.type === 'string') return { declined: String(answer.result.value) };
  return !answer.exceptionDetails && answer.result.objectId ? { id: answer.result.objectId } : { declined: 'it could not be installed' };
}

const READER_PARAMETERS = ['options', 'global', 'holder', 'nodeTypes'] as const;

/**
 * Lists the given scope objects and what is under them, in one call. `sameKeys`
 * names, per scope, the closure it belongs to ("" for none): scopes of the same
 * closure with the same variables are listed once.
 */
export async function readInTarget(cdp: CdpClient, readerId: string, scopeObjectIds: string[], sameKeys: string[]): Promise<RawListing | undefined> {
  const { result, exceptionDetails } = await cdp.post('Runtime.callFunctionOn', {
    objectId: readerId,
    functionDeclaration: 'function () { return this.read(arguments); }',
    arguments: [{ value: JSON.stringify(sameKeys) }, ...scopeObjectIds.map((objectId) => ({ objectId }))],
    returnByValue: true,
    silent: true,
  });
  if (exceptionDetails || typeof result.value !== 'string') return undefined;
  return result.value;
}

/**
 * Answers ValueReader's getProperties from the reader's listing. The listing
 * leaves out what ValueReader does without (`enumerable`: only enumerable
 * properties are listed), to keep what the main thread sends small.
 */
export class InTargetListing {
  private readonly answer: ReaderAnswer;

  constructor(raw: RawListing) {
    this.answer = JSON.parse(raw) as ReaderAnswer;
  }

  get scopeIds(): string[] {
    return this.answer.scopes;
  }

  readonly properties: PropertySource = async (objectId) => this.answer.table[objectId];
}

/**
 * Runs in the target, stringified: it may use nothing from this module, only
 * its options and the target's built-ins, captured here before any read.
 *
 * It writes its answer as JSON text piece by piece (strings quoted by
 * JSON.stringify, which runs no toJSON on a primitive), and keeps its own lists
 * in null-prototype objects: nothing it builds looks anything up on
 * Object.prototype or Array.prototype, so what a program put there never runs.
 * Each value is read in a try block: a built-in that throws on it (a detached
 * view) leaves that value marked unreadable, never the whole read failed.
 */
function targetReader(options: ReaderOptions, global: object, holder: string, nodeTypes: object | null): { read(args: ArrayLike<unknown>): string | undefined } | string {
  // Nothing here may throw: V8 would describe the exception, which can run the program's Error.prepareStackTrace.
  let types: any;
  let realm: any;
  // Compiled in tripod's fresh realm: its globals are that realm's own, and Node's natives come as nodeTypes.
  if (nodeTypes !== null) {
    types = nodeTypes;
    // (Its built-ins are read off its global: the names below are this function's own consts.)
    realm = globalThis;
  } else try {
    const load = (process as any).getBuiltinModule;
    if (typeof load !== 'function') return 'this Node has no process.getBuiltinModule (added in 20.16 and 22.3)';
    types = load('node:util').types;
    // A new realm's built-ins: the program cannot have replaced them (its own Reflect.ownKeys, JSON, String.prototype...).
    realm = load('node:vm').runInNewContext(
      '({ Reflect, Object, JSON, String, Function, Map, Set, WeakSet, Date, RegExp, Number, Boolean, BigInt, Symbol, Array, ArrayBuffer, SharedArrayBuffer, DataView, Uint8Array, Proxy })',
    );
  } catch {
    return 'node:util or node:vm could not be loaded';
  }
  const { Reflect, Object, JSON, String, Function, Map, Set, WeakSet, Date, RegExp, Number, Boolean, BigInt, Symbol, Array, ArrayBuffer, SharedArrayBuffer, DataView, Uint8Array, Proxy } =
    realm;
  const apply = Reflect.apply;
  const functionText = Function.prototype.toString;
  const typeChecks = [
    'isProxy', 'isMap', 'isSet', 'isNativeError', 'isDate', 'isRegExp', 'isPromise', 'isAsyncFunction', 'isGeneratorFunction',
    'isWeakMap', 'isWeakSet', 'isAnyArrayBuffer', 'isSharedArrayBuffer', 'isGeneratorObject', 'isMapIterator', 'isSetIterator',
    'isStringObject', 'isNumberObject', 'isBooleanObject', 'isBigIntObject', 'isSymbolObject', 'isModuleNamespaceObject',
  ];
  // util.types is the program's to replace: each check must still be Node's native function (and isProxy tell a Proxy).
  for (let i = 0; i < typeChecks.length; i++) {
    const check = Reflect.getOwnPropertyDescriptor(types, typeChecks[i]);
    let text = '';
    try {
      text = check && 'value' in check && typeof check.value === 'function' ? apply(functionText, check.value, []) : '';
    } catch {}
    if (text !== 'function ' + typeChecks[i] + '() { [native code] }' && text !== 'function () { [native code] }') return 'util.types.' + typeChecks[i] + ' is not Node\'s own';
  }
  if (!types.isProxy(new Proxy({}, {})) || types.isProxy({})) return 'util.types.isProxy is not Node\'s own';
  const ownKeys = Reflect.ownKeys;
  const enumerableNames = Object.keys;
  const ownSymbols = Object.getOwnPropertySymbols;
  const describe = Object.getOwnPropertyDescriptor;
  const protoOf = Object.getPrototypeOf;
  const isArray = Array.isArray;
  const toText = String;
  const quote: (text: string) => string = JSON.stringify;
  const parse = JSON.parse;
  const clock = Date.now;
  const toStringTag = Symbol.toStringTag;
  const { isProxy, isMap, isSet, isNativeError, isDate, isRegExp, isPromise, isAsyncFunction, isGeneratorFunction } = types;
  const { isWeakMap, isWeakSet, isAnyArrayBuffer, isSharedArrayBuffer, isGeneratorObject, isMapIterator, isSetIterator } = types;
  const { isStringObject, isNumberObject, isBooleanObject, isBigIntObject, isSymbolObject, isModuleNamespaceObject } = types;
  const getterOf = (proto: object, key: PropertyKey) => describe(proto, key)!.get!;
  const typedLength = getterOf(protoOf(Uint8Array.prototype), 'length');
  // util.types.isTypedArray (and, on Node 24, isDataView) are written in JS: this realm's natives answer instead.
  const typedTag = getterOf(protoOf(Uint8Array.prototype), toStringTag);
  const isTypedArray = (value: unknown): boolean => apply(typedTag, value, []) !== undefined;
  const isView = ArrayBuffer.isView;
  const isDataView = (value: unknown): boolean => isView(value) && !isTypedArray(value);
  const mapSize = getterOf(Map.prototype, 'size');
  const setSize = getterOf(Set.prototype, 'size');
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;
  const mapNext = protoOf(new Map().entries()).next;
  const setNext = protoOf(new Set().values()).next;
  const bufferLength = getterOf(ArrayBuffer.prototype, 'byteLength');
  const sharedBufferLength = getterOf(SharedArrayBuffer.prototype, 'byteLength');
  const viewLength = getterOf(DataView.prototype, 'byteLength');
  const dateText = Date.prototype.toString;
  const regexpSource = getterOf(RegExp.prototype, 'source');
  const stringValueOf = String.prototype.valueOf;
  const numberValueOf = Number.prototype.valueOf;
  const booleanValueOf = Boolean.prototype.valueOf;
  const bigintValueOf = BigInt.prototype.valueOf;
  const symbolValueOf = Symbol.prototype.valueOf;
  const HugeObjects = WeakSet;
  const hugeHas = WeakSet.prototype.has;
  const hugeAdd = WeakSet.prototype.add;
  // The flags in the order RegExp.prototype.flags gives them, each read by its own native getter.
  const flagNames = ['hasIndices', 'd', 'global', 'g', 'ignoreCase', 'i', 'multiline', 'm', 'dotAll', 's', 'unicode', 'u', 'unicodeSets', 'v', 'sticky', 'y'];
  const flagGetters: { [i: number]: { get: () => boolean; flag: string }; length: number } = { __proto__: null, length: 0 } as any;
  for (let i = 0; i < flagNames.length; i += 2) {
    if (describe(RegExp.prototype, flagNames[i])) flagGetters[flagGetters.length++] = { __proto__: null, get: getterOf(RegExp.prototype, flagNames[i]), flag: flagNames[i + 1] } as any;
  }
  const slice = String.prototype.slice;
  const lower = String.prototype.toLowerCase;
  const includes = String.prototype.includes;
  const charCodeAt = String.prototype.charCodeAt;
  const { depth: maxDepth, maxElements, maxString, largest, secretNeedles, maxScopeVariables } = options;
  const hugeBigint = BigInt(10) ** BigInt(1000);
  /** Objects found with more own keys than `largest`: later samples mark them without listing them again. */
  const huge = new HugeObjects();

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

  /**
   * A name longer than this is taken for a secret's rather than scanned: scanning
   * a million-character key character by character would take the read's whole time.
   */
  const longestScannedName = 1000;
  /** A secret's value, not read; marked, since the name ValueReader sees may be cut short. */
  const REDACTED_REMOTE = '{"type":"undefined","redacted":true}';

  function isSecret(name: string): boolean {
    if (secretNeedles.length === 0) return false;
    if (name.length > longestScannedName) return true;
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

  function dataValue(owner: object, key: PropertyKey): unknown {
    const d = describe(owner, key);
    return d && 'value' in d ? d.value : undefined;
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

  /** What the error's first stack line says, built from data properties only (reading `stack` could run Error.prepareStackTrace). */
  function errorText(error: object, className: string): string {
    let name: unknown;
    for (let at: object | null = error; at !== null && !isProxy(at) && name === undefined; at = protoOf(at)) name = dataValue(at, 'name');
    const message = dataValue(error, 'message');
    const head = typeof name === 'string' ? clipName(name) : className;
    return typeof message === 'string' && message !== '' ? head + ': ' + clip(message) : head;
  }

  interface Queued {
    id: string;
    value: object;
    depth: number;
    kind: string;
  }

  /** The answer's table, as JSON text: `"id":{...},` per listed container. */
  let out = '';
  let next = 0;
  let queue: { [i: number]: Queued; length: number } = { __proto__: null, length: 0 } as any;
  let room = options.cap;
  let deadline = 0;

  /** Why reading stops here: the sample's time or size ceiling is reached, counting `pending` characters not yet in `out` (undefined: read on). */
  function spent(pending = 0): string | undefined {
    if (out.length + pending > options.sizeBudget) return 'record';
    if (clock() > deadline) return 'time';
    return undefined;
  }

  /**
   * An id for a container, listed after this level if depth and room allow. An
   * array, typed array, Map or Set of any size is listed: only its first
   * --max-elements are read (listItems, listEntries). Every container gets an
   * id: ValueReader checks depth itself, and marks it, before it asks.
   */
  function later(value: object, depth: number, kind: string): string {
    const id = options.listed + next++;
    if (depth < maxDepth && room > 0) {
      room--;
      queue[queue.length++] = { __proto__: null, id, value, depth, kind } as any;
    }
    return id;
  }

  /**
   * Text the program controls (a key, a class name, an error's message) cut, so
   * none can make the answer huge: to one character over --max-string, so that
   * ValueReader still sees it was long and marks its own cut.
   */
  function clip(text: string): string {
    return text.length <= maxString ? text : apply(slice, text, [0, maxString + 1]);
  }

  /** A name (of a property, a class, a symbol) cut at `longestScannedName` characters, whatever --max-string says. */
  function clipName(text: string): string {
    return text.length <= longestScannedName ? text : apply(slice, text, [0, longestScannedName]);
  }

  function stringRemote(value: string): string {
    if (value.length <= maxString) return '{"type":"string","value":' + quote(value) + '}';
    return '{"type":"string","value":' + quote(apply(slice, value, [0, maxString])) + ',"length":' + value.length + '}';
  }

  function numberRemote(value: number): string {
    if (value !== value || value === Infinity || value === -Infinity || (value === 0 && 1 / value < 0)) {
      return '{"type":"number","unserializableValue":' + quote(value === 0 ? '-0' : toText(value)) + '}';
    }
    return '{"type":"number","value":' + toText(value) + '}';
  }

  /** A value as getProperties would describe it, as JSON text; one that a built-in throws on is marked unreadable. */
  function remote(value: unknown, depth: number): string {
    try {
      return remoteOf(value, depth);
    } catch {
      return '{"type":"object","subtype":"unreadable","className":"Object"}';
    }
  }

  function remoteOf(value: unknown, depth: number): string {
    switch (typeof value) {
      case 'string':
        return stringRemote(value);
      case 'number':
        return numberRemote(value);
      case 'boolean':
        return value ? '{"type":"boolean","value":true}' : '{"type":"boolean","value":false}';
      case 'undefined':
        return '{"type":"undefined"}';
      case 'bigint':
        // Writing out a bigint of millions of digits would take seconds: past a thousand, only that is said.
        if (value >= hugeBigint || value <= -hugeBigint) return '{"type":"bigint","unserializableValue":"(over 1000 digits)"}';
        return '{"type":"bigint","unserializableValue":' + quote(toText(value) + 'n') + '}';
      case 'symbol':
        return '{"type":"symbol","description":' + quote(clipName(toText(value))) + '}';
      case 'function':
        return functionRemote(value);
    }
    return objectRemote(value as object | null, depth);
  }

  function functionRemote(value: Function): string {
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
    return '{"type":"function","className":"' + className + '","description":' + quote(text) + '}';
  }

  function objectHead(subtype: string, className: string): string {
    return '{"type":"object","subtype":"' + subtype + '","className":' + quote(className);
  }

  function objectRemote(value: object | null, depth: number): string {
    if (value === null) return '{"type":"object","subtype":"null","value":null}';
    if (isProxy(value)) return '{"type":"object","subtype":"proxy","className":"Object","description":"Proxy"}';
    const className = clipName(constructorName(value));
    if (isArray(value) || isTypedArray(value)) {
      const length = isArray(value) ? (dataValue(value, 'length') as number) : (apply(typedLength, value, []) as number);
      const subtype = isArray(value) ? 'array' : 'typedarray';
      return objectHead(subtype, className) + ',"description":' + quote(className + '(' + length + ')') + ',"objectId":"' + later(value, depth, subtype) + '"}';
    }
    if (isMap(value) || isSet(value)) {
      const subtype = isMap(value) ? 'map' : 'set';
      const size = apply(subtype === 'map' ? mapSize : setSize, value, []) as number;
      return objectHead(subtype, className) + ',"description":' + quote(className + '(' + size + ')') + ',"objectId":"' + later(value, depth, subtype) + '"}';
    }
    if (isNativeError(value)) return objectHead('error', className) + ',"description":' + quote(clip(errorText(value, className))) + '}';
    if (isDate(value)) return objectHead('date', className) + ',"description":' + quote(apply(dateText, value, [])) + '}';
    if (isRegExp(value)) {
      let flags = '';
      for (let i = 0; i < flagGetters.length; i++) if (apply(flagGetters[i].get, value, [])) flags += flagGetters[i].flag;
      return objectHead('regexp', className) + ',"description":' + quote('/' + clip(apply(regexpSource, value, [])) + '/' + flags) + '}';
    }
    // No built-in tells a promise's state, and V8's own description of its result runs getters: not read.
    if (isPromise(value)) return objectHead('promise', className) + ',"description":"Promise"}';
    if (isWeakMap(value)) return objectHead('weakmap', className) + '}';
    if (isWeakSet(value)) return objectHead('weakset', className) + '}';
    if (isAnyArrayBuffer(value)) {
      const bytes = apply(isSharedArrayBuffer(value) ? sharedBufferLength : bufferLength, value, []) as number;
      return objectHead('arraybuffer', className) + ',"description":' + quote(className + '(' + bytes + ')') + '}';
    }
    if (isDataView(value)) {
      let bytes: string;
      try {
        bytes = toText(apply(viewLength, value, []));
      } catch {
        // Its buffer was detached or shrank below it.
        bytes = 'detached';
      }
      return objectHead('dataview', className) + ',"description":' + quote(className + '(' + bytes + ')') + '}';
    }
    if (isGeneratorObject(value)) return objectHead('generator', className) + '}';
    if (isMapIterator(value) || isSetIterator(value)) return objectHead('iterator', isMapIterator(value) ? 'MapIterator' : 'SetIterator') + '}';
    if (isStringObject(value) || isNumberObject(value) || isBooleanObject(value) || isBigIntObject(value) || isSymbolObject(value)) return boxedRemote(value, className);
    // Its key count then is not known now (counting them is what is avoided): only that it was too large.
    if (apply(hugeHas, huge, [value])) return '{"type":"object","className":' + quote(className) + ',"huge":true}';
    return '{"type":"object","className":' + quote(className) + ',"objectId":"' + later(value, depth, isModuleNamespaceObject(value) ? 'namespace' : 'object') + '"}';
  }

  /**
   * A String, Number, Boolean, BigInt or Symbol wrapper: its primitive, read by the
   * type's own valueOf (which checks the internal slot), never its properties: a
   * String wrapper has one indexed property per character.
   */
  function boxedRemote(value: object, className: string): string {
    const primitive = isStringObject(value)
      ? apply(stringValueOf, value, [])
      : isNumberObject(value)
        ? apply(numberValueOf, value, [])
        : isBooleanObject(value)
          ? apply(booleanValueOf, value, [])
          : isBigIntObject(value)
            ? apply(bigintValueOf, value, [])
            : apply(symbolValueOf, value, []);
    return objectHead('boxed', className) + ',"primitive":' + remoteOf(primitive, 0) + '}';
  }

  /** A property as getProperties lists it, from its own descriptor (read once by the caller), as JSON text. */
  function entry(key: PropertyKey, d: PropertyDescriptor | 'unset', depth: number): string {
    const name = quote(clipName(keyName(key)));
    if (d === 'unset') return '{"name":' + name + ',"value":{"type":"undefined"}}';
    if (!('value' in d)) return '{"name":' + name + (d.get ? ',"get":{"type":"function"}' : '') + (d.set ? ',"set":{"type":"function"}' : '') + '}';
    // A function under a secret name is code, not a secret (crypto.createPrivateKey).
    return '{"name":' + name + ',"value":' + (isSecret(keyName(key)) && typeof d.value !== 'function' ? REDACTED_REMOTE : remote(d.value, depth)) + '}';
  }

  /**
   * An object's enumerable own properties, at most --max-elements. Its keys are
   * listed once (no built-in lists only the first N; Object.keys, which skips
   * the non-enumerable ones, takes half the time of Reflect.ownKeys): one with
   * more than `largest` is remembered and marked by its size from then on, never
   * listed again.
   */
  function listProperties(value: object, depth: number): string {
    let names: PropertyKey[];
    try {
      names = enumerableNames(value);
    } catch {
      // A module namespace with a binding still in its temporal dead zone: its keys one by one.
      names = ownKeys(value);
    }
    if (names.length > largest) {
      apply(hugeAdd, huge, [value]);
      return '{"result":[],"keys":' + names.length + '}';
    }
    const symbols = ownSymbols(value);
    let result = '';
    let kept = 0;
    let omitted = 0;
    let cut: string | undefined;
    for (let i = 0; i < names.length + symbols.length; i++) {
      const key = i < names.length ? names[i] : symbols[i - names.length];
      const d = ownDescriptor(value, key);
      if (!d || (d !== 'unset' && !d.enumerable)) continue;
      if (kept >= maxElements || (cut ??= spent(result.length)) !== undefined) omitted++;
      else result += (kept++ > 0 ? ',' : '') + entry(key, d, depth + 1);
    }
    return '{"result":[' + result + '],"omitted":' + omitted + cutNote(cut) + '}';
  }

  /** A listing stopped midway by the sample's ceilings says so. */
  function cutNote(cut: string | undefined): string {
    return cut ? ',"cut":"' + cut + '"' : '';
  }

  /**
   * The first --max-elements items by index. A sparse array's holes are skipped,
   * but only the first `largest + maxElements` indices are looked at: a
   * 10-million-slot array of holes costs no more than a small one.
   */
  function listItems(value: object, depth: number, length: number): string {
    let result = '';
    let kept = 0;
    let cut: string | undefined;
    const scanned = length < largest + maxElements ? length : largest + maxElements;
    for (let i = 0; i < scanned && kept < maxElements; i++) {
      if ((cut = spent(result.length)) !== undefined) break;
      const d = describe(value, i);
      if (d) result += (kept++ > 0 ? ',' : '') + entry(i, d, depth + 1);
    }
    return '{"result":[' + result + ']' + cutNote(cut) + '}';
  }

  function listEntries(value: object, depth: number, isMapValue: boolean): string {
    const iterator = apply(isMapValue ? mapEntries : setValues, value, []);
    const step = isMapValue ? mapNext : setNext;
    const entriesId = options.listed + next++;
    let entries = '';
    let cut: string | undefined;
    for (let i = 0; i < maxElements; i++) {
      if ((cut = spent(entries.length)) !== undefined) break;
      const item: IteratorResult<any> = apply(step, iterator, []);
      if (item.done) break;
      const entryId = options.listed + next++;
      const key = isMapValue ? item.value[0] : undefined;
      const val = isMapValue ? item.value[1] : item.value;
      const secret = isMapValue && typeof key === 'string' && isSecret(key) && typeof val !== 'function';
      const pair = isMapValue
        ? '{"name":"key","value":' + remote(key, depth + 1) + '},{"name":"value","value":' + (secret ? REDACTED_REMOTE : remote(val, depth + 1)) + '}'
        : '{"name":"value","value":' + remote(val, depth + 1) + '}';
      out += quote(entryId) + ':{"result":[' + pair + ']},';
      entries += (i > 0 ? ',' : '') + '{"name":"' + i + '","value":{"type":"object","objectId":"' + entryId + '"}}';
    }
    out += quote(entriesId) + ':{"result":[' + entries + ']},';
    return '{"result":[],"internalProperties":[{"name":"[[Entries]]","value":{"type":"object","subtype":"array","objectId":"' + entriesId + '"}}]' + cutNote(cut) + '}';
  }

  function list(item: Queued): string {
    const { value, depth, kind } = item;
    if (kind === 'array' || kind === 'typedarray') {
      const length = kind === 'array' ? (dataValue(value, 'length') as number) : (apply(typedLength, value, []) as number);
      return listItems(value, depth, length);
    }
    if (kind === 'map' || kind === 'set') return listEntries(value, depth, kind === 'map');
    return listProperties(value, depth);
  }

  /** One container's listing, or why it was not listed. */
  function listed(item: Queued): string {
    const stop = spent();
    if (stop) return '{"result":[],"unread":"' + stop + '"}';
    try {
      return list(item);
    } catch {
      return '{"result":[],"unread":"unreadable"}';
    }
  }

  /**
   * A scope's variables, at most `maxScopeVariables` of them (bundled code puts
   * thousands in one closure); `omitted` counts the rest.
   */
  function listScope(scope: object, keys: PropertyKey[]): string {
    let result = '';
    let kept = 0;
    let omitted = 0;
    let stop: string | undefined;
    for (let k = 0; k < keys.length; k++) {
      if (kept >= maxScopeVariables || (stop ??= spent(result.length)) !== undefined) {
        omitted++;
        continue;
      }
      const d = ownDescriptor(scope, keys[k]);
      if (d) result += (kept++ > 0 ? ',' : '') + entry(keys[k], d, 0);
    }
    return '{"result":[' + result + '],"omitted":' + omitted + (stop ? ',"unread":"' + stop + '"' : '') + '}';
  }

  /**
   * Whether two scope objects V8 made for the same closure (same key) show the
   * same variables: the same names and the same values (objects by identity), as
   * far as a scope is listed. Then the later frame refers to the first's listing.
   */
  function sameScope(a: object, keysA: PropertyKey[], b: object, keysB: PropertyKey[]): boolean {
    if (keysA.length !== keysB.length) return false;
    const compared = keysA.length < maxScopeVariables ? keysA.length : maxScopeVariables;
    for (let k = 0; k < compared; k++) {
      if (keysA[k] !== keysB[k]) return false;
      const da = ownDescriptor(a, keysA[k]);
      const db = ownDescriptor(b, keysB[k]);
      if (da === 'unset' || db === 'unset' || !da || !db) {
        if (da !== db) return false;
      } else if (da.value !== db.value && !(da.value !== da.value && db.value !== db.value)) return false;
    }
    return true;
  }

  /** Every variable of each scope object, then, level by level, the containers under them. */
  function readAll(scopes: ArrayLike<object>, keys: string[]): string {
    if (keys.length !== scopes.length) return '{"scopes":[],"table":{}}';
    next = 0;
    room = options.cap;
    queue = { __proto__: null, length: 0 } as any;
    out = '';
    deadline = clock() + options.deadlineMs;
    let scopeIds = '';
    const firstOfKey: { [key: string]: number } = { __proto__: null } as any;
    const idOf: { [i: number]: string } = { __proto__: null } as any;
    const keysOf: { [i: number]: PropertyKey[] } = { __proto__: null } as any;
    for (let i = 0; i < scopes.length; i++) {
      // A `with` statement's scope is its object itself, which may be a Proxy (its keys would be its trap's),
      // or an object an earlier sample found too large to list.
      const proxied = isProxy(scopes[i]);
      const known = !proxied && apply(hugeHas, huge, [scopes[i]]);
      keysOf[i] = proxied || known ? (parse('[]') as PropertyKey[]) : ownKeys(scopes[i]);
      if (keysOf[i].length > largest * 10) apply(hugeAdd, huge, [scopes[i]]);
      const key = proxied ? '' : keys[i];
      const earlier = key ? firstOfKey[key] : undefined;
      if (earlier !== undefined && sameScope(scopes[earlier], keysOf[earlier], scopes[i], keysOf[i])) {
        idOf[i] = idOf[earlier];
      } else {
        const id = options.listed + next++;
        const text = proxied ? '{"result":[],"omitted":0,"unread":"proxy"}' : known ? '{"result":[],"omitted":0,"unread":"size"}' : listScope(scopes[i], keysOf[i]);
        out += quote(id) + ':' + text + ',';
        idOf[i] = id;
        if (key && earlier === undefined) firstOfKey[key] = i;
      }
      scopeIds += (i > 0 ? ',' : '') + quote(idOf[i]);
    }
    while (queue.length > 0) {
      const level = queue;
      queue = { __proto__: null, length: 0 } as any;
      for (let i = 0; i < level.length; i++) {
        // Listed first: a Map's listing adds its entries' own rows to `out`.
        const text = listed(level[i]);
        out += quote(level[i].id) + ':' + text + ',';
      }
    }
    const table = out.length > 0 ? apply(slice, out, [0, out.length - 1]) : '';
    out = '';
    return '{"scopes":[' + scopeIds + '],"table":{' + table + '}}';
  }

  /**
   * `args`: the scopes' closure keys (JSON text), then the scope objects. Never
   * throws: an exception leaving the reader would have V8 describe it, which can
   * run the program's code.
   */
  function read(args: ArrayLike<unknown>): string | undefined {
    try {
      const keys = parse(args[0] as string) as string[];
      const scopes: { [i: number]: object; length: number } = { __proto__: null, length: 0 } as any;
      for (let i = 1; i < args.length; i++) scopes[scopes.length++] = args[i] as object;
      return readAll(scopes, keys);
    } catch {
      out = '';
      return undefined;
    }
  }

  // One read of the reader's own values of each kind, at install: V8 compiles the reader's functions now, while the
  // debugger is off, not in the first pause (no compilation cache then: the first sample's read took 2-3x a later one).
  // Literals and this realm's constructors and methods only: nothing of the program's is called (a Map or Set built
  // from an array would iterate it through the program's Array.prototype[Symbol.iterator]).
  const map = new Map();
  apply(Map.prototype.set, map, [1, { a: 1 }]);
  const set = new Set();
  apply(Set.prototype.add, set, [1]);
  read([
    '[""]',
    {
      plain: { n: 1, s: 'text', none: null, gone: undefined, yes: true, big: BigInt(1), sym: Symbol('s'), f() {} },
      list: [1, [2, 'x']],
      map,
      set,
      date: new Date(0),
      pattern: new RegExp('x', 'g'),
      bytes: new Uint8Array(2),
      buffer: new ArrayBuffer(2),
      boxed: new String('s'),
      async run() {},
    },
  ]);
  // Kept on the global (non-enumerable, fixed) for later sessions: built once, with its realm, per process and options.
  const reader = Object.freeze({ __proto__: null, read });
  try {
    Object.defineProperty(global, holder, { value: reader, writable: false, enumerable: false, configurable: false });
  } catch {
    // a name taken: this session's reader still works, the next one builds its own
  }
  return reader;
}
