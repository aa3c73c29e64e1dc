/**
 * A CdpClient over any message transport: a WebSocket to the target's inspector,
 * the agent's Unix socket, an in-process inspector session, or a worker session
 * carried by NodeWorker messages.
 * Calls are matched to answers by id; when the transport closes, every pending
 * call fails with ConnectionClosed.
 */
import type { CdpClient, EventName, EventParams, Method, Params, Result } from './cdp';
import type { NodeCommands, NodeEvents } from './node-domains';

export interface Transport {
  send(text: string): void;
  /** Receives every message, then `closed` once. */
  listen(received: (text: string) => void, closed: (reason: string) => void): void;
  close(): void;
  /** Makes the peer send what it holds back now (see the WebSocket transport). */
  nudge?(): void;
}

export class ConnectionClosed extends Error {
  constructor(reason: string) {
    super(`inspector connection closed: ${reason}`);
    this.name = 'ConnectionClosed';
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

type Listener = (params: never) => void;

/** Calls awaiting an answer over one physical connection: the main session's and its workers'. */
export class Outstanding {
  count = 0;
}

export class CdpConnection implements CdpClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closedBy?: string;
  private nudgeQueued = false;
  /** Whether a call went out after the last nudge (see receive). */
  private sentSinceNudge = false;

  /** Worker sessions pass their carrier's `outstanding`: their answers arrive over its transport. */
  constructor(
    private readonly transport: Transport,
    readonly outstanding = new Outstanding(),
  ) {
    transport.listen(this.receive, this.onClosed);
  }

  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  post<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
    return this.call(method, params) as Promise<Result<M>>;
  }

  /** Node's own domains (NodeWorker, NodeRuntime). */
  node<C extends keyof NodeCommands>(method: C, params: NodeCommands[C]): Promise<unknown> {
    return this.call(method, params);
  }

  on<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void {
    this.addListener(event, listener as Listener);
  }

  off<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void {
    this.listeners.get(event)?.delete(listener as Listener);
  }

  onNode<E extends keyof NodeEvents>(event: E, listener: (params: NodeEvents[E]) => void): void {
    this.addListener(event, listener as Listener);
  }

  offNode<E extends keyof NodeEvents>(event: E, listener: (params: NodeEvents[E]) => void): void {
    this.listeners.get(event)?.delete(listener as Listener);
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedBy !== undefined) listener(this.closedBy);
    else this.closeListeners.add(listener);
  }

  close(): void {
    this.transport.close();
    this.onClosed('closed by tripod');
  }

  private call(method: string, params: object | undefined): Promise<unknown> {
    if (this.closedBy !== undefined) return Promise.reject(new ConnectionClosed(this.closedBy));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.outstanding.count++;
      this.sentSinceNudge = true;
      try {
        this.transport.send(JSON.stringify({ id, method, params: params ?? {} }));
      } catch (error) {
        this.pending.delete(id);
        this.outstanding.count--;
        reject(error as Error);
      }
    });
  }

  private addListener(event: string, listener: Listener): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
  }

  private readonly receive = (text: string): void => {
    let message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const call = message.id !== undefined ? this.pending.get(message.id) : undefined;
    if (call) {
      this.pending.delete(message.id!);
      this.outstanding.count--;
      if (message.error) call.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
      else call.resolve(message.result);
    } else if (message.method) {
      for (const listener of [...(this.listeners.get(message.method) ?? [])]) listener(message.params as never);
    } else if (!this.sentSinceNudge) return; // the answer to a nudge: answering each in turn would never end
    // After a nudge's answer too, when a call went out since the nudge: the
    // inspector may write that call's answer before our delayed ACK of its last
    // message, and Nagle then holds it up to 40 ms (a flags command through
    // SIGUSR1 waited so some ten times).
    if (this.outstanding.count > 0) this.queueNudge();
  };

  /** Once per batch of messages (one read from the socket), while answers are still due. */
  private queueNudge(): void {
    if (this.nudgeQueued || !this.transport.nudge) return;
    this.nudgeQueued = true;
    setImmediate(() => {
      this.nudgeQueued = false;
      if (this.outstanding.count === 0 || this.closedBy !== undefined) return;
      this.sentSinceNudge = false;
      this.transport.nudge?.();
    });
  }

  private readonly onClosed = (reason: string): void => {
    if (this.closedBy !== undefined) return;
    this.closedBy = reason;
    const error = new ConnectionClosed(reason);
    this.outstanding.count -= this.pending.size;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    for (const listener of this.closeListeners) listener(reason);
    this.closeListeners.clear();
  };
}
