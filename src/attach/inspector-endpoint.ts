/**
 * Reaching the target's own inspector over TCP: the one it already has open
 * (--inspect, inspector.open()), or one opened for the occasion with SIGUSR1.
 * Everything that can be checked is checked before the signal is sent, so a
 * refusal never leaves a port behind: SIGUSR1 goes only to a Node process that
 * handles it, whose inspector would bind a loopback address on a free port.
 */
import { lookup } from 'node:dns/promises';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors';
import { ATTACH_EXIT } from './exit-codes';
import type { Guardian } from './guardian-client';
import { isLoopback, portListened, socketInodes, type TcpListener, tcpListeners } from './proc-sockets';
import { exitedError, isAlive, looksLikeNode, notNodeError, type TargetProcess } from './target-process';

export interface InspectorEndpoint {
  port: number;
  webSocketUrl: string;
  /** The target's Node version ("v20.20.2"). */
  node?: string;
  /** The main script's URL, as the inspector names the target. */
  scriptUrl?: string;
  /** tripod sent SIGUSR1: it must close the inspector again when it leaves. */
  openedByTripod: boolean;
  /** performance.now() when tripod sent SIGUSR1 (how long the port is open is counted from it). */
  signalledAt?: number;
}

/** How long the inspector may take to listen after SIGUSR1 (measured: ~15 ms). */
const OPEN_WAIT_MS = 5000;
const POLL_MS = 1;
const HTTP_TIMEOUT_MS = 3000;

/**
 * The inspector the target already has open: on its configured port, or for
 * --inspect=…:0 (or one tripod opened with --inspect-port=0) wherever it went.
 */
export async function openInspectorPort(target: TargetProcess, openedByTripod = false): Promise<TcpListener | undefined> {
  const listeners = tcpListeners(target.pid);
  const configured = listeners.find((listener) => listener.port === target.flags.port);
  // One tripod opened on a fixed port is there or nowhere; with port 0 (or --inspect=…:0) it may be on any.
  const anyPort = target.flags.openedAtStart || (openedByTripod && target.flags.port === 0);
  if (configured || !anyPort) return configured;
  // Only a process known to have an inspector open gets asked, and only on its own loopback ports, what they are.
  for (const listener of listeners.filter((l) => isLoopback(l.host))) {
    const version = (await getJson(`${baseUrl(listener)}/json/version`).catch(() => undefined)) as { Browser?: string } | undefined;
    if (version?.Browser?.startsWith('node.js/')) return listener;
  }
  return undefined;
}

export async function existingEndpoint(target: TargetProcess, listener: TcpListener, openedByTripod = false): Promise<InspectorEndpoint> {
  if (!isLoopback(listener.host)) throw notLoopbackError(target, listener.host);
  try {
    return await describeEndpoint(listener, openedByTripod);
  } catch {
    throw new UserError(
      `tripod: port ${listener.port} of process ${target.pid} is not an inspector (it is the program's own port), so its inspector cannot open there; restart it with --inspect-port=0 or load tripod's agent (--require tripod/agent)`,
      ATTACH_EXIT.portInUse,
    );
  }
}

/** Checks that SIGUSR1 will open a loopback inspector: before anything is sent, so a refusal leaves nothing open. */
export async function checkSignalWillWork(target: TargetProcess): Promise<void> {
  checkSignalPreconditions(target);
  // The host before the port: a refused host is the target's own setting, where the port may be taken by anyone else for a moment.
  if (!(await resolvesToLoopback(target.flags.host))) throw notLoopbackError(target, target.flags.host);
  checkPortFree(target);
}

/**
 * Sends SIGUSR1 and waits for the port. The guardian hears of each step first,
 * so that if tripod dies at any point it knows what to close.
 */
export async function openWithSignal(target: TargetProcess, guardian: Guardian): Promise<InspectorEndpoint> {
  const listenersBefore = tcpListeners(target.pid).map(key);
  const before = new Set(listenersBefore);
  guardian.tell(`signalled ${JSON.stringify(listenersBefore)}`);
  process.kill(target.pid, 'SIGUSR1');
  const signalledAt = performance.now();
  const listener = await newListener(target, before);
  guardian.tell(`port ${listener.port}`);
  if (!isLoopback(listener.host)) {
    throw new UserError(`tripod: process ${target.pid} opened its inspector on ${listener.host}:${listener.port}, not loopback; tripod does not use it, and its guardian closes it again (a wildcard address through loopback) — restart the process without a non-loopback --inspect-port`, ATTACH_EXIT.inspectorUnavailable);
  }
  return { ...(await describeEndpoint(listener, true)), signalledAt };
}

function checkSignalPreconditions(target: TargetProcess): void {
  const { pid, flags } = target;
  if (!looksLikeNode(target)) throw notNodeError(target);
  if (flags.sigusr1Disabled) {
    throw new UserError(
      `tripod: process ${pid} was started with --disable-sigusr1, so its inspector cannot be opened from outside; start it with tripod's agent (node --require tripod/agent) to dump it`,
      ATTACH_EXIT.inspectorUnavailable,
    );
  }
  if (!target.catchesSigusr1) {
    // Facts from /proc alone: tripod never runs the target's executable to learn more (it is the owner's file, and tripod may be root).
    throw new UserError(
      `tripod: process ${pid} does not handle SIGUSR1 (SigCgt in /proc/${pid}/status: a Node build without inspector, or a program that reset the signal), so tripod did not send it; start it with tripod's agent (node --require tripod/agent)`,
      ATTACH_EXIT.inspectorUnavailable,
    );
  }
}

function checkPortFree({ pid, flags }: TargetProcess): void {
  if (flags.port !== 0 && portListened(pid, flags.port)) {
    throw new UserError(
      `tripod: port ${flags.port}, where process ${pid} would open its inspector, is in use by another process; free it, or start the target with --inspect-port=0 or with tripod's agent (--require tripod/agent)`,
      ATTACH_EXIT.portInUse,
    );
  }
}

function notLoopbackError(target: TargetProcess, host: string): UserError {
  return new UserError(
    `tripod: the inspector of process ${target.pid} is set to listen on ${host}, which is not loopback (only a numeric 127.0.0.0/8 or ::1 address, or localhost resolving to one, is); tripod never opens or uses an inspector that may be reachable from other machines (restart without that --inspect host, or use --require tripod/agent)`,
    ATTACH_EXIT.inspectorUnavailable,
  );
}

/**
 * Node resolves the host when the inspector opens and listens on every address
 * it gets: a numeric loopback address passes, and `localhost` if each of its
 * addresses is one. Any other name is refused unresolved — what a name means
 * can change between this check and the signal.
 */
export async function resolvesToLoopback(host: string): Promise<boolean> {
  if (isLoopback(host)) return true;
  if (host.toLowerCase() !== 'localhost') return false;
  const addresses = await lookup(host, { all: true }).catch(() => []);
  return addresses.length > 0 && addresses.every((entry) => isLoopback(entry.address));
}

async function newListener(target: TargetProcess, before: Set<string>): Promise<TcpListener> {
  const deadline = performance.now() + OPEN_WAIT_MS;
  let seen = '';
  for (;;) {
    // The fd list is cheap to read; the TCP tables (~1 ms each) only when a socket came or went.
    const inodes = socketInodes(target.pid);
    const now = [...inodes].sort().join();
    if (now !== seen) {
      seen = now;
      const fresh = tcpListeners(target.pid, inodes).find((listener) => !before.has(key(listener)));
      if (fresh) return fresh;
    }
    if (!isAlive(target.pid)) throw exitedError(target.pid);
    if (performance.now() > deadline) {
      throw new UserError(
        `tripod: process ${target.pid} did not open its inspector within ${OPEN_WAIT_MS / 1000} s of SIGUSR1 (its program may handle SIGUSR1 itself, or it is stuck in a native call); retry, or start it with tripod's agent (--require tripod/agent)`,
        ATTACH_EXIT.inspectorUnavailable,
      );
    }
    await sleep(POLL_MS);
  }
}

export async function describeEndpoint(listener: TcpListener, openedByTripod: boolean): Promise<InspectorEndpoint> {
  const base = baseUrl(listener);
  const [list, version] = await Promise.all([getJson(`${base}/json/list`), getJson(`${base}/json/version`).catch(() => undefined)]);
  const main = (list as Array<{ webSocketDebuggerUrl?: string; url?: string }>).find((entry) => entry.webSocketDebuggerUrl);
  if (!main?.webSocketDebuggerUrl) throw new Error(`no debuggable target at ${base}/json/list`);
  const browser = (version as { Browser?: string } | undefined)?.Browser;
  return {
    port: listener.port,
    webSocketUrl: main.webSocketDebuggerUrl,
    node: browser?.replace(/^node\.js\//, ''),
    scriptUrl: main.url,
    openedByTripod,
  };
}

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = get(url, { timeout: HTTP_TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url}`)));
    request.on('error', reject);
  });
}

function baseUrl(listener: TcpListener): string {
  return `http://${listener.host.includes(':') ? `[${listener.host}]` : listener.host}:${listener.port}`;
}

function key(listener: TcpListener): string {
  return `${listener.host}:${listener.port}`;
}
