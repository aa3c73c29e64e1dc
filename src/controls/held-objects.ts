/**
 * Objects of one kind (V8's className, "Pino") that the program holds where a
 * few short reads reach them, instead of a heap walk that stops the program for
 * a full GC: the exports of the modules named, the top-level scopes of their
 * exported functions, and the scopes of the listeners on the process and on its
 * active handles (a server's "request", a socket's "data": how a main module or
 * an ES module that exports nothing is reached). Each read is one
 * Runtime.getProperties (no getter or trap of the program's runs), answered
 * between two of the program's instructions; reads go a few at a time, so no one
 * stop is long. What the program holds elsewhere only (a timer's closure, an
 * object's field) is not found: the heap walk is the thorough route.
 */
import type { Protocol } from 'devtools-protocol';
import { globalProperties, nativeIn } from '../attach/native-close';
import { functionInternals, scopeChain } from '../capture/closure-scopes';
import type { LoadedModule, ModuleCache } from './module-cache';
import { CONTROLS_GROUP, type TimedCdp } from './timed-cdp';

/** Functions whose closures are read at most: each costs two or three calls. */
const MAX_FUNCTIONS = 40;
const MAX_HANDLES = 10;
/** Reads sent together: a batch is served in one stop, so it stays short. */
const BATCH = 6;
/** Events whose listeners are the program's own more often than Node's. */
const PROGRAM_EVENTS = /^(request|connection|data|message|line|SIG\w+|exit|beforeExit|uncaughtException|unhandledRejection|close)$/;

export interface HeldSearch {
  cache: ModuleCache;
  /** The modules whose exports and exported functions' scopes are read. */
  modules: LoadedModule[];
  /** What V8 calls the objects wanted. */
  className: string;
}

export interface HeldObjects {
  /** One object id per distinct object found. */
  ids: string[];
  modulesRead: number;
  functionsRead: number;
}

type Remote = Protocol.Runtime.RemoteObject;

const wanted = (value: Remote | undefined, className: string): value is Remote & { objectId: string } =>
  value?.type === 'object' && value.subtype !== 'proxy' && value.className === className && value.objectId !== undefined;
const isFunction = (value: Remote | undefined): value is Remote & { objectId: string } => value?.type === 'function' && value.objectId !== undefined;

export async function heldObjects(cdp: TimedCdp, search: HeldSearch): Promise<HeldObjects> {
  const found: string[] = [];
  const functions: string[] = [];
  const records = await search.cache.recordsOf(search.modules);
  for (const batch of batches(records)) {
    await Promise.all(batch.map((record) => (record ? readExports(cdp, record, search.className, found, functions) : undefined)));
  }
  let read = await readScopes(cdp, functions.slice(0, MAX_FUNCTIONS), search.className, found);
  // The listeners' closures (Node's process getter among the reads: a large scope) only when the modules held none.
  if (found.length === 0) read += await readScopes(cdp, (await listenerFunctions(cdp)).slice(0, MAX_FUNCTIONS - read), search.className, found);
  return { ids: await distinct(cdp, found), modulesRead: search.modules.length, functionsRead: read };
}

async function readScopes(cdp: TimedCdp, functions: string[], className: string, found: string[]): Promise<number> {
  for (const batch of batches(functions)) {
    const held = await Promise.all(batch.map((id) => closureValues(cdp, id)));
    for (const values of held) for (const value of values) if (wanted(value, className)) found.push(value.objectId);
  }
  return functions.length;
}

function batches<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

/** module.exports, what it holds by data properties, and its functions (first) for their scopes. */
async function readExports(cdp: TimedCdp, record: string, className: string, found: string[], functions: string[]): Promise<void> {
  const exported = (await cdp.own(record)).properties.find((p) => p.name === 'exports')?.value;
  if (wanted(exported, className)) found.push(exported.objectId);
  if (isFunction(exported)) functions.unshift(exported.objectId);
  if (exported?.type !== 'object' && exported?.type !== 'function') return;
  if (exported.subtype === 'proxy' || !exported.objectId) return;
  let taken = 0;
  for (const property of (await cdp.own(exported.objectId)).properties) {
    if (wanted(property.value, className)) found.push(property.value.objectId);
    else if (isFunction(property.value) && taken++ < 2) functions.unshift(property.value.objectId);
  }
}

/** The values a function's closures hold (the global scope left out: the program's globals are not read). */
async function closureValues(cdp: TimedCdp, functionId: string): Promise<Remote[]> {
  const { scopesId } = functionInternals(await cdp.post('Runtime.getProperties', { objectId: functionId, ownProperties: true }));
  if (!scopesId) return [];
  const chain = await scopeChain((params) => cdp.post('Runtime.getProperties', params), scopesId);
  const scopes = chain.filter((scope) => scope.kind === 'Closure' || scope.kind === 'Module' || scope.kind === 'Script' || scope.kind === 'Block');
  const values = await Promise.all(scopes.map(async (scope) => (await cdp.own(scope.id)).properties.map((p) => p.value)));
  return values.flat().filter((value): value is Remote => value !== undefined);
}

/** Listeners on the process and on its active handles (process._getActiveHandles, Node's native, verified by V8's description). */
async function listenerFunctions(cdp: TimedCdp): Promise<string[]> {
  const processId = await processObject(cdp);
  if (!processId) return [];
  const own = (await cdp.own(processId)).properties;
  const listeners = await eventListeners(cdp, own);
  const activeHandles = nativeIn(own, '_getActiveHandles');
  if (!activeHandles) return listeners;
  const handles = await cdp.post('Runtime.callFunctionOn', { objectId: activeHandles, functionDeclaration: 'function tripodActiveHandles() { return this(); }', objectGroup: CONTROLS_GROUP, silent: true });
  if (!handles.result.objectId || handles.result.subtype !== 'array') return listeners;
  const owners = (await cdp.own(handles.result.objectId)).properties.filter((p) => /^\d+$/.test(p.name) && p.value?.type === 'object' && p.value.subtype !== 'proxy' && p.value.objectId);
  for (const batch of batches(owners.slice(0, MAX_HANDLES))) {
    const each = await Promise.all(batch.map(async (owner) => eventListeners(cdp, (await cdp.own(owner.value!.objectId!)).properties)));
    listeners.push(...each.flat());
  }
  return listeners;
}

/** The process object: Node's global `process` is an accessor, so it is read from its getter's closure, never by calling it. */
async function processObject(cdp: TimedCdp): Promise<string | undefined> {
  const property = (await globalProperties(cdp)).find((p) => p.name === 'process');
  const isProcess = (value: Remote | undefined) => value?.type === 'object' && value.subtype !== 'proxy' && value.className === 'process';
  if (isProcess(property?.value as Remote | undefined)) return property!.value!.objectId;
  if (!property?.get?.objectId) return undefined;
  const values = await closureValues(cdp, property.get.objectId);
  return values.find(isProcess)?.objectId;
}

/** An EventEmitter's `_events`: its listeners for the events a program listens to, a function or an array of them. */
async function eventListeners(cdp: TimedCdp, own: Protocol.Runtime.PropertyDescriptor[]): Promise<string[]> {
  const events = own.find((p) => p.name === '_events')?.value;
  if (events?.type !== 'object' || events.subtype === 'proxy' || !events.objectId) return [];
  const out: string[] = [];
  for (const event of (await cdp.own(events.objectId)).properties) {
    if (!PROGRAM_EVENTS.test(event.name)) continue;
    if (isFunction(event.value)) out.push(event.value.objectId);
    else if (event.value?.subtype === 'array' && event.value.objectId) {
      for (const item of (await cdp.own(event.value.objectId)).properties) if (/^\d+$/.test(item.name) && isFunction(item.value)) out.push(item.value.objectId);
    }
  }
  return out;
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
