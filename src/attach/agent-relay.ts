/**
 * The agent's relay, a worker in the target started only when tripod asks: it
 * accepts one connection on its own socket (mode 0600) and passes CDP messages,
 * one JSON per line, to and from an inspector session on the main thread. It
 * ends, removing its socket, when tripod disconnects or never comes.
 *
 * Started two ways: by the preload agent (workerData.sessionPath: it reports to
 * the agent through parentPort), or by the upgrade of a SIGUSR1 attach
 * (workerData.token, upgrade.ts): it then names its socket in the target's own
 * runtime directory and posts nothing, since a message to the main thread would
 * run Node's event code there, which the program may have patched; tripod finds
 * the socket in the target's socket table.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { ensurePrivateDir, runtimeDir, SESSION_CONNECT_WAIT_MS, upgradeSocketName } from './agent-protocol';

type InspectorSession = import('node:inspector').Session;

/**
 * How long the worker outlives its session's disconnect. Measured on Node 20
 * and 24: a worker that exits right after `session.disconnect()` races the main
 * thread's teardown of that session, which then aborts the whole process
 * (MainThreadInterface::Post, about one run in three); 50 ms ended every abort.
 */
const LINGER_MS = 250;
/**
 * The upgrade's tripod connects within milliseconds of the socket's listing (it polls the
 * target's socket table) or has given up: a relay it started keeps the program alive until
 * it is unref'd, so one left unconnected (the program exiting mid-upgrade) goes soon.
 */
const UPGRADE_CONNECT_WAIT_MS = 2000;

const { sessionPath: agentPath, token } = workerData as { sessionPath?: string; token?: string };
const report = (message: object) => (agentPath ? parentPort!.postMessage(message) : undefined);
const sessionPath = agentPath ?? upgradePath(token!);

const session = sessionPath ? openSession() : undefined;
if (session) {
  // An error thrown here would reach the main thread as the Worker's 'error' event and, unheard, end the program.
  process.on('uncaughtException', () => disconnect(session));
  listen(session);
}

/** Empty when the runtime directory is not usable: the relay then ends at once (tripod's upgrade times out and stays on the port). */
function upgradePath(name: string): string {
  try {
    const dir = runtimeDir();
    ensurePrivateDir(dir);
    return path.join(dir, upgradeSocketName(process.pid, name));
  } catch {
    return '';
  }
}

let disconnected = false;

function disconnect(opened: InspectorSession): void {
  if (disconnected) return;
  disconnected = true;
  opened.disconnect();
  setTimeout(() => {}, LINGER_MS);
}

function openSession(): InspectorSession | undefined {
  try {
    // Throws ERR_INSPECTOR_NOT_AVAILABLE in a Node built without the inspector.
    const { Session } = require('node:inspector') as typeof import('node:inspector');
    const opened = new Session();
    opened.connectToMainThread();
    return opened;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    report({ error: (error as Error).message, noInspector: code === 'ERR_INSPECTOR_NOT_AVAILABLE' });
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
    disconnect(opened);
  }, agentPath ? SESSION_CONNECT_WAIT_MS : UPGRADE_CONNECT_WAIT_MS);
  server.on('close', () => removeFile(sessionPath));
  server.on('error', (error) => {
    report({ error: error.message });
    disconnect(opened);
  });
  server.listen(sessionPath, () => {
    chmodSync(sessionPath, 0o600);
    report({ listening: true });
  });
}

function relay(opened: InspectorSession, socket: Socket): void {
  const send = (message: unknown) => socket.writable && socket.write(`${JSON.stringify(message)}\n`);
  const post = opened.post.bind(opened) as (method: string, params: object, callback: (error: Error | null, result?: unknown) => void) => void;
  socket.on('error', () => {});
  opened.on('inspectorNotification', (message) => send(message));
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  // readline passes its input's errors on (ECONNRESET when tripod goes with data unread): unheard, they would throw.
  lines.on('error', () => {});
  lines.on('line', (line) => {
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
  socket.on('close', () => disconnect(opened));
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
