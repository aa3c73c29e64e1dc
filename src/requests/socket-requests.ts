/**
 * The server requests in flight of a process tripod did not start, kept current
 * sample after sample (`tripod record --requests PID`, the monitor's `requests`),
 * best effort. The heap walk of heap-requests.ts stops the process about a second,
 * too dear for every sample; and a Runtime.getProperties per socket costs the main
 * thread ~0.3 ms each. So each sample makes three protocol calls whatever the
 * number of connections: Node's own `process._getActiveHandles` lists the open
 * handles' owners (the sockets); one function of tripod's (SCAN_SOURCE) takes
 * each one's own `_httpMessage` (the response a socket serves) with Node's own
 * Object.getOwnPropertyDescriptor (or Reflect's) and compares it with `===` to the responses
 * already followed; one Runtime.getProperties reads its answer. Only a response
 * seen for the first time is read further (its `finished`, its request's method
 * and url), by Runtime.getProperties, and held under tripod's object group. Both
 * natives are checked to be Node's (a data property, V8's native description, no
 * JavaScript source, not bound) before anything is called: no getter, no Proxy
 * trap and none of the program's code runs. Ages count from the sample that first
 * saw a request: a lower bound. A client socket's message is an outbound request of
 * the program's (http/https; fetch's sockets carry none), listed the same way.
 */
import type { Protocol } from 'devtools-protocol';
import type { InFlight, OutboundRequest, ServerRequest } from '../record/requests';
import type { CdpClient } from '../capture/cdp';
import type { RequestReader } from '../capture/capturer';
import { hostOf, pathOf } from './in-flight-text';
import { dataValue, ownProperties, processObject, unfinishedRequest } from './heap-requests';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('capture');

/** Remote objects held from one sample to the next: the responses followed, Node's natives. */
const HELD = 'tripod-socket-requests';
/** Remote objects of one scan, released at its end. */
const SCAN = 'tripod-socket-scan';
/** Requests listed; the total counts them all. */
const LISTED = 20;

/**
 * Runs in the target, `this` the array `_getActiveHandles` made, `describe` Node's
 * getOwnPropertyDescriptor, then the responses followed. It touches only own data
 * properties (a descriptor's `value` read from the descriptor's own descriptor, so
 * an accessor's absent `value` is never looked up on a prototype) and answers in an
 * object with no prototype: `f<j>: 1` for each followed response still some
 * socket's, `n<i>: response` for one not followed yet. Handles that are not objects
 * and accessors are skipped; nothing is called but `describe`.
 */
const SCAN_SOURCE = `function (describe) {
  const answer = { __proto__: null };
  const followed = arguments.length - 1;
  const handles = this.length;
  for (let i = 0; i < handles; i++) {
    const handle = this[i];
    if (typeof handle !== 'object' || handle === null) continue;
    const property = describe(handle, '_httpMessage');
    const own = property === undefined ? undefined : describe(property, 'value');
    const message = own === undefined ? undefined : own.value;
    if (typeof message !== 'object' || message === null) continue;
    let known = false;
    for (let j = 0; j < followed; j++) {
      if (arguments[j + 1] === message) {
        answer['f' + j] = 1;
        known = true;
        break;
      }
    }
    if (!known) answer['n' + i] = message;
  }
  return answer;
}`;

interface Followed {
  id: number;
  /** A ServerResponse (a server request), or a ClientRequest (an outbound one). */
  kind: 'server' | 'outbound';
  method: string;
  path: string;
  /** Outbound only: `http://host:port`. */
  origin: string;
  /** Epoch ms of the sample that first saw it. */
  seenAt: number;
  /** The response (or client request), held in HELD. */
  response: string;
}

/** Node's natives the scan calls, held in HELD. */
interface Natives {
  lister: string;
  describe: string;
}

export class SocketRequests implements RequestReader {
  private followed: Followed[] = [];
  private lastId = 0;
  /** Undefined: not looked for yet in this session; null: the process has not Node's own (replaced). */
  private natives?: Natives | null;

  constructor(
    private readonly cdp: CdpClient,
    private readonly keepQuery = false,
  ) {}

  /** A scan still waiting for the thread (past the capture's deadline): the next read does not start another. */
  private scanning = false;

  /** The requests in flight now; undefined when none is (or the process could not be read so). */
  async read(): Promise<InFlight | undefined> {
    if (this.scanning) return undefined;
    this.scanning = true;
    try {
      return await this.readNow();
    } finally {
      this.scanning = false;
    }
  }

  private async readNow(): Promise<InFlight | undefined> {
    const now = Date.now();
    try {
      await this.scan(now);
    } catch (error) {
      // A session that moved (SIGUSR1's relay) knows none of the held objects: all are looked for again, the
      // requests found anew (their ages from then).
      debug('socket requests: %s', (error as Error)?.message ?? error);
      this.natives = undefined;
      this.followed = [];
    } finally {
      await this.cdp.post('Runtime.releaseObjectGroup', { objectGroup: SCAN }).catch(() => {});
    }
    if (this.followed.length === 0) return undefined;
    const server = this.followed.filter((r) => r.kind === 'server');
    const outbound = this.followed.filter((r) => r.kind === 'outbound');
    const listed: ServerRequest[] = server.slice(0, LISTED).map((r) => ({ id: r.id, method: r.method, path: r.path, ageMs: now - r.seenAt }));
    const made: OutboundRequest[] = outbound.slice(0, LISTED).map((r) => ({ id: r.id, method: r.method, origin: r.origin, path: r.path, ageMs: now - r.seenAt }));
    return { server: listed, serverTotal: server.length, outbound: made, outboundTotal: outbound.length, source: 'sockets' };
  }

  dispose(): void {
    this.followed = [];
    void this.cdp.post('Runtime.releaseObjectGroup', { objectGroup: HELD }).catch(() => {});
  }

  private async scan(now: number): Promise<void> {
    if (this.natives === undefined) this.natives = (await nodeNatives(this.cdp)) ?? null;
    if (this.natives === null) return;
    const handles = await this.call(this.natives.lister, 'function () { return this(); }', []);
    if (!handles) return;
    const answer = await this.call(handles, SCAN_SOURCE, [this.natives.describe, ...this.followed.map((r) => r.response)]);
    if (!answer) return;
    const found = await ownProperties(this.cdp, answer);
    const still = new Set(found.filter((p) => p.name.startsWith('f')).map((p) => Number(p.name.slice(1))));
    const ended = this.followed.filter((_, j) => !still.has(j));
    this.followed = this.followed.filter((_, j) => still.has(j));
    for (const r of ended) void this.cdp.post('Runtime.releaseObject', { objectId: r.response }).catch(() => {});
    // A Proxy is never read (getProperties would show its target, not what the program sees): left out.
    const fresh = found.filter((p) => p.name.startsWith('n') && p.value?.subtype !== 'proxy' && p.value?.objectId);
    const added = await Promise.all(
      fresh.map((p) => {
        if (p.value!.className === 'ServerResponse') return this.follow(p.value!.objectId!, now);
        return p.value!.className === 'ClientRequest' ? this.followOutbound(p.value!.objectId!, now) : undefined;
      }),
    );
    for (const r of added) if (r) this.followed.push(r);
  }

  /** A function of tripod's called on `objectId` with remote objects as arguments; the result's id in SCAN. */
  private async call(objectId: string, functionDeclaration: string, args: string[]): Promise<string | undefined> {
    const { result, exceptionDetails } = await this.cdp.post('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration,
      arguments: args.map((id) => ({ objectId: id })),
      objectGroup: SCAN,
      silent: true,
    });
    if (exceptionDetails) debug('socket requests: the scan threw (%s)', exceptionDetails.text);
    return exceptionDetails ? undefined : result.objectId;
  }

  private async follow(response: string, now: number): Promise<Followed | undefined> {
    const request = await unfinishedRequest(this.cdp, response, this.keepQuery);
    if (!request) return undefined;
    const held = await this.hold(response);
    return held ? { id: ++this.lastId, kind: 'server', ...request, origin: '', seenAt: now, response: held } : undefined;
  }

  /**
   * An outbound http request a client socket carries, still waiting for its response's head (its own `res`
   * null, as tripod's table counts it). Its path is its own (Node 20) or its rendered head's request line
   * (Node 24 makes `path` an accessor, not called); of the head only that line and Host are read.
   */
  private async followOutbound(request: string, now: number): Promise<Followed | undefined> {
    const properties = await ownProperties(this.cdp, request);
    const answered = dataValue(properties, 'res');
    if (answered?.subtype !== 'null' || dataValue(properties, 'destroyed')?.value === true) return undefined;
    const head = dataValue(properties, '_header')?.value;
    const method = dataValue(properties, 'method')?.value;
    const host = dataValue(properties, 'host')?.value;
    const protocol = dataValue(properties, 'protocol')?.value;
    const ownPath = dataValue(properties, 'path')?.value;
    const path = typeof ownPath === 'string' ? ownPath : typeof head === 'string' ? requestLinePath(head) : undefined;
    if (typeof method !== 'string' || typeof path !== 'string') return undefined;
    const origin = `${typeof protocol === 'string' ? protocol : 'http:'}//${hostOf(typeof head === 'string' ? head : '', typeof host === 'string' ? host : '?')}`;
    const held = await this.hold(request);
    return held ? { id: ++this.lastId, kind: 'outbound', method, path: pathOf(path, this.keepQuery), origin, seenAt: now, response: held } : undefined;
  }

  /** The same object under tripod's group that outlives the scan: a function of tripod's that returns its receiver. */
  private async hold(objectId: string): Promise<string | undefined> {
    const { result } = await this.cdp.post('Runtime.callFunctionOn', { objectId, functionDeclaration: 'function () { return this; }', objectGroup: HELD, silent: true });
    return result.objectId;
  }
}

/** `/path?q` of a rendered request head's first line, `GET /path?q HTTP/1.1`. */
function requestLinePath(head: string): string | undefined {
  const line = head.slice(0, head.indexOf('\r\n') >>> 0);
  const parts = line.split(' ');
  return parts.length === 3 ? parts[1] : undefined;
}

/**
 * `process._getActiveHandles` and `Object.getOwnPropertyDescriptor` (or Reflect's), held in HELD, when they are
 * Node's own. A program that replaced the lister, or both describers, gets nothing called and no requests listed.
 */
async function nodeNatives(cdp: CdpClient): Promise<Natives | undefined> {
  const { result: global } = await cdp.post('Runtime.evaluate', { expression: 'this', objectGroup: HELD, silent: true });
  if (!global.objectId) return undefined;
  const processId = await processObject(cdp, global.objectId);
  const lister = processId ? await nativeFunction(cdp, dataValue(await ownProperties(cdp, processId), '_getActiveHandles'), '_getActiveHandles') : undefined;
  const globals = await ownProperties(cdp, global.objectId);
  let describe: string | undefined;
  // Object's, or where the program replaced it, Reflect's (the scan calls it on objects only, where they agree).
  for (const owner of ['Object', 'Reflect']) {
    const ownerId = dataValue(globals, owner)?.objectId;
    describe ??= ownerId ? await nativeFunction(cdp, dataValue(await ownProperties(cdp, ownerId), 'getOwnPropertyDescriptor'), 'getOwnPropertyDescriptor') : undefined;
  }
  if (!lister || !describe) {
    debug('socket requests: %s not Node\'s own; no requests listed', lister ? 'Object.getOwnPropertyDescriptor and Reflect.getOwnPropertyDescriptor are' : 'process._getActiveHandles is');
    return undefined;
  }
  return { lister, describe };
}

/** The function's id when it is a native one of that name: V8's description, no [[FunctionLocation]], not bound. */
async function nativeFunction(cdp: CdpClient, value: Protocol.Runtime.RemoteObject | undefined, name: string): Promise<string | undefined> {
  if (value?.type !== 'function' || value.description !== `function ${name}() { [native code] }` || !value.objectId) return undefined;
  const { internalProperties } = await cdp.post('Runtime.getProperties', { objectId: value.objectId, ownProperties: true });
  if (internalProperties?.some((p) => p.name === '[[FunctionLocation]]' || p.name === '[[TargetFunction]]' || p.name === '[[BoundThis]]')) return undefined;
  return value.objectId;
}
