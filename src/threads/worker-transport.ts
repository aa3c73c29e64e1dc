/**
 * The transport to one worker thread: CDP messages wrapped in the main
 * session's NodeWorker.sendMessageToWorker / receivedMessageFromWorker. The main
 * thread relays them, so a worker answers only while the main thread can.
 */
import type { CdpConnection, Transport } from '../capture/cdp-connection';
import type { NodeEvents } from '../capture/node-domains';

export function workerTransport(main: CdpConnection, sessionId: string): Transport {
  let onMessage: ((params: NodeEvents['NodeWorker.receivedMessageFromWorker']) => void) | undefined;
  let onDetached: ((params: NodeEvents['NodeWorker.detachedFromWorker']) => void) | undefined;
  const stop = () => {
    if (onMessage) main.offNode('NodeWorker.receivedMessageFromWorker', onMessage);
    if (onDetached) main.offNode('NodeWorker.detachedFromWorker', onDetached);
  };
  return {
    send(text) {
      void main.node('NodeWorker.sendMessageToWorker', { sessionId, message: text }).catch(() => {});
    },
    listen(received, closed) {
      onMessage = (params) => params.sessionId === sessionId && received(params.message);
      onDetached = (params) => {
        if (params.sessionId !== sessionId) return;
        stop();
        closed('the worker exited');
      };
      main.onNode('NodeWorker.receivedMessageFromWorker', onMessage);
      main.onNode('NodeWorker.detachedFromWorker', onDetached);
      main.onClose((reason) => {
        stop();
        closed(reason);
      });
    },
    close() {
      stop();
      void main.node('NodeWorker.detach', { sessionId }).catch(() => {});
    },
  };
}
