/**
 * The routes through the inspector's port: an inspector the process has open
 * (left open, unless tripod opened it: its marker), or SIGUSR1, whose port is
 * closed again on the way out — by the guardian if tripod cannot (guardian.ts) —
 * and, for a session that stays, at once: it moves to the relay's 0600 socket
 * (upgrade.ts). One tripod at a time per target holds the port (the attach lock,
 * target-claims.ts). Loaded only when the agent is not there: ws and the
 * guardian's code take some 15 ms to load, which an agent session need not wait for.
 */
import { fileURLToPath } from 'node:url';
import { withDeadline } from '../capture/cdp';
import { CdpConnection } from '../capture/cdp-connection';
import { type AttachedInfo, type AttachOptions, type Attachment, type PortHold, track } from './attachment';
import { type Guardian, startGuardian } from './guardian-client';
import { checkSignalWillWork, existingEndpoint, type InspectorEndpoint, openInspectorPort, openWithSignal } from './inspector-endpoint';
import { loopTurnsWithin } from './loop-turn';
import { closeInspector, Closer } from './inspector-closer';
import { nodeOptionsOf } from './node-flags';
import { listenerInode, type TcpListener } from './proc-sockets';
import { AttachLock, hasMarker, type ProcessId, pruneClaims, removeMarker, writeMarker } from './target-claims';
import { looksLikeNode, notNodeError, type TargetProcess } from './target-process';
import { openRelay } from './upgrade';
import { openWebSocket } from './websocket-transport';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('attach');

/** How long detaching waits for a main thread that is busy in a native call before it leaves the closing to the guardian. */
const DETACH_WAIT_MS = 1000;
/** How long an attach waits for another tripod attached to the same process to be done. */
const LOCK_WAIT_MS = 30_000;
/** How long detaching waits for evidence that the event loop turned (a busy main thread gives none: the guardian then watches). */
const LOOP_TURN_WAIT_MS = 250;

/** What tripod must close when it leaves, and who closes it if tripod cannot. */
interface Ownership {
  lock: AttachLock;
  target: ProcessId;
  /** Set when tripod opened the inspector (SIGUSR1, now or by an earlier attach that left it). */
  guardian?: Guardian;
}

/** How long the upgrade waits for the main thread's answers (some 15 round trips, over 1 s measured on a loaded machine) before the session stays on the port (a main thread blocked in a native call answers nothing). */
const UPGRADE_ANSWER_MS = 2000;
/** How long the relay's worker may take to boot and listen (a loaded machine: up to ~500 ms measured). */
const UPGRADE_LISTEN_MS = 3000;

/** Through the inspector's port (an open one, or SIGUSR1's): under the attach lock. */
export async function attachThroughPort(target: TargetProcess, id: ProcessId, leftByTripod: boolean, options: AttachOptions): Promise<Attachment> {
  const open = await openInspectorPort(target, leftByTripod);
  debug('pid %s: inspector listening on port %s; marker of an inspector tripod opened: %s', target.pid, open?.port ?? 'none', leftByTripod);
  pruneClaims();
  const lock = await AttachLock.acquire(id, LOCK_WAIT_MS);
  const owned: Ownership = { lock, target: id };
  try {
    // Another tripod that held the lock meanwhile may have opened, closed or left an inspector: look again.
    return await attachLocked(target, owned, options, lock.waited ? undefined : { open, leftByTripod });
  } catch (error) {
    letGo(owned);
    throw error;
  }
}

async function attachLocked(target: TargetProcess, owned: Ownership, options: AttachOptions, seen?: { open: TcpListener | undefined; leftByTripod: boolean }): Promise<Attachment> {
  const { pid } = target;
  // An inspector tripod opened earlier and could not close (tripod and its guardian killed) is tripod's to close now.
  const leftByTripod = seen?.leftByTripod ?? hasMarker(owned.target);
  const open = seen ? seen.open : await openInspectorPort(target, leftByTripod);
  if (!looksLikeNode(target)) throw notNodeError(target);
  let endpoint: InspectorEndpoint;
  const attachedAt = performance.now();
  if (open) {
    endpoint = await existingEndpoint(target, open, leftByTripod);
    if (leftByTripod) {
      guard(owned, target);
      owned.guardian!.tell(`signalled ${JSON.stringify([])}`);
      owned.guardian!.tell(`port ${open.port}`);
    }
  } else {
    await checkSignalWillWork(target);
    guard(owned, target);
    writeMarker(owned.target);
    endpoint = await openWithSignal(target, owned.guardian!);
    writeMarker(owned.target, endpoint.port);
  }
  debug('endpoint 127.0.0.1:%s (%s)', endpoint.port, open ? 'already open' : 'opened by SIGUSR1');
  const main = new CdpConnection(await openWebSocket(endpoint.webSocketUrl, DETACH_WAIT_MS * 3));
  const info = { pid, route: open && !leftByTripod ? ('inspector' as const) : ('signal' as const), node: endpoint.node, argv: target.argv, script: scriptOf(target, endpoint) };
  if (options.longLived && owned.guardian) {
    const upgraded = await upgrade(main, info, owned, endpoint.port, endpoint.signalledAt ?? attachedAt);
    if (upgraded) return upgraded;
  }
  return track(main, info, portHold(main, info, owned, endpoint.port));
}

/**
 * Moves a session on an inspector tripod opened to a relay in the target, then
 * closes the inspector: its port is open only for this. The relay's in-process
 * session survives the close (which drops WebSocket sessions only). Undefined
 * when the relay could not be started in time: the session stays on the port,
 * as before, closed on detach.
 */
async function upgrade(main: CdpConnection, info: AttachedInfo, owned: Ownership, port: number, signalledAt: number): Promise<Attachment | undefined> {
  // A target that begins to exit meanwhile waits for this session: let it go (track() then finds the connection closed).
  main.onNode('NodeRuntime.waitingForDisconnect', () => main.close());
  void main.node('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
  // All at once: the search for the native close and the loop-turn probe run while the relay starts (a worker: ~50–150 ms).
  const closer = new Closer(main);
  void closer.close();
  let loopTurned = false;
  void loopTurnsWithin(main, LOOP_TURN_WAIT_MS).then((turned) => (loopTurned = turned), () => {});
  const opening = openRelay(main, info.pid, UPGRADE_ANSWER_MS, UPGRADE_LISTEN_MS).catch((error: Error) => {
    debug('upgrade: %s; the session stays on port %s', error.message, port);
    return undefined;
  });
  // The TCP tables are slow to read on a busy host (50 ms here): read them while the target works.
  const inode = listenerInode(info.pid, port);
  const relay = await opening;
  if (!relay) return undefined;
  debug('upgrade: connected to the relay');
  // Only a turn seen before the close proves SIGUSR1's second wake-up spent (else the guardian watches for a reopening).
  const turnedBeforeClose = loopTurned;
  const closed = await closeInspector(main, closer, info.pid, port, DETACH_WAIT_MS, inode);
  const portOpenMs = performance.now() - signalledAt;
  main.close();
  debug('upgrade: the session moved to the relay; native close: %s after %s ms; loop turned: %s', closed, portOpenMs.toFixed(1), turnedBeforeClose);
  const guardian = owned.guardian!;
  if (!closed) guardian.handOver();
  else {
    guardian.closed(!turnedBeforeClose);
    if (turnedBeforeClose) removeMarker(owned.target);
    // The lock covered the port's window; the relay's sessions, like the agent's, run side by side.
    owned.lock.release();
  }
  return track(relay, { ...info, upgrade: { portOpenMs } });
}

/** Starts the guardian before anything is opened, and makes it a holder of the lock. */
function guard(owned: Ownership, target: TargetProcess): void {
  owned.guardian = startGuardian(owned.target, target.flags.port);
  owned.lock.addHolder(owned.guardian.id);
  debug('guardian started (pid %s)', owned.guardian.id.pid);
}

/** Leaves without closing: the guardian (if tripod opened anything) closes it, holding the lock meanwhile. */
function letGo(owned: Ownership): void {
  if (owned.guardian) owned.guardian.handOver();
  else owned.lock.release();
}

/** What detaching closes: the lock of an inspector the process had open, or what SIGUSR1 opened (the guardian's to close if tripod cannot). */
function portHold(main: CdpConnection, info: AttachedInfo, owned: Ownership, port: number): PortHold {
  const guardian = owned.guardian;
  if (!guardian) {
    return {
      holdLease: async () => {},
      detach: async () => {
        main.close();
        owned.lock.release();
      },
    };
  }
  const closer = new Closer(main);
  return {
    async holdLease(waitMs) {
      const lease = await withDeadline(closer.holdLease(), waitMs);
      debug('lease armed: %s (waited up to %s ms)', lease.answered, waitMs);
    },
    async detach(wait, loopTurnedSoFar) {
      // The lease ends first (the target runs our messages in order); one still being armed is harmless: it is armed for this inspector only.
      closer.endLease();
      let loopTurned = loopTurnedSoFar;
      if (wait && !loopTurned && !main.closed) loopTurned = await loopTurnsWithin(main, LOOP_TURN_WAIT_MS).catch(() => false);
      const closed = wait && !main.closed && (await closeInspector(main, closer, info.pid, port, DETACH_WAIT_MS));
      main.close();
      debug('native close: %s', closed ? 'the inspector is closed' : 'not done; handed to the guardian');
      if (!closed) return guardian.handOver();
      // Closed before the event loop turned, SIGUSR1's second wake-up will open it again: the guardian watches for that.
      guardian.closed(!loopTurned);
      if (loopTurned) removeMarker(owned.target);
      owned.lock.release();
    },
  };
}

function scriptOf(target: TargetProcess, endpoint: InspectorEndpoint): string {
  if (endpoint.scriptUrl?.startsWith('file://')) return fileURLToPath(endpoint.scriptUrl);
  return target.argv[nodeOptionsOf(target.argv).length + 1] ?? target.exe;
}
