/**
 * An inspector session to the main thread that is connected only while a
 * capture needs it. Node keeps a paused main thread in its pause loop for as long
 * as any session from another thread (like the sampler's) is connected, even
 * after the program's own in-thread session resumed it from its Debugger.paused
 * handler (as Sentry's LocalVariables does): so a session held for the whole run
 * would leave such a program paused for good at its first pause. Between
 * captures there is no tripod session at all, and the program's debugger behaves
 * as under node; a pause of the program's during a capture waits only until the
 * capture ends. Crash capture and the profiler need a session that stays (they
 * hold a domain): the worker then connects one for good instead (README: Limits).
 */
import { Session } from 'node:inspector';
import type { CdpClient, EventName, EventParams, Method, Params, Result } from './cdp';

type Listener = (params: never) => void;
type Wrapper = (message: { params: unknown }) => void;

export interface SessionLease {
  /** Connects, if no capture holds the session yet; every hold is followed by one release. */
  hold(): void;
  /** Disconnects once no capture holds it. */
  release(): void;
  /** Counts connections: object ids of one connection mean nothing in the next. */
  readonly generation: number;
}

export class CaptureSession implements CdpClient, SessionLease {
  private session?: Session;
  private holders = 0;
  private connections = 0;
  private readonly wrapped = new Map<Listener, { event: string; wrapper: Wrapper }>();

  get generation(): number {
    return this.connections;
  }

  hold(): void {
    if (this.holders++ > 0) return;
    const session = new Session();
    for (const { event, wrapper } of this.wrapped.values()) session.on(event, wrapper);
    session.connectToMainThread();
    this.session = session;
    this.connections++;
  }

  release(): void {
    if (this.holders === 0 || --this.holders > 0) return;
    const session = this.session;
    this.session = undefined;
    session?.disconnect();
  }

  /** At exit: whatever holds it, the session goes. */
  disconnect(): void {
    this.holders = 0;
    this.session?.disconnect();
    this.session = undefined;
  }

  post<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
    const session = this.session;
    if (!session) return Promise.reject(new Error(`${method}: no inspector session (no capture holds it)`));
    return new Promise((resolve, reject) => {
      const post = session.post.bind(session) as (m: string, p: unknown, cb: (e: Error | null, r: unknown) => void) => void;
      post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as Result<M>)));
    });
  }

  on<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void {
    const wrapper: Wrapper = (message) => listener(message.params as EventParams<E>);
    this.wrapped.set(listener as Listener, { event, wrapper });
    this.session?.on(event, wrapper);
  }

  off<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void {
    const entry = this.wrapped.get(listener as Listener);
    if (!entry) return;
    this.wrapped.delete(listener as Listener);
    this.session?.off(event, entry.wrapper);
  }
}
