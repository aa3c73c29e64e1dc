/**
 * The main thread's CDP calls of one controls command, timed: every call
 * (getProperties, callFunctionOn, queryObjects) is served by the program's main
 * thread between two of its JS instructions, so the time while at least one is
 * outstanding bounds how long the command stopped it (transport latency included:
 * the figure errs high).
 */
import type { CdpClient, EventName, EventParams, Method, Params, Result } from '../capture/cdp';
import { findNodeInternals, type NodeInternals } from '../capture/node-internals';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('attach');

export const CONTROLS_GROUP = 'tripod-controls';

export class TimedCdp implements CdpClient {
  private inFlight = 0;
  private since = 0;
  stoppedMs = 0;
  /** Calls made (each served between two of the program's instructions). */
  calls = 0;

  constructor(private readonly cdp: CdpClient) {}

  on<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void {
    this.cdp.on(event, listener);
  }

  off<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void {
    this.cdp.off(event, listener);
  }

  async post<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
    if (this.inFlight++ === 0) this.since = performance.now();
    const sent = performance.now();
    this.calls++;
    try {
      return await this.cdp.post(method, params);
    } finally {
      debug('%s answered in %s ms', method, (performance.now() - sent).toFixed(2));
      if (--this.inFlight === 0) this.stoppedMs += performance.now() - this.since;
    }
  }

  /** Own properties of an object, getters not run. */
  async own(objectId: string, generatePreview = false) {
    const { result, internalProperties } = await this.post('Runtime.getProperties', { objectId, ownProperties: true, generatePreview });
    return { properties: result, internal: internalProperties ?? [] };
  }

  private found?: Promise<NodeInternals>;

  /** Node's internals in the target, found once a command: the module cache and the held-objects walk both start from them. */
  internals(): Promise<NodeInternals> {
    this.found ??= findNodeInternals(this);
    return this.found;
  }

  release(): Promise<unknown> {
    return this.post('Runtime.releaseObjectGroup', { objectGroup: CONTROLS_GROUP }).catch(() => undefined);
  }
}
