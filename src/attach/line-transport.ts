/**
 * The transport to the preload agent: one JSON message per line over a Unix
 * socket (the agent relays them to an in-process inspector session).
 */
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Transport } from '../capture/cdp-connection';

export function lineTransport(socket: Socket): Transport {
  return {
    send: (text) => socket.write(`${text}\n`),
    listen(received, closed) {
      const lines = createInterface({ input: socket, crlfDelay: Infinity });
      lines.on('line', received);
      // readline passes the socket's errors on (ECONNRESET when the target is killed): 'close' says it all.
      lines.on('error', () => {});
      socket.on('close', () => closed('the agent closed the connection'));
      socket.on('error', () => {});
    },
    close: () => socket.destroy(),
  };
}
