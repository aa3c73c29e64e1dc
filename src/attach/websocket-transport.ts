/**
 * The transport to an inspector's WebSocket (the `ws` package). Only loopback
 * addresses are ever dialled.
 */
import WebSocket from 'ws';
import type { Transport } from '../capture/cdp-connection';
import { isLoopback } from './proc-sockets';

/** How long a graceful close may take before the socket is cut. */
const CLOSE_WAIT_MS = 1000;

export function openWebSocket(url: string, timeoutMs: number): Promise<Transport> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (!isLoopback(host)) return Promise.reject(new Error(`refusing to connect to ${url}: not a loopback address`));
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs, maxPayload: 256 * 1024 * 1024 });
    socket.once('open', () => {
      socket.off('error', reject);
      // Errors after opening end in 'close', which the transport reports.
      socket.on('error', () => {});
      resolve(transportOf(socket));
    });
    socket.once('error', reject);
  });
}

function transportOf(socket: WebSocket): Transport {
  return {
    send: (text) => socket.send(text),
    listen(received, closed) {
      socket.on('message', (data) => received(data.toString()));
      socket.on('close', (code) => closed(`WebSocket closed (${code})`));
    },
    // A graceful close sends what is queued (the inspector's close) before the close frame.
    close() {
      socket.close();
      setTimeout(() => socket.terminate(), CLOSE_WAIT_MS).unref();
    },
    // Node's inspector writes with Nagle's algorithm on: a message written before
    // our ACK of the previous one waits for it, and the kernel delays that ACK up
    // to 40 ms. Data from us carries the ACK at once; the inspector answers "{}"
    // with an error that has no id, which nobody awaits.
    nudge: () => socket.send('{}'),
  };
}
