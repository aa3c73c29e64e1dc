/**
 * The requests in flight, kept on the main thread from Node's diagnostics_channel
 * events (no listener on any request, response or server of the program's): the
 * HTTP server requests and the outbound http/https and fetch (undici) requests, in
 * the order they started. Samples read them through a frozen holder
 * (`__tripodRequests`) whose functions use only built-ins captured here, before the
 * program runs, and answer in JSON text, so a read never runs the program's code.
 *
 * Entries leave at their end event; a request that never gets one (the client went
 * away, a timeout, an error) is swept at a later event or read: its response (or
 * client request) is `destroyed`, an own data property Node sets.
 */
import * as diagnostics from 'node:diagnostics_channel';
import type { AwaitCell, AwaitStacks } from './async-stacks';
import type { SlowSlots } from './slow-slots';
import { type Entry, hostOf, inFlightText, pathOf } from './in-flight-text';

/** The global the holder lives on. */
export const REQUESTS_HOLDER = '__tripodRequests';

export interface TrackerOptions {
  keepQuery: boolean;
  /** Name the request whose code runs (AsyncLocalStorage; on Node < 24 it turns on promise hooks). */
  running: boolean;
  /** --slow: the slot table the sampler worker scans. */
  slots?: SlowSlots;
  /** --async-stacks: each server request's awaits are kept, and an idle sample lists the chain it is suspended in (needs `running`). */
  asyncStacks?: boolean;
}

/** The holder's functions, as the probe calls them. */
export interface RequestsHolder {
  /** The in-flight table and the running request, as `{"inFlight":…,"request":…}` text; `idle`: no JS of the program's runs beneath the probe. */
  snapshot(max: number, idle?: boolean): string;
}

/** Captured before the program runs. */
const { apply, getOwnPropertyDescriptor } = Reflect;
// Uncurried, as Node's primordials are: called with no argument array to allocate on every request.
const uncurry = <A extends unknown[], R>(method: (...args: A) => R) => Function.prototype.call.bind(method) as unknown as (self: unknown, ...args: A) => R;
const mapGet = uncurry(Map.prototype.get);
const mapSet = uncurry(Map.prototype.set);
const mapDelete = uncurry(Map.prototype.delete);
const mapForEach = uncurry(Map.prototype.forEach);
const dateNow = Date.now;
const MapConstructor = Map;
const freeze = Object.freeze;
const defineProperty = Object.defineProperty;

/** An own data property's value, never a getter's. */
function own(target: unknown, key: string): unknown {
  if (target === null || (typeof target !== 'object' && typeof target !== 'function')) return undefined;
  const descriptor = getOwnPropertyDescriptor(target as object, key);
  return descriptor && 'value' in descriptor ? descriptor.value : undefined;
}

/**
 * A field of a channel's message: Node's own object literal ({request, response, socket, server}), whose
 * fields are its own data properties, so a plain read finds them without a prototype lookup.
 */
function field(message: unknown, key: string): unknown {
  return message !== null && typeof message === 'object' ? (message as Record<string, unknown>)[key] : undefined;
}

/** A property as Node's own classes give it (ClientRequest.path is an accessor on Node 24); undefined if it throws. */
function nodeProperty(target: unknown, key: string): unknown {
  const value = own(target, key);
  if (value !== undefined) return value;
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

const text = (value: unknown, otherwise: string): string => (typeof value === 'string' ? value : otherwise);

export function installRequestTracker(options: TrackerOptions): RequestsHolder {
  const server = new MapConstructor<object, Entry>();
  const outbound = new MapConstructor<object, Entry>();
  const byId = new MapConstructor<number, Entry>();
  const cursor = { next: 0 };
  let lastId = 0;
  let eventsSinceSweep = 0;
  const context = options.running || options.asyncStacks ? runningContext() : undefined;
  // Loaded only with --slow: every module the runner loads delays the script's start.
  const { endSlot, takeSlot } = options.slots ? (require('./slow-slots') as typeof import('./slow-slots')) : ({} as Partial<typeof import('./slow-slots')>);
  // Loaded only with --async-stacks: its promise hook runs at every promise the program makes.
  const awaits = options.asyncStacks && context ? (require('./async-stacks') as typeof import('./async-stacks')) : undefined;
  const stacks: AwaitStacks | undefined = awaits ? hookedOrNot(() => awaits.installAwaitHook(context!.store)) : undefined;
  /** The running request's id: the store is the id, or with --async-stacks the request's await cell. */
  const runningId = (): number | undefined => {
    const store = context?.store();
    return typeof store === 'number' ? store : store ? (store as AwaitCell).id : undefined;
  };

  const begin = (table: Map<object, Entry>, key: object, entry: Entry) => {
    mapSet(table, key, entry);
    if (entry.kind === 'server') mapSet(byId, entry.id, entry);
    if (++eventsSinceSweep > 64 + (server.size + outbound.size)) sweep();
  };
  const finish = (table: Map<object, Entry>, key: object, status: number, aborted: boolean) => {
    const entry = mapGet(table, key) as Entry | undefined;
    if (!entry) return;
    mapDelete(table, key);
    if (entry.kind === 'server') mapDelete(byId, entry.id);
    if (entry.awaits) awaits!.endAwaitCell(entry.awaits);
    if (entry.slot >= 0 && options.slots) endSlot!(options.slots, entry.slot, dateNow(), aborted ? -1 : status);
  };
  /** Requests whose end no channel told: their response or client request is destroyed. */
  const sweep = () => {
    eventsSinceSweep = 0;
    const gone: Array<[Map<object, Entry>, object]> = [];
    const look = (table: Map<object, Entry>) =>
      mapForEach(table, (entry: Entry, key: object) => {
        if (own(entry.handle, 'destroyed') === true) gone[gone.length] = [table, key];
      });
    look(server);
    look(outbound);
    for (let i = 0; i < gone.length; i++) finish(gone[i][0], gone[i][1], 0, true);
  };

  const onServerStart = (message: unknown) => {
    const request = field(message, 'request');
    const response = field(message, 'response');
    if (!request || typeof request !== 'object') return;
    const id = ++lastId;
    const start = dateNow();
    const method = text(own(request, 'method'), '?');
    const path = pathOf(text(own(request, 'url'), ''), options.keepQuery);
    const entry: Entry = {
      kind: 'server',
      id,
      method,
      path,
      origin: '',
      start,
      handle: response,
      slot: options.slots ? takeSlot!(options.slots, cursor, id, start, `${method} ${path}`) : -1,
    };
    if (awaits) entry.awaits = awaits.newAwaitCell(id);
    begin(server, request, entry);
    context?.enter(entry.awaits ?? id);
  };
  const onServerFinish = (message: unknown) => {
    const request = field(message, 'request');
    const status = own(field(message, 'response'), 'statusCode');
    if (request && typeof request === 'object') finish(server, request, typeof status === 'number' ? status : 200, false);
  };
  const onClientStart = (message: unknown) => {
    const request = field(message, 'request');
    if (!request || typeof request !== 'object') return;
    const protocol = text(nodeProperty(request, 'protocol'), 'http:');
    const host = hostOf(text(own(request, '_header'), ''), text(nodeProperty(request, 'host'), '?'));
    addOutbound(request, text(nodeProperty(request, 'method'), 'GET'), `${protocol}//${host}`, text(nodeProperty(request, 'path'), '/'), request);
  };
  const onUndiciCreate = (message: unknown) => {
    const request = field(message, 'request');
    if (!request || typeof request !== 'object') return;
    addOutbound(request, text(own(request, 'method'), 'GET'), text(own(request, 'origin'), '?'), text(own(request, 'path'), '/'), undefined);
  };
  const addOutbound = (key: object, method: string, origin: string, rawPath: string, handle: unknown) => {
    const parent = runningId();
    begin(outbound, key, { kind: 'outbound', id: ++lastId, method, origin, path: pathOf(rawPath, options.keepQuery), start: dateNow(), handle, slot: -1, parent });
  };
  const endOutbound = (message: unknown) => {
    const request = field(message, 'request');
    if (request && typeof request === 'object') finish(outbound, request, 0, false);
  };

  // A subscriber that threw would surface as the program's uncaught exception: tripod's never throw.
  const guarded = (handler: (message: unknown) => void) => (message: unknown) => {
    try {
      handler(message);
    } catch {
      // The entry is left out; the program's request goes on.
    }
  };
  const subscriptions: Array<[string, (message: unknown) => void]> = [
    ['http.server.request.start', onServerStart],
    ['http.server.response.finish', onServerFinish],
    ['http.client.request.start', onClientStart],
    ['http.client.response.finish', endOutbound],
    ['http.client.request.error', endOutbound],
    ['undici:request:create', onUndiciCreate],
    ['undici:request:trailers', endOutbound],
    ['undici:request:error', endOutbound],
  ];
  for (const [name, handler] of subscriptions) diagnostics.subscribe(name, guarded(handler));

  const holder: RequestsHolder = freeze({
    __proto__: null,
    snapshot(max: number, idle?: boolean): string {
      sweep();
      const running = runningId();
      const request = running !== undefined ? (mapGet(byId, running) as Entry | undefined) : undefined;
      // Only an idle thread's: a walk inside the program's microtask would cut the async frames of its own errors.
      return inFlightText(server, outbound, max, dateNow(), request, stacks && idle === true ? stacks : undefined);
    },
  } as RequestsHolder);
  defineProperty(globalThis, REQUESTS_HOLDER, { value: holder });
  return holder;
}

/** A Node without v8.promiseHooks (or one that refuses them) runs the program on, its samples without chains. */
function hookedOrNot(install: () => AwaitStacks): AwaitStacks | undefined {
  try {
    return install();
  } catch {
    return undefined;
  }
}

/**
 * The server request whose code runs: an AsyncLocalStorage entered at the request's
 * start event (which Node publishes in the same turn as the 'request' event, so the
 * handler and all it awaits inherit it), holding its id, or its await cell with
 * --async-stacks. Loaded only when asked for.
 */
function runningContext(): { enter(store: number | AwaitCell): void; store(): unknown } {
  const { AsyncLocalStorage } = require('node:async_hooks') as typeof import('node:async_hooks');
  const storage = new AsyncLocalStorage<number | AwaitCell>();
  const { enterWith } = AsyncLocalStorage.prototype;
  // Uncurried: --async-stacks asks it at every promise the program makes.
  const getStore = uncurry(AsyncLocalStorage.prototype.getStore);
  return {
    enter: (store) => apply(enterWith, storage, [store]),
    store: () => getStore(storage),
  };
}
