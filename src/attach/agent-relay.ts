/**
 * The agent's relay, a worker in the target started only when tripod asks: it
 * accepts one connection on its own socket (mode 0600) and passes CDP messages,
 * one JSON per line, to and from an inspector session on the main thread. It
 * ends, removing its socket, when tripod disconnects or never comes.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parentPort, workerData } from 'node:worker_threads';
import { SESSION_CONNECT_WAIT_MS } from './agent-protocol';

type InspectorSession = import('node:inspector').Session;

const { sessionPath } = workerData as { sessionPath: string };

const session = openSession();
if (session) listen(session);

function openSession(): InspectorSession | undefined {
  try {
    // Throws ERR_INSPECTOR_NOT_AVAILABLE in a Node built without the inspector.
    const { Session } = require('node:inspector') as typeof import('node:inspector');
    const opened = new Session();
    opened.connectToMainThread();
    return opened;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    parentPort!.postMessage({ error: (error as Error).message, noInspector: code === 'ERR_INSPECTOR_NOT_AVAILABLE' });
    return undefined;
  }
}

function listen(opened: InspectorSession): void {
  const server = createServer((socket) => {
    server.close();
    clearTimeout(giveUp);
    relay(opened, socket);
  });
  const giveUp = setTimeout(() => {
    server.close();
    opened.disconnect();
  }, SESSION_CONNECT_WAIT_MS);
  server.on('close', () => removeFile(sessionPath));
  server.on('error', (error) => {
    parentPort!.postMessage({ error: error.message });
    opened.disconnect();
  });
  server.listen(sessionPath, () => {
    chmodSync(sessionPath, 0o600);
    parentPort!.postMessage({ listening: true });
  });
}

function relay(opened: InspectorSession, socket: Socket): void {
  const send = (message: unknown) => socket.writable && socket.write(`${JSON.stringify(message)}\n`);
  const post = opened.post.bind(opened) as (method: string, params: object, callback: (error: Error | null, result?: unknown) => void) => void;
  opened.on('inspectorNotification', (message) => send(message));
  createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => {
    let message: { id: number; method: string; params?: object };
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    post(message.method, message.params ?? {}, (error, result) =>
      send(error ? { id: message.id, error: { code: -32000, message: error.message } } : { id: message.id, result: result ?? {} }),
    );
  });
  socket.on('error', () => {});
  socket.on('close', () => opened.disconnect());
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
