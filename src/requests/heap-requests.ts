/**
 * The server requests in flight of a process tripod did not start (`tripod dump
 * PID` of a plain `node` process), found in its heap, best effort: the HTTP
 * responses not yet finished, by CDP reads alone. `process` (a getter's closure
 * variable where Node defines it so, read from [[Scopes]]) and its prototype chain
 * leads to EventEmitter.prototype; Runtime.queryObjects lists every emitter (V8
 * walks the heap, on the main thread); the ServerResponse ones are read with
 * Runtime.getProperties (own data properties: `finished`, `destroyed`, `req`, and
 * the request's `method` and `url`). No getter and none of the program's code
 * runs. Their ages are not known: nothing in a request says when it came in.
 */
import type { Protocol } from 'devtools-protocol';
import type { InFlight, ServerRequest } from '../record/requests';
import type { CdpClient } from '../capture/cdp';
import { pathOf } from './in-flight-text';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('capture');

const GROUP = 'tripod-heap-requests';
/** Requests listed; the total counts them all. */
const LISTED = 20;

type Properties = Protocol.Runtime.PropertyDescriptor[];

export async function ownProperties(cdp: CdpClient, objectId: string): Promise<Properties> {
  const { result } = await cdp.post('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: false });
  return result;
}

async function prototypeOf(cdp: CdpClient, objectId: string): Promise<string | undefined> {
  const { internalProperties } = await cdp.post('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: false });
  return internalProperties?.find((p) => p.name === '[[Prototype]]')?.value?.objectId;
}

/** A data property's value as CDP gave it; undefined for an accessor (never called) or none. */
export function dataValue(properties: Properties, name: string): Protocol.Runtime.RemoteObject | undefined {
  const property = properties.find((p) => p.name === name);
  return property && !property.get && !property.set ? property.value : undefined;
}

/**
 * `process`: the global's data property, or — where Node defines it as a getter (Node 20) — the variable that
 * getter returns, read from its closure scope ([[Scopes]]) rather than by calling it.
 */
export async function processObject(cdp: CdpClient, globalId: string): Promise<string | undefined> {
  const property = (await ownProperties(cdp, globalId)).find((p) => p.name === 'process');
  if (!property) return undefined;
  if (property.value?.objectId) return property.value.objectId;
  const getter = property.get?.objectId;
  if (!getter) return undefined;
  const { internalProperties } = await cdp.post('Runtime.getProperties', { objectId: getter, ownProperties: true });
  const scopes = internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
  if (!scopes) return undefined;
  for (const scope of await ownProperties(cdp, scopes)) {
    if (!/^\d+$/.test(scope.name) || !scope.value?.objectId) continue;
    const found = dataValue(await ownProperties(cdp, scope.value.objectId), '_process');
    if (found?.objectId) return found.objectId;
  }
  return undefined;
}

/** EventEmitter.prototype: the prototype of `process`'s prototype chain's last object before Object.prototype. */
async function emitterPrototype(cdp: CdpClient): Promise<string | undefined> {
  const { result: global } = await cdp.post('Runtime.evaluate', { expression: 'this', objectGroup: GROUP, silent: true });
  if (!global.objectId) return undefined;
  let at = await processObject(cdp, global.objectId);
  // process -> process.prototype -> EventEmitter.prototype -> Object.prototype
  for (let depth = 0; at && depth < 4; depth++) {
    const properties = await ownProperties(cdp, at);
    if (dataValue(properties, 'emit') && dataValue(properties, 'addListener') && dataValue(properties, 'setMaxListeners')) return at;
    at = await prototypeOf(cdp, at);
  }
  return undefined;
}

/** The server requests of unfinished responses; undefined when the heap could not be read so. */
export async function heapServerRequests(cdp: CdpClient): Promise<InFlight | undefined> {
  try {
    const prototype = await emitterPrototype(cdp);
    if (!prototype) return undefined;
    // The dear step: V8 walks the whole heap for it, on the main thread.
    const walking = performance.now();
    const { objects } = await cdp.post('Runtime.queryObjects', { prototypeObjectId: prototype, objectGroup: GROUP });
    debug.took(performance.now() - walking, 'heap search: Runtime.queryObjects of EventEmitter.prototype');
    if (!objects.objectId) return undefined;
    const emitters = await ownProperties(cdp, objects.objectId);
    const responses = emitters.filter((p) => /^\d+$/.test(p.name) && p.value?.className === 'ServerResponse' && p.value.objectId).map((p) => p.value!.objectId!);
    const server: ServerRequest[] = [];
    let total = 0;
    for (const response of responses) {
      const request = await unfinishedRequest(cdp, response, false);
      if (!request) continue;
      total++;
      if (server.length < LISTED) server.push({ id: total, ...request, ageMs: 0 });
    }
    debug('heap search: %s unfinished responses of %s', total, responses.length);
    return { server, serverTotal: total, outbound: [], outboundTotal: 0, source: 'heap' };
  } catch {
    return undefined;
  } finally {
    await cdp.post('Runtime.releaseObjectGroup', { objectGroup: GROUP }).catch(() => {});
  }
}

/**
 * A response's request, when the response is still unfinished: its method and path, read as own data
 * properties (the heap walk's finds, the socket scan's). A request object that is a Proxy is not read.
 */
export async function unfinishedRequest(cdp: CdpClient, response: string, keepQuery: boolean): Promise<Pick<ServerRequest, 'method' | 'path'> | undefined> {
  const properties = await ownProperties(cdp, response);
  if (dataValue(properties, 'finished')?.value !== false || dataValue(properties, 'destroyed')?.value === true) return undefined;
  const request = dataValue(properties, 'req');
  if (!request?.objectId || request.subtype === 'proxy') return undefined;
  const fields = await ownProperties(cdp, request.objectId);
  const method = dataValue(fields, 'method')?.value;
  const url = dataValue(fields, 'url')?.value;
  if (typeof method !== 'string' || typeof url !== 'string') return undefined;
  return { method, path: pathOf(url, keepQuery) };
}
