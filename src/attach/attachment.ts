/**
 * Attaching to a running Node process by pid, and leaving it as it was. Routes,
 * in order of preference: an inspector it already has open (left open, unless
 * tripod opened it), the preload agent (no port at all), or SIGUSR1 (the port is
 * closed again on the way out — by the guardian if tripod cannot: guardian.ts;
 * the port routes are in port-route.ts). One tripod at a time per target holds
 * a port (the attach lock, target-claims.ts).
 */
import { openAgentSession } from './agent-client';
import { isAgentSocketOf } from './agent-protocol';
import { CdpConnection } from '../capture/cdp-connection';
import { unixListeners } from './proc-sockets';
import { hasMarker, processId } from './target-claims';
import { exitedError, findTarget, looksLikeNode, notNodeError, type TargetProcess } from './target-process';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('attach');

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
  /**
   * A long-lived attach through SIGUSR1 moved to the relay's 0600 socket and
   * closed the inspector (upgrade.ts): how long its port was open, from the
   * signal to the close. Absent for every other attach.
   */
  upgrade?: { portOpenMs: number };
  /** Whether the target has begun to exit (or the connection dropped). */
  readonly gone: boolean;
  onGone(listener: () => void): void;
  /** The main thread answered from its event loop (an idle capture): SIGUSR1's wake-ups are all spent. */
  noteIdle(): void;
  /**
   * For a long attach (record): arms the target's lease (lease.ts) on an
   * inspector tripod opened, waiting up to `waitMs` (a blocked main thread arms
   * it when it returns). A dump is over before a lease would matter.
   */
  holdLease(waitMs: number): Promise<void>;
  /**
   * Lets the target go: closes what tripod opened. `wait` for the target to
   * close it; when it cannot (a blocked main thread) the guardian does, once
   * the thread is back.
   */
  detach(wait?: boolean): Promise<void>;
}

export interface AttachOptions {
  /** A session that stays (record, monitor): reached through SIGUSR1, it moves to the relay's socket and the port closes at once. */
  longLived?: boolean;
}

/** What a port route leaves to close when the session ends (port-route.ts); the agent's and the relay's sessions leave nothing. */
export interface PortHold {
  holdLease(waitMs: number): Promise<void>;
  /** Closes the connection, then what the route opened. `loopTurned`: the main thread was seen answering from its event loop, SIGUSR1's wake-ups spent. */
  detach(wait: boolean, loopTurned: boolean): Promise<void>;
}

export async function attach(pid: number, waitMs: number, options: AttachOptions = {}): Promise<Attachment> {
  const target = findTarget(pid);
  const id = processId(pid);
  if (!id) throw exitedError(pid);
  const leftByTripod = hasMarker(id);
  // The agent before an open inspector: it opens nothing, takes no lock, and is found in /proc/net/unix,
  // where the TCP tables an open inspector is looked for in take ~5 ms each to read. An inspector tripod
  // left open is tripod's to close first.
  if (!leftByTripod) {
    const agent = await throughAgent(target, waitMs);
    if (agent) return agent;
  }
  const { attachThroughPort } = require('./port-route') as typeof import('./port-route');
  return attachThroughPort(target, id, leftByTripod, options);
}

/**
 * The refusal an attach makes before it sends or opens anything, for a command to make before it prints or
 * writes anything: the process is Node (by its executable's name) unless it loaded the agent, the one route
 * that serves any executable (a single-executable application).
 */
export function refuseUnlessNode(target: TargetProcess): void {
  const { pid } = target;
  if (!looksLikeNode(target) && !unixListeners(pid).some((socket) => isAgentSocketOf(socket, pid))) throw notNodeError(target);
}

/** The agent, when the process loaded it (and has no inspector open, nor one tripod left behind). */
async function throughAgent(target: TargetProcess, waitMs: number): Promise<Attachment | undefined> {
  const { pid } = target;
  const agentSocket = unixListeners(pid).find((socket) => isAgentSocketOf(socket, pid));
  if (!agentSocket) return undefined;
  debug('agent socket %s', agentSocket);
  const session = await openAgentSession(pid, agentSocket, waitMs);
  return track(new CdpConnection(session.transport), { pid, route: 'agent', node: session.node, argv: session.argv, script: session.argv[1] ?? '' });
}

export type AttachedInfo = Pick<Attachment, 'pid' | 'route' | 'node' | 'argv' | 'script' | 'upgrade'>;

/** The attachment over a connection: its going noticed, and on detach what the route opened closed (`hold`). */
export function track(main: CdpConnection, info: AttachedInfo, hold?: PortHold): Attachment {
  let gone = false;
  let loopTurned = false;
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
  void main.node('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
  debug('route: %s (pid %s, node %s)', info.route, info.pid, info.node);
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
    noteIdle() {
      loopTurned = true;
    },
    async holdLease(waitMs) {
      await hold?.holdLease(waitMs);
    },
    async detach(wait = true) {
      if (!hold) return main.close();
      return hold.detach(wait, loopTurned);
    },
  };
}
