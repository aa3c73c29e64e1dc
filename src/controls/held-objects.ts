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
 * The program's values are read in the target by tripod's function, which calls
 * only natives tripod verified by V8's description (Object's, util.types'): own
 * data properties only, never a getter or a Proxy's trap. Runtime.getProperties, which describes every value it
 * lists (an Error's description reads its getters), only ever lists what that
 * function hands back (functions, loggers) and the inspector's own [[Scopes]].
 */
import type { Protocol } from 'devtools-protocol';
import { callVerified } from '../capture/fresh-realm';
import { nativeIn, typesNativeIn } from '../capture/node-internals';
import type { Access } from './module-cache';
import { functionInternals, scopeChain } from '../capture/closure-scopes';
import { CONTROLS_GROUP, type TimedCdp } from './timed-cdp';

/** Functions whose closures are read at most: each costs two calls. */
const MAX_FUNCTIONS = 40;
/** Reads sent together: a batch is served in one stop, so it stays short. */
const BATCH = 6;

export interface HeldSearch {
  /** Paths of the modules (require.cache keys) whose exports and exported functions' scopes are read. */
  paths: string[];
  /** Object ids of the prototypes the wanted objects are built on (anywhere up their chain). */
  prototypes: string[];
  /** require.cache and the verified natives the reads call. */
  access: Access;
}

export interface HeldObjects {
  /** One object id per distinct object found. */
  ids: string[];
  functionsRead: number;
}

type Remote = Protocol.Runtime.RemoteObject;

export async function heldObjects(cdp: TimedCdp, search: HeldSearch): Promise<HeldObjects> {
  const natives = await targetNatives(cdp);
  if (!natives || search.prototypes.length === 0) return { ids: [], functionsRead: 0 };
  const { access } = search;
  const fixed = [access.describe, access.names, access.prototypeOf, natives.isProxy, natives.isError].map((objectId) => ({ objectId }));
  const prototypes = search.prototypes.map((objectId) => ({ objectId }));
  const call = (mode: string, holders: Protocol.Runtime.CallArgument[], extra: Protocol.Runtime.CallArgument[]) =>
    cdp.post('Runtime.callFunctionOn', {
      objectId: access.describe,
      functionDeclaration: FIND_HELD.toString(),
      arguments: [{ value: mode }, ...fixed, ...holders, { value: MAX_FUNCTIONS }, { value: prototypes.length }, ...prototypes, ...extra],
      objectGroup: CONTROLS_GROUP,
      silent: true,
    });
  const none = { value: null };
  const searchFrom = async (mode: 'exports' | 'listeners') => {
    const holders = mode === 'exports' ? [{ objectId: access.cacheId }, { value: search.paths }, none, none] : [none, { value: [] }, { objectId: natives.process }, natives.activeHandles ? { objectId: natives.activeHandles } : none];
    const [functions, direct] = await listedPair(cdp, (await call(mode, holders, [])).result);
    const entries: string[] = [];
    for (let i = 0; i < functions.length; i += BATCH) {
      const chains = await Promise.all(functions.slice(i, i + BATCH).map((id) => scopesOf(cdp, id)));
      entries.push(...chains.flat());
    }
    const inScopes = entries.length === 0 ? [] : (await listedPair(cdp, (await call('scopes', [none, { value: [] }, none, none], entries.map((objectId) => ({ objectId })))).result))[1];
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

/**
 * Node's process object and internalBinding (from the `process` accessor's closures, never called),
 * the process's native _getActiveHandles, and util.types' native isProxy and isNativeError from
 * internalBinding('types'): none of it is the program's to replace.
 */
async function targetNatives(cdp: TimedCdp): Promise<{ process: string; activeHandles?: string; isProxy: string; isError: string } | undefined> {
  const internals = await cdp.internals();
  if (!internals.process || !internals.internalBinding) return undefined;
  const [own, types] = await Promise.all([cdp.own(internals.process), callVerified(cdp, internals.internalBinding, [{ value: 'types' }]).catch(() => undefined)]);
  const checks = types ? (await cdp.own(types)).properties : [];
  const isProxy = typesNativeIn(checks, 'isProxy');
  const isError = typesNativeIn(checks, 'isNativeError');
  if (!isProxy || !isError) return undefined;
  const activeHandles = nativeIn(own.properties, '_getActiveHandles');
  return { process: internals.process, isProxy, isError, ...(activeHandles ? { activeHandles } : {}) };
}

/**
 * One id per object: ids differ for one object reached twice, so the target compares them (=== alone, nothing
 * called). Its answer is a null-prototype object, not an array: an index set on an array would run a setter the
 * program put on Array.prototype.
 */
export async function distinct(cdp: TimedCdp, ids: string[]): Promise<string[]> {
  if (ids.length < 2) return ids;
  const { result } = await cdp.post('Runtime.callFunctionOn', {
    objectId: ids[0],
    functionDeclaration: `function tripodFirstOfEach() {
  var out = { __proto__: null };
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
  const firsts = result.value as Record<number, number>;
  return ids.filter((_, i) => firsts[i] === i);
}

/**
 * Runs in the target, stringified, on natives tripod verified (Object's getOwnPropertyDescriptor,
 * getOwnPropertyNames, getPrototypeOf; util.types' isProxy and isNativeError; process's
 * _getActiveHandles), called directly: nothing looked up on a prototype the program may have
 * changed, results kept in null-prototype objects. 'exports' and 'listeners': {0: candidate
 * functions, 1: objects on the prototypes} from the modules' exports, or from the listeners on the
 * process and its active handles; 'scopes': {0: the objects on the prototypes} that the given
 * [[Scopes]] entries' variables hold.
 */
function FIND_HELD(mode: string, describe: any, names: any, protoOf: any, isProxy: any, isError: any, cache: any, paths: string[], proc: any, activeHandles: any, max: number, count: number): unknown {
  const args = arguments;
  const first = 12;
  const isObject = (o: any) => o !== null && (typeof o === 'object' || typeof o === 'function') && !isProxy(o);
  const dataOf = (o: any, key: PropertyKey): any => {
    if (!isObject(o)) return undefined;
    const d = describe(o, key);
    return d !== undefined && 'value' in d && !('get' in d) ? d.value : undefined;
  };
  const onPrototypes = (v: any): boolean => {
    let o = v;
    for (let depth = 0; depth < 30 && isObject(o); depth++) {
      o = protoOf(o);
      for (let p = 0; p < count; p++) if (o === args[first + p]) return true;
    }
    return false;
  };
  // getProperties lists what is handed back: a function may hold no Error (its description reads getters) nor Proxy.
  const plainValued = (o: any): boolean => {
    const keys = names(o);
    if (keys.length > 50) return false;
    for (let i = 0; i < keys.length; i++) {
      const v = dataOf(o, keys[i]);
      if (v !== null && (typeof v === 'object' || typeof v === 'function') && (isProxy(v) || isError(v))) return false;
    }
    return true;
  };
  const list = () => ({ __proto__: null, n: 0 }) as any;
  const has = (l: any, v: any) => {
    for (let i = 0; i < l.n; i++) if (l[i] === v) return true;
    return false;
  };
  const add = (l: any, v: any, most: number) => {
    if (l.n < most && !has(l, v)) l[l.n++] = v;
  };
  const functions = list();
  const found = list();
  const consider = (v: any) => {
    if (!isObject(v)) return;
    if (typeof v === 'object' && onPrototypes(v)) add(found, v, 200);
    else if (typeof v === 'function' && functions.n < max && !has(functions, v) && plainValued(v)) add(functions, v, max);
  };
  const done = () => ({ __proto__: null, 0: functions, 1: found });
  if (mode === 'scopes') {
    for (let a = first + count; a < args.length; a++) {
      const scope = dataOf(args[a], 'object');
      if (!isObject(scope)) continue;
      const keys = names(scope);
      for (let k = 0; k < keys.length && k < 500; k++) {
        const v = dataOf(scope, keys[k]);
        if (isObject(v) && typeof v === 'object' && onPrototypes(v)) add(found, v, 200);
      }
    }
    return done();
  }
  for (let i = 0; cache !== null && i < paths.length; i++) {
    const exported = dataOf(dataOf(cache, paths[i]), 'exports');
    consider(exported);
    if (!isObject(exported) || isError(exported)) continue;
    const keys = names(exported);
    for (let k = 0; k < keys.length && k < 200; k++) consider(dataOf(exported, keys[k]));
  }
  const programEvents: any = { __proto__: null, request: 1, connection: 1, data: 1, message: 1, line: 1, exit: 1, beforeExit: 1, uncaughtException: 1, unhandledRejection: 1, close: 1 };
  const listenersOf = (emitter: any) => {
    const table = dataOf(emitter, '_events');
    if (!isObject(table)) return;
    const keys = names(table);
    for (let k = 0; k < keys.length && k < 100; k++) {
      const key = keys[k];
      if (programEvents[key] !== 1 && !(key.length > 3 && key[0] === 'S' && key[1] === 'I' && key[2] === 'G')) continue;
      const listener = dataOf(table, key);
      if (typeof listener === 'function') consider(listener);
      else if (isObject(listener)) for (let j = 0; j < 20; j++) consider(dataOf(listener, j));
    }
  };
  if (proc !== null) listenersOf(proc);
  if (proc !== null && activeHandles !== null) {
    const handles = activeHandles();
    for (let h = 0; h < 10; h++) listenersOf(dataOf(handles, h));
  }
  return done();
}
