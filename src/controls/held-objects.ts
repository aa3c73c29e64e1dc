/**
 * The objects built on given prototypes (pino's loggers) that the program holds
 * where a few short calls reach them, instead of a heap walk that stops the
 * program for a full GC: the exports of the modules named, the scopes of their
 * exported functions, and the scopes of the listeners on the process and on its
 * active handles (a server's "request", a socket's "data": how a main module or
 * an ES module that exports nothing is reached). What the program holds
 * elsewhere only (a timer's closure, an object's field) is not found: the heap
 * walk is the thorough route.
 *
 * The program's values are read in the target by tripod's function, with the
 * built-ins of a realm of its own and util.types (checked to be Node's natives),
 * as the monitor's module finder reads them: own data properties only, never a
 * getter or a Proxy's trap. Runtime.getProperties, which describes every value it
 * lists (an Error's description reads its getters), only ever lists what that
 * function hands back (functions, loggers) and the inspector's own [[Scopes]].
 */
import type { Protocol } from 'devtools-protocol';
import { globalProperties } from '../attach/native-close';
import { functionInternals, scopeChain } from '../capture/closure-scopes';
import { CONTROLS_GROUP, type TimedCdp } from './timed-cdp';

/** Functions whose closures are read at most: each costs two calls. */
const MAX_FUNCTIONS = 40;
/** Reads sent together: a batch is served in one stop, so it stays short. */
const BATCH = 6;
/** Events whose listeners are the program's own more often than Node's. */
const PROGRAM_EVENTS = '^(request|connection|data|message|line|SIG\\w+|exit|beforeExit|uncaughtException|unhandledRejection|close)$';

export interface HeldSearch {
  /** Paths of the modules (require.cache keys) whose exports and exported functions' scopes are read. */
  paths: string[];
  /** Object ids of the prototypes the wanted objects are built on (anywhere up their chain). */
  prototypes: string[];
}

export interface HeldObjects {
  /** One object id per distinct object found. */
  ids: string[];
  functionsRead: number;
}

type Remote = Protocol.Runtime.RemoteObject;

export async function heldObjects(cdp: TimedCdp, search: HeldSearch): Promise<HeldObjects> {
  const natives = await processNatives(cdp);
  if (!natives || search.prototypes.length === 0) return { ids: [], functionsRead: 0 };
  const prototypes = search.prototypes.map((objectId) => ({ objectId }));
  const call = (args: Protocol.Runtime.CallArgument[]) =>
    cdp.post('Runtime.callFunctionOn', { objectId: natives.load, functionDeclaration: FIND_HELD.toString(), arguments: args, objectGroup: CONTROLS_GROUP, silent: true });
  const searchFrom = async (mode: 'exports' | 'listeners') => {
    const holders = await call([{ value: mode }, { objectId: natives.load }, { objectId: natives.process }, { value: search.paths }, { value: MAX_FUNCTIONS }, { value: PROGRAM_EVENTS }, { value: prototypes.length }, ...prototypes]);
    const [functions, direct] = await listedPair(cdp, holders.result);
    const entries: string[] = [];
    for (let i = 0; i < functions.length; i += BATCH) {
      const chains = await Promise.all(functions.slice(i, i + BATCH).map((id) => scopesOf(cdp, id)));
      entries.push(...chains.flat());
    }
    const inScopes = entries.length === 0 ? [] : await elements(cdp, (await call([{ value: 'scopes' }, { objectId: natives.load }, { value: null }, { value: [] }, { value: 0 }, { value: '' }, { value: prototypes.length }, ...prototypes, ...entries.map((objectId) => ({ objectId }))])).result);
    return { found: [...direct, ...inScopes], functionsRead: functions.length };
  };
  // The listeners' closures only when the modules hold none: each function read is two more calls.
  const fromExports = await searchFrom('exports');
  const found = fromExports.found.length > 0 ? { found: [], functionsRead: 0 } : await searchFrom('listeners');
  return { ids: await distinct(cdp, [...fromExports.found, ...found.found]), functionsRead: fromExports.functionsRead + found.functionsRead };
}

/** The non-global scopes of a function's [[Scopes]] (the inspector's wrappers, handed to the target as they are). */
async function scopesOf(cdp: TimedCdp, functionId: string): Promise<string[]> {
  const { scopesId } = functionInternals(await cdp.post('Runtime.getProperties', { objectId: functionId, ownProperties: true }));
  if (!scopesId) return [];
  return (await scopeChain((params) => cdp.post('Runtime.getProperties', params), scopesId)).filter((scope) => scope.kind !== 'Global').map((scope) => scope.id);
}

async function listedPair(cdp: TimedCdp, result: Remote): Promise<[string[], string[]]> {
  if (!result.objectId) return [[], []];
  const [first, second] = await elementValues(cdp, result.objectId);
  return Promise.all([first?.objectId ? elements(cdp, first) : [], second?.objectId ? elements(cdp, second) : []]);
}

async function elements(cdp: TimedCdp, array: Remote): Promise<string[]> {
  if (!array.objectId) return [];
  return (await elementValues(cdp, array.objectId)).flatMap((value) => (value?.objectId ? [value.objectId] : []));
}

async function elementValues(cdp: TimedCdp, arrayId: string): Promise<Array<Remote | undefined>> {
  return (await cdp.own(arrayId)).properties.filter((p) => /^\d+$/.test(p.name)).map((p) => p.value);
}

const NODE_GET_BUILTIN = /^function getBuiltinModule\(id\) \{\s+validateString\(id, 'id'\);\s+const normalizedId = BuiltinModule\.normalizeRequirableId\(id\);\s+return normalizedId \? require\(normalizedId\) : undefined;\s+\}$/;

/** Node's process object and its own getBuiltinModule, verified by V8's description (the global `process` is an accessor: read from its getter's closure, never called). */
async function processNatives(cdp: TimedCdp): Promise<{ process: string; load: string } | undefined> {
  const property = (await globalProperties(cdp)).find((p) => p.name === 'process');
  let processId = property?.value?.type === 'object' && property.value.subtype !== 'proxy' ? property.value.objectId : undefined;
  if (!processId && property?.get?.objectId) {
    const { scopesId } = functionInternals(await cdp.post('Runtime.getProperties', { objectId: property.get.objectId, ownProperties: true }));
    // Node's getter closes over its own small scopes (setupProcessObject's _process): listed, the global one left out.
    const chain = scopesId ? (await scopeChain((params) => cdp.post('Runtime.getProperties', params), scopesId)).filter((s) => s.kind !== 'Global') : [];
    for (const scope of chain) {
      const found = (await cdp.own(scope.id)).properties.find((p) => p.value?.type === 'object' && p.value.subtype !== 'proxy' && p.value.className === 'process');
      if (found) processId = found.value!.objectId;
      if (processId) break;
    }
  }
  if (!processId) return undefined;
  const load = (await cdp.own(processId)).properties.find((p) => p.name === 'getBuiltinModule')?.value;
  // A JS function of Node's (lib/internal/bootstrap/node.js): V8's description is its source, which a stand-in would have to copy.
  return load?.type === 'function' && load.objectId && NODE_GET_BUILTIN.test(load.description ?? '') ? { process: processId, load: load.objectId } : undefined;
}

/** One id per object: ids differ for one object reached twice, so the target compares them (=== alone, nothing called). */
export async function distinct(cdp: TimedCdp, ids: string[]): Promise<string[]> {
  if (ids.length < 2) return ids;
  const { result } = await cdp.post('Runtime.callFunctionOn', {
    objectId: ids[0],
    functionDeclaration: `function tripodFirstOfEach() {
  var out = [];
  for (var i = 0; i < arguments.length; i++) {
    var first = i;
    for (var j = 0; j < i; j++) if (arguments[j] === arguments[i]) { first = j; break; }
    out[i] = first;
  }
  return out;
}`,
    arguments: ids.map((objectId) => ({ objectId })),
    returnByValue: true,
    silent: true,
  });
  const firsts = result.value as number[];
  return ids.filter((_, i) => firsts[i] === i);
}

/**
 * Runs in the target, stringified. 'exports' and 'listeners': [candidate functions,
 * objects on the prototypes] from the modules' exports, or from the listeners; 'scopes': the objects
 * on the prototypes that the given [[Scopes]] entries' variables hold. Node's
 * built-ins of a realm of its own and util.types only (checked to be native).
 */
function FIND_HELD(mode: string, load: (id: string) => any, proc: any, paths: string[], max: number, events: string, count: number): unknown {
  const realm = load('node:vm').runInNewContext('({ Reflect, Function, Array, RegExp })');
  const { Reflect, Function, Array, RegExp } = realm;
  const apply = Reflect.apply;
  const describe = Reflect.getOwnPropertyDescriptor;
  const ownKeys = Reflect.ownKeys;
  const protoOf = Reflect.getPrototypeOf;
  const functionText = Function.prototype.toString;
  const types = load('node:util').types;
  const checks = new Array();
  checks[0] = 'isProxy';
  checks[1] = 'isNativeError';
  for (let c = 0; c < 2; c++) {
    const check = checks[c];
    const d = describe(types, check);
    const text = d && 'value' in d && typeof d.value === 'function' ? apply(functionText, d.value, []) : '';
    if (text !== `function ${check}() { [native code] }` && text !== 'function () { [native code] }') return undefined;
  }
  const isProxy = types.isProxy;
  const isError = types.isNativeError;
  const args = arguments;
  const prototypes = new Array();
  for (let i = 0; i < count; i++) prototypes[i] = args[7 + i];
  const isObject = (o: any) => o !== null && (typeof o === 'object' || typeof o === 'function') && !isProxy(o);
  const dataOf = (o: any, key: PropertyKey): any => {
    if (!isObject(o)) return undefined;
    const d = describe(o, key);
    return d && 'value' in d ? d.value : undefined;
  };
  const onPrototypes = (v: any): boolean => {
    let o = v;
    for (let depth = 0; depth < 30 && isObject(o); depth++) {
      o = protoOf(o);
      for (let p = 0; p < prototypes.length; p++) if (o === prototypes[p]) return true;
    }
    return false;
  };
  // getProperties lists what is handed back: a function may hold no Error (its description reads getters) nor Proxy.
  const plainValued = (o: any): boolean => {
    const keys = ownKeys(o);
    for (let i = 0; i < keys.length && i < 50; i++) {
      const v = dataOf(o, keys[i]);
      if (v !== null && (typeof v === 'object' || typeof v === 'function') && (isProxy(v) || isError(v))) return false;
    }
    return keys.length <= 50;
  };
  const functions = new Array();
  const found = new Array();
  const has = (list: any, v: any) => {
    for (let i = 0; i < list.length; i++) if (list[i] === v) return true;
    return false;
  };
  const consider = (v: any) => {
    if (!isObject(v)) return;
    if (typeof v === 'object' && onPrototypes(v)) {
      if (!has(found, v) && found.length < 200) found[found.length] = v;
    } else if (typeof v === 'function' && functions.length < max && !has(functions, v) && plainValued(v)) functions[functions.length] = v;
  };
  if (mode === 'scopes') {
    for (let a = 7 + count; a < args.length; a++) {
      const scope = dataOf(args[a], 'object');
      if (!isObject(scope)) continue;
      const keys = ownKeys(scope);
      for (let k = 0; k < keys.length && k < 500; k++) {
        const v = dataOf(scope, keys[k]);
        if (isObject(v) && typeof v === 'object' && onPrototypes(v) && !has(found, v) && found.length < 200) found[found.length] = v;
      }
    }
    return found;
  }
  const cache = mode === 'exports' ? dataOf(load('node:module'), '_cache') : undefined;
  for (let i = 0; cache !== undefined && i < paths.length; i++) {
    const exported = dataOf(dataOf(cache, paths[i]), 'exports');
    consider(exported);
    if (!isObject(exported) || isError(exported)) continue;
    const keys = ownKeys(exported);
    for (let k = 0; k < keys.length && k < 200; k++) consider(dataOf(exported, keys[k]));
  }
  const wanted = new RegExp(events);
  const test = RegExp.prototype.test;
  const listenersOf = (emitter: any) => {
    const table = dataOf(emitter, '_events');
    if (!isObject(table)) return;
    const keys = ownKeys(table);
    for (let k = 0; k < keys.length && k < 100; k++) {
      if (typeof keys[k] !== 'string' || !apply(test, wanted, [keys[k]])) continue;
      const listener = dataOf(table, keys[k]);
      if (typeof listener === 'function') consider(listener);
      else if (isObject(listener) && Array.isArray(listener)) for (let j = 0; j < 20; j++) consider(dataOf(listener, j));
    }
  };
  if (mode === 'listeners') listenersOf(proc);
  const activeHandles = mode === 'listeners' ? dataOf(proc, '_getActiveHandles') : undefined;
  if (typeof activeHandles === 'function' && !isProxy(activeHandles) && apply(functionText, activeHandles, []) === 'function _getActiveHandles() { [native code] }') {
    const handles = apply(activeHandles, proc, []);
    for (let h = 0; h < 10; h++) listenersOf(dataOf(handles, h));
  }
  const out = new Array();
  out[0] = functions;
  out[1] = found;
  return out;
}
