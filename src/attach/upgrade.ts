/**
 * The upgrade of a long-lived attach reached through SIGUSR1: from the inspector's
 * TCP port to a 0600 Unix socket. Over the WebSocket, tripod starts the agent's
 * relay (agent-relay.ts) inside the target — a worker whose in-process session on
 * the main thread survives the inspector's close — connects to the relay's socket,
 * and the caller then closes the inspector: the port is open only for the upgrade.
 *
 * The relay is started with Node's own internal Worker class, reached through
 * closures the program cannot reach or write: the `process` accessor's closure
 * (as native-close.ts) holds Node's `internalBinding`, whose closure holds the
 * internal loader's `requireBuiltin`; `requireBuiltin('internal/worker')` gives
 * the exports of an internal module no program code can reach (its public face,
 * `node:worker_threads`, may be patched). So a program's `require`,
 * `Module._load`, `Module.prototype.require`, `Worker` or `process.binding` play
 * no part. The worker runs an `eval` script (no path or URL code of the program's
 * module objects is involved), shares the environment (SHARE_ENV: the
 * environment object is not read), and is unref'd through its native handle,
 * whose `unref` V8 itself describes as native.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import * as path from 'node:path';
import { builtFile } from '../package-layout';
import type { CdpClient } from '../capture/cdp';
import { CdpConnection } from '../capture/cdp-connection';
import { AGENT_WORKER_NAME, upgradeSocketName } from './agent-protocol';
import { lineTransport } from './line-transport';
import { findRequireBuiltin, ownProperties, type RemoteObject } from '../capture/node-internals';

import { unixListeners } from './proc-sockets';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('attach');

const NATIVE_UNREF = 'function unref() { [native code] }';
const RELAY_SCRIPT = builtFile('attach/agent-relay.js');
const SOCKET_POLL_MS = 3;

/** Starts the relay; `this` is Node's internal `requireBuiltin`. Returns the Worker. */
const START_RELAY = `function tripodStartRelay(code, token, name) {
  const internal = this('internal/worker');
  return new internal.Worker(code, { __proto__: null, eval: true, env: internal.SHARE_ENV, name, execArgv: [], stdout: true, stderr: true, workerData: { __proto__: null, token } });
}`;
const CALL_UNREF = 'function tripodUnrefRelay() { this.unref(); }';

export class UpgradeFailed extends Error {
  constructor(why: string) {
    super(`the upgrade to the relay socket failed: ${why}`);
    this.name = 'UpgradeFailed';
  }
}

/**
 * Starts a relay in the target over `client` (the WebSocket session) and returns
 * a connection to it. The main thread must answer within `answerMs` (one blocked
 * in a native call answers nothing: the caller stays on the port); the worker then
 * has `listenMs` to boot and listen, which takes long on a loaded machine. The relay
 * ends (its socket file removed) when this connection closes, or by itself if it
 * never gets it; one started by an upgrade that failed later is connected to and
 * closed at once.
 */
export async function openRelay(client: CdpClient, pid: number, answerMs: number, listenMs: number): Promise<CdpConnection> {
  const answerBy = performance.now() + answerMs;
  const requireBuiltin = await before(answerBy, 'finding the loader', findRequireBuiltin(client));
  if (!requireBuiltin) throw new UpgradeFailed("Node's internal loader was not found");
  const token = randomBytes(8).toString('hex');
  const starting = client.post('Runtime.callFunctionOn', {
    objectId: requireBuiltin,
    functionDeclaration: START_RELAY,
    arguments: [{ value: `require(${JSON.stringify(RELAY_SCRIPT)})` }, { value: token }, { value: AGENT_WORKER_NAME }],
    silent: true,
  }) as Promise<{ result: RemoteObject; exceptionDetails?: { exception?: RemoteObject } }>;
  const listenBy = performance.now() + listenMs;
  const socket = relaySocket(pid, token, listenBy).then((found) => connected(connect(found), listenBy));
  socket.catch(() => {}); // awaited below; not unhandled meanwhile
  try {
    const started = await before(answerBy, 'starting the worker', starting);
    if (started.exceptionDetails || !started.result.objectId) throw new UpgradeFailed(started.exceptionDetails?.exception?.description?.split('\n')[0] ?? 'no worker');
    debug('upgrade: relay worker started');
    // A relay that would keep the program alive is not kept.
    if (!(await before(listenBy, 'unref', unrefWorker(client, started.result.objectId)).catch(() => false))) throw new UpgradeFailed("the relay could not be unref'd");
    return new CdpConnection(lineTransport(await socket));
  } catch (error) {
    // Tripod's connection, closed, ends a relay that started all the same (late, or not unref'd).
    void socket.then((opened) => opened.destroy(), () => {});
    throw error;
  }
}

/** `work`, unless `deadline` passes first; a CDP failure is said with the step it stopped. */
async function before<T>(deadline: number, step: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new UpgradeFailed(`${step}: the main thread did not answer in time`)), Math.max(0, deadline - performance.now()))));
  try {
    return await Promise.race([
      work.catch((error: Error) => {
        throw error instanceof UpgradeFailed ? error : new UpgradeFailed(`${step}: ${error.message}`);
      }),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A relay must never keep the program alive. The Worker's own `unref` is on a
 * prototype the program can reach (worker_threads.Worker): the native handle's
 * is called instead, once V8 describes it as native. False when it cannot be
 * (the caller then ends the relay).
 */
async function unrefWorker(client: CdpClient, workerId: string): Promise<boolean> {
  const worker = (await ownProperties(client, workerId)).result as Array<{ name: string; symbol?: RemoteObject; value?: RemoteObject }>;
  const handle = worker.find((p) => p.symbol?.description === 'Symbol(kHandle)' || p.name === 'Symbol(kHandle)')?.value;
  if (!handle?.objectId) return false;
  const own = await ownProperties(client, handle.objectId);
  const prototype = own.internalProperties?.find((p) => p.name === '[[Prototype]]')?.value?.objectId;
  if (own.result.some((p) => p.name === 'unref') || !prototype) return false;
  const unref = (await ownProperties(client, prototype)).result.find((p) => p.name === 'unref')?.value;
  if (unref?.type !== 'function' || unref.description !== NATIVE_UNREF) return false;
  const called = (await client.post('Runtime.callFunctionOn', { objectId: handle.objectId, functionDeclaration: CALL_UNREF, silent: true })) as { exceptionDetails?: unknown };
  return called.exceptionDetails === undefined;
}

/** The relay's socket, once the target listens on it (its name carries our token). */
async function relaySocket(pid: number, token: string, deadline: number): Promise<string> {
  const name = upgradeSocketName(pid, token);
  for (;;) {
    const found = unixListeners(pid).find((socket) => path.basename(socket) === name);
    if (found) return found;
    if (performance.now() > deadline) throw new UpgradeFailed('the relay did not listen in time');
    await new Promise((resolve) => setTimeout(resolve, SOCKET_POLL_MS));
  }
}

function connected(socket: Socket, deadline: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpgradeFailed('the relay did not accept the connection in time'));
    }, Math.max(1, deadline - performance.now()));
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new UpgradeFailed(error.message));
    });
  });
}
