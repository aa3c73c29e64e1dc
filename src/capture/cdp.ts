/**
 * A typed Chrome DevTools Protocol client. Capture code talks to this interface
 * only, so the same capture works in-process (inspector.Session) and over a
 * WebSocket to another process.
 */
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping';

export type Method = keyof ProtocolMapping.Commands;
export type Params<M extends Method> = ProtocolMapping.Commands[M]['paramsType'][0];
export type Result<M extends Method> = ProtocolMapping.Commands[M]['returnType'];
export type EventName = keyof ProtocolMapping.Events;
export type EventParams<E extends EventName> = ProtocolMapping.Events[E][0];

export interface CdpClient {
  post<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void;
  off<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): void;
}

/** Resolves with the params of the next such event that `accept`s, or undefined when `ms` pass first. */
export function nextEvent<E extends EventName>(
  cdp: CdpClient,
  event: E,
  ms: number,
  accept: (params: EventParams<E>) => boolean = () => true,
): { promise: Promise<EventParams<E> | undefined>; cancel(): void } {
  let cancel = () => {};
  const promise = new Promise<EventParams<E> | undefined>((resolve) => {
    const listener = (params: EventParams<E>) => accept(params) && finish(params);
    const timer = setTimeout(() => finish(undefined), ms);
    function finish(value: EventParams<E> | undefined) {
      clearTimeout(timer);
      cdp.off(event, listener);
      resolve(value);
    }
    cancel = () => finish(undefined);
    cdp.on(event, listener);
  });
  return { promise, cancel };
}

export type Deadline<T> = { answered: true; value: T } | { answered: false; late: Promise<T> };

/** Waits for `promise` up to `ms`; past that, hands back the still-pending promise. */
export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<Deadline<T>> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), ms)));
  try {
    const winner = await Promise.race([promise.then((value) => ({ value })), expired]);
    return winner === 'expired' ? { answered: false, late: promise } : { answered: true, value: winner.value };
  } finally {
    clearTimeout(timer);
  }
}
