/**
 * Attaching to a running Node process by pid, and leaving it as it was. Routes,
 * in order of preference: an inspector it already has open (left open), the
 * preload agent (no port at all), or SIGUSR1 (the port is closed again on the
 * way out — and by the target itself if tripod dies first: see the lease).
 */
import { fileURLToPath } from 'node:url';
import { openAgentSession } from './agent-client';
import { isAgentSocketOf } from './agent-protocol';
import { CdpConnection } from './cdp-connection';
import { existingEndpoint, type InspectorEndpoint, openInspectorPort, openWithSignal } from './inspector-endpoint';
import { nodeOptionsOf } from './node-flags';
import { unixListeners } from './proc-sockets';
import { findTarget, looksLikeNode, notNodeError, type TargetProcess } from './target-process';
import { openWebSocket } from './websocket-transport';

export type Route = 'inspector' | 'signal' | 'agent';

export interface Attachment {
  pid: number;
  route: Route;
  main: CdpConnection;
  /** The target's Node version. */
  node?: string;
  argv: string[];
  /** The target's main script, a path where it has one. */
  script: string;
  /** Whether the target has begun to exit (or the connection dropped). */
  readonly gone: boolean;
  onGone(listener: () => void): void;
  /**
   * Lets the target go: closes what tripod opened. `wait` for the target to
   * close it; a blocked main thread runs the queued close when it returns.
   */
  detach(wait?: boolean): Promise<void>;
}

/**
 * If tripod dies before it detaches, nobody would close the inspector it opened:
 * so the target holds a lease, an unref'd timer that closes it unless renewed.
 */
const LEASE_MS = 5000;
const LEASE_RENEW_MS = 1500;
const LEASE_KEY = "Symbol.for('tripod.attach.lease')";
const LEASE_EXPRESSION = `(function () {
  const key = ${LEASE_KEY};
  clearTimeout(globalThis[key]);
  const timer = setTimeout(function tripodLeaseExpired() { delete globalThis[key]; process._debugEnd(); }, ${LEASE_MS});
  timer.unref();
  Object.defineProperty(globalThis, key, { value: timer, configurable: true, writable: true, enumerable: false });
})()`;
/**
 * inspector.close() in the target: a bare WebSocket close would leave the port
 * open. SIGUSR1 wakes the main thread twice (an async handle and a V8
 * interrupt); when it was blocked, the second wake-up can still be pending and
 * would open the inspector again after this close: so close once more, later.
 */
const CLOSE_EXPRESSION = `(function () {
  const key = ${LEASE_KEY};
  clearTimeout(globalThis[key]);
  delete globalThis[key];
  process._debugEnd();
  setTimeout(function tripodCloseAgain() { process._debugEnd(); }, 200).unref();
})()`;
/** How long detaching waits for a main thread that is busy in a native call before it lets the queue finish the job. */
const DETACH_WAIT_MS = 1000;

export async function attach(pid: number, waitMs: number): Promise<Attachment> {
  const target = findTarget(pid);
  const open = await openInspectorPort(target);
  const agentSocket = open ? undefined : unixListeners(pid).find((socket) => isAgentSocketOf(socket, pid));
  if (agentSocket) {
    const session = await openAgentSession(pid, agentSocket, waitMs);
    return track(new CdpConnection(session.transport), { pid, route: 'agent', node: session.node, argv: session.argv, script: session.argv[1] ?? '' }, false);
  }
  if (!looksLikeNode(target)) throw notNodeError(target);
  const endpoint = open ? await existingEndpoint(target, open) : await openWithSignal(target);
  const main = await connectOrClose(endpoint);
  const info = { pid, route: open ? ('inspector' as const) : ('signal' as const), node: endpoint.node, argv: target.argv, script: scriptOf(target, endpoint) };
  return track(main, info, endpoint.openedByTripod);
}

/** A connection that fails after SIGUSR1 is tried once more, to close the port it opened. */
async function connectOrClose(endpoint: InspectorEndpoint): Promise<CdpConnection> {
  try {
    return new CdpConnection(await openWebSocket(endpoint.webSocketUrl, DETACH_WAIT_MS * 3));
  } catch (error) {
    if (endpoint.openedByTripod) {
      const retry = await openWebSocket(endpoint.webSocketUrl, DETACH_WAIT_MS * 3).catch(() => undefined);
      if (retry) await closeInspector(new CdpConnection(retry));
    }
    throw error;
  }
}

function track(main: CdpConnection, info: Pick<Attachment, 'pid' | 'route' | 'node' | 'argv' | 'script'>, openedByTripod: boolean): Attachment {
  let gone = false;
  const goneListeners = new Set<() => void>();
  const markGone = () => {
    if (gone) return;
    gone = true;
    for (const listener of goneListeners) listener();
  };
  // A target that ends while a session is connected waits for it: let it go at once.
  main.onNode('NodeRuntime.waitingForDisconnect', () => {
    markGone();
    main.close();
  });
  main.onClose(markGone);
  let renew: NodeJS.Timeout | undefined;
  // Not awaited: a main thread blocked in a native call answers them only when it returns, in order, before anything else.
  if (openedByTripod) {
    const lease = () => void main.post('Runtime.evaluate', { expression: LEASE_EXPRESSION, silent: true }).catch(() => {});
    lease();
    renew = setInterval(lease, LEASE_RENEW_MS);
    renew.unref();
  }
  void main.node('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
  return {
    ...info,
    main,
    get gone() {
      return gone;
    },
    onGone(listener) {
      if (gone) listener();
      else goneListeners.add(listener);
    },
    async detach(wait = true) {
      clearInterval(renew);
      if (openedByTripod && !main.closed) await closeInspector(main, wait ? DETACH_WAIT_MS : 0);
      main.close();
    },
  };
}

/** _debugEnd closes the server and every session, ours too: wait for our socket to close. */
async function closeInspector(main: CdpConnection, waitMs = DETACH_WAIT_MS): Promise<void> {
  const closed = new Promise<void>((resolve) => main.onClose(() => resolve()));
  void main.post('Runtime.evaluate', { expression: CLOSE_EXPRESSION, silent: true }).catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
}

function scriptOf(target: TargetProcess, endpoint: InspectorEndpoint): string {
  if (endpoint.scriptUrl?.startsWith('file://')) return fileURLToPath(endpoint.scriptUrl);
  return target.argv[nodeOptionsOf(target.argv).length + 1] ?? target.exe;
}
