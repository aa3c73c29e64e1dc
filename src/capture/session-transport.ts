/**
 * A Transport over node:inspector's in-process Session, so that a CdpConnection
 * (and what is built on it: the NodeWorker domain's worker sessions) works from
 * the runner's sampler worker as it does over a WebSocket. The Session takes
 * calls, not text: each message is read back into its call, and each answer or
 * event written as the text the inspector would have sent. All of it runs on
 * the sampler's thread.
 */
import type { Session } from 'node:inspector';
import type { Transport } from './cdp-connection';

/** What a Session's post callback is given when the inspector refused the call. */
const SERVER_ERROR = -32000;

type Post = (method: string, params: unknown, callback: (error: Error | null, result?: unknown) => void) => void;

export function sessionTransport(session: Session): Transport {
  let received: (text: string) => void = () => {};
  let closed: (reason: string) => void = () => {};
  const post = session.post.bind(session) as Post;
  const onNotification = (message: { method: string; params?: unknown }) => received(JSON.stringify(message));
  return {
    send(text) {
      const { id, method, params } = JSON.parse(text) as { id: number; method: string; params?: unknown };
      post(method, params ?? {}, (error, result) => {
        received(JSON.stringify(error ? { id, error: { code: SERVER_ERROR, message: error.message } } : { id, result: result ?? {} }));
      });
    },
    listen(onMessage, onClosed) {
      received = onMessage;
      closed = onClosed;
      session.on('inspectorNotification', onNotification);
    },
    close() {
      session.off('inspectorNotification', onNotification);
      session.disconnect();
      closed('closed by tripod');
    },
  };
}
