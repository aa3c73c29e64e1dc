/**
 * CdpClient over node:inspector's in-process Session, connected to the main
 * thread from a worker. Opens no port: nothing outside the process can use it.
 */
import { Session } from 'node:inspector';
import type { CdpClient, EventName, EventParams, Method, Params, Result } from './cdp';

type Listener = (params: never) => void;

export class InspectorClient implements CdpClient {
  private readonly session = new Session();
  private readonly wrapped = new Map<Listener, (message: { params: unknown }) => void>();

  connectToMainThread(): void {
    this.session.connectToMainThread();
  }

  disconnect(): void {
    this.session.disconnect();
  }

  post<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
    return new Promise((resolve, reject) => {
      const post = this.session.post.bind(this.session) as (m: string, p: unknown, cb: (e: Error | null, r: unknown) => void) => void;
      post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as Result<M>)));
    });
  }

  on<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void {
    const wrapper = (message: { params: unknown }) => listener(message.params as EventParams<E>);
    this.wrapped.set(listener as Listener, wrapper);
    this.session.on(event, wrapper);
  }

  off<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void {
    const wrapper = this.wrapped.get(listener as Listener);
    if (!wrapper) return;
    this.wrapped.delete(listener as Listener);
    this.session.off(event, wrapper);
  }
}
