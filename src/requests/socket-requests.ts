/**
 * The server requests in flight of a process tripod did not start, kept current
 * sample after sample (`tripod record --requests PID`), best effort. The heap walk
 * of heap-requests.ts stops the process about a second, too dear for every sample;
 * instead each sample lists the process's open sockets with Node's own
 * `process._getActiveHandles` (a native function, checked to be Node's before it is
 * called, called with no argument and no property lookup) and reads, by
 * Runtime.getProperties, each socket's `_httpMessage`: the ServerResponse it is
 * serving. A response seen for the first time is held (a remote object of tripod's
 * group), so later samples re-read its own `finished`/`destroyed` and drop it once
 * it ended. No getter and none of the program's code runs. Ages count from the
 * sample that first saw a request: a lower bound.
 */
import type { Protocol } from 'devtools-protocol';
import type { InFlight, ServerRequest } from '../record/requests';
import type { CdpClient } from '../capture/cdp';
import type { RequestReader } from '../capture/capturer';
import { pathOf } from './in-flight-text';
import { dataValue, ownProperties, processObject } from './heap-requests';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('capture');

/** Remote objects held from one sample to the next: the responses followed, Node's handle lister. */
const HELD = 'tripod-socket-requests';
/** Remote objects of one scan, released at its end. */
const SCAN = 'tripod-socket-scan';
/** Requests listed; the total counts them all. */
const LISTED = 20;
/** Sockets read per sample: a server with more open connections has the others left out of that sample. */
export const MAX_SOCKETS = 2000;
/** What V8 says of Node's own handle lister (a native function: its source is not JavaScript). */
const NATIVE_LISTER = 'function _getActiveHandles() { [native code] }';

interface Followed {
  id: number;
  method: string;
  path: string;
  /** Epoch ms of the sample that first saw it. */
  seenAt: number;
  /** The response, held in HELD. */
  response: string;
}

export class SocketRequests implements RequestReader {
  /** By the socket's async id: a socket serves one response at a time. */
  private readonly followed = new Map<number, Followed>();
  private lastId = 0;
  /** Node's `process._getActiveHandles`, held; null: the process has none of Node's (replaced, or gone). */
  private lister?: string | null;

  constructor(
    private readonly cdp: CdpClient,
    private readonly keepQuery = false,
  ) {}

  /** The requests in flight now; undefined when none is (or the process could not be read so). */
  async read(): Promise<InFlight | undefined> {
    const now = Date.now();
    try {
      await this.dropEnded();
      await this.findNew(now);
    } catch (error) {
      // A session that moved (SIGUSR1's relay) knows none of the held objects: found again at the next scan.
      debug('socket requests: %s', (error as Error)?.message ?? error);
      this.lister = undefined;
    } finally {
      await this.cdp.post('Runtime.releaseObjectGroup', { objectGroup: SCAN }).catch(() => {});
    }
    if (this.followed.size === 0) return undefined;
    const server: ServerRequest[] = [...this.followed.values()]
      .sort((a, b) => a.id - b.id)
      .slice(0, LISTED)
      .map((r) => ({ id: r.id, method: r.method, path: r.path, ageMs: now - r.seenAt }));
    return { server, serverTotal: this.followed.size, outbound: [], outboundTotal: 0, source: 'sockets' };
  }

  dispose(): void {
    this.followed.clear();
    void this.cdp.post('Runtime.releaseObjectGroup', { objectGroup: HELD }).catch(() => {});
  }

  /** Responses followed that finished, or whose connection was destroyed, leave. */
  private async dropEnded(): Promise<void> {
    const entries = [...this.followed.entries()];
    const states = await Promise.all(entries.map(([, r]) => ownProperties(this.cdp, r.response).then(isUnfinished, () => false)));
    entries.forEach(([socket, r], i) => {
      if (states[i]) return;
      this.followed.delete(socket);
      void this.cdp.post('Runtime.releaseObject', { objectId: r.response }).catch(() => {});
    });
  }

  private async findNew(now: number): Promise<void> {
    const sockets = await this.openSockets();
    const read = await Promise.all(sockets.map((socket) => ownProperties(this.cdp, socket).catch(() => undefined)));
    const candidates: Array<[number, string]> = [];
    for (const properties of read) {
      if (!properties) continue;
      const asyncId = dataValue(properties, 'Symbol(async_id_symbol)')?.value;
      const message = dataValue(properties, '_httpMessage');
      if (typeof asyncId !== 'number' || this.followed.has(asyncId)) continue;
      if (message?.className === 'ServerResponse' && message.objectId) candidates.push([asyncId, message.objectId]);
    }
    await Promise.all(candidates.map(([socket, response]) => this.follow(socket, response, now)));
  }

  private async follow(socket: number, response: string, now: number): Promise<void> {
    const properties = await ownProperties(this.cdp, response);
    if (!isUnfinished(properties)) return;
    const request = dataValue(properties, 'req')?.objectId;
    if (!request) return;
    const fields = await ownProperties(this.cdp, request);
    const method = dataValue(fields, 'method')?.value;
    const url = dataValue(fields, 'url')?.value;
    if (typeof method !== 'string' || typeof url !== 'string') return;
    const held = await this.hold(response);
    if (held) this.followed.set(socket, { id: ++this.lastId, method, path: pathOf(url, this.keepQuery), seenAt: now, response: held });
  }

  /** The same object under tripod's group that outlives the scan: a function of tripod's that returns its receiver. */
  private async hold(objectId: string): Promise<string | undefined> {
    const { result } = await this.cdp.post('Runtime.callFunctionOn', { objectId, functionDeclaration: 'function () { return this; }', objectGroup: HELD, silent: true });
    return result.objectId;
  }

  /** The process's open sockets (server and client ones), as remote objects of this scan. */
  private async openSockets(): Promise<string[]> {
    if (this.lister === undefined) this.lister = (await nodeHandleLister(this.cdp)) ?? null;
    if (this.lister === null) return [];
    const { result, exceptionDetails } = await this.cdp.post('Runtime.callFunctionOn', {
      objectId: this.lister,
      // Calls the native function itself: no property of the program's is looked up on the way.
      functionDeclaration: 'function () { return this(); }',
      objectGroup: SCAN,
      silent: true,
    });
    if (exceptionDetails || !result.objectId) return [];
    const handles = await ownProperties(this.cdp, result.objectId);
    const sockets = handles.filter((p) => /^\d+$/.test(p.name) && /Socket$/.test(p.value?.className ?? '') && p.value?.objectId).map((p) => p.value!.objectId!);
    if (sockets.length > MAX_SOCKETS) debug('socket requests: %s open sockets, the first %s read', sockets.length, MAX_SOCKETS);
    return sockets.slice(0, MAX_SOCKETS);
  }
}

function isUnfinished(properties: Protocol.Runtime.PropertyDescriptor[]): boolean {
  return dataValue(properties, 'finished')?.value === false && dataValue(properties, 'destroyed')?.value !== true;
}

/**
 * `process._getActiveHandles` held in HELD, when it is Node's own native function: a data property of
 * `process` whose V8 description is the native one's, with no JavaScript source ([[FunctionLocation]]) and
 * not bound to another ([[TargetFunction]]). A program that replaced it gets nothing called.
 */
async function nodeHandleLister(cdp: CdpClient): Promise<string | undefined> {
  const { result: global } = await cdp.post('Runtime.evaluate', { expression: 'this', objectGroup: HELD, silent: true });
  const processId = global.objectId ? await processObject(cdp, global.objectId) : undefined;
  if (!processId) return undefined;
  const lister = dataValue(await ownProperties(cdp, processId), '_getActiveHandles');
  if (lister?.type !== 'function' || lister.description !== NATIVE_LISTER || !lister.objectId) return refused('not a function of Node\'s');
  const { internalProperties } = await cdp.post('Runtime.getProperties', { objectId: lister.objectId, ownProperties: true });
  if (internalProperties?.some((p) => p.name === '[[FunctionLocation]]' || p.name === '[[TargetFunction]]' || p.name === '[[BoundThis]]')) return refused('replaced by the program');
  return lister.objectId;
}

function refused(why: string): undefined {
  debug('socket requests: process._getActiveHandles is %s; no requests listed', why);
  return undefined;
}
