/**
 * A worker thread's heartbeat, as the main thread's is (heartbeat.ts): Node's
 * C++ event-loop delay monitor, started inside the worker by tripod's own
 * function, evaluated once through the worker's inspector session. The monitor
 * runs no JS in the worker, so its timers and stacks are those of plain node.
 * The sampler gets a clone of the histogram (a clone shares the count) over a
 * BroadcastChannel of a name only tripod knows, posted by the install itself:
 * CDP messages reach a worker whether it runs JS, idles in its loop or is still
 * booting, and the post needs no turn of its loop. The worker's end of the
 * channel is closed at once, whatever happens, so it never keeps the worker
 * alive; the monitor's timer is unref'd by Node. The histogram is kept alive in
 * the worker by the session's remote object for it (a monitor that is garbage
 * collected stops beating), not by anything the program could see.
 */
import { randomBytes } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import type { CdpClient } from '../capture/cdp';
import type { Heartbeat } from './heartbeat';

/** The remote objects that hold each worker's monitor: released only with the session. */
const HEARTBEAT_GROUP = 'tripod-heartbeat';

/** How long the install's answer and its histogram may take: a worker answers within ms, even a busy one. */
const INSTALL_DEADLINE_MS = 5000;

/** The sampler's view of a worker's heartbeat, and the session's id of the worker's monitor. */
export type WorkerHeartbeat = { heartbeat: Heartbeat; objectId: string } | { declined: string; retry?: boolean };

/** What the install says of a worker still in Node's bootstrap, whose node:worker_threads is not yet whole. */
const NOT_READY = 'not ready';

/** Starts a heartbeat in the worker behind `client` and hands back the sampler's view of it. */
export async function installWorkerHeartbeat(client: CdpClient, periodMs: number): Promise<WorkerHeartbeat> {
  const name = `tripod-heartbeat-${randomBytes(12).toString('hex')}`;
  const channel = new BroadcastChannel(name);
  try {
    const arrived = histogramFrom(channel);
    const { result, exceptionDetails } = await client.post('Runtime.evaluate', {
      expression: `(${startInWorker.toString()})(${JSON.stringify(name)}, ${periodMs})`,
      objectGroup: HEARTBEAT_GROUP,
      silent: true,
    });
    if (exceptionDetails) return { declined: 'the install threw' };
    if (result.type === 'string') return { declined: String(result.value), retry: String(result.value).startsWith(NOT_READY) };
    const heartbeat = await arrived;
    if (!heartbeat || !result.objectId) return { declined: `no heartbeat came within ${INSTALL_DEADLINE_MS} ms` };
    return { heartbeat, objectId: result.objectId };
  } catch (error) {
    return { declined: (error as Error).message };
  } finally {
    channel.close();
  }
}

function histogramFrom(channel: BroadcastChannel): Promise<Heartbeat | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), INSTALL_DEADLINE_MS);
    timer.unref();
    channel.onmessage = (event) => {
      clearTimeout(timer);
      const data = (event as MessageEvent).data as Heartbeat;
      resolve(typeof data?.count === 'number' ? data : undefined);
    };
  });
}

/**
 * Runs in the worker, stringified: it may use nothing from this module. It calls none of the globals a
 * program may replace (timers, performance, SharedArrayBuffer): Node's modules only, through
 * process.getBuiltinModule. It returns the histogram (kept by the remote object) or why it did not start.
 */
function startInWorker(name: string, periodMs: number): object | string {
  // Nothing here may throw: V8 would describe the exception, which can run the program's Error.prepareStackTrace.
  let channel: any;
  try {
    const load = (process as any).getBuiltinModule;
    if (typeof load !== 'function') return 'this Node has no process.getBuiltinModule (added in 20.16 and 22.3)';
    const { monitorEventLoopDelay } = load('node:perf_hooks');
    const { BroadcastChannel } = load('node:worker_threads');
    // Measured: reached in its bootstrap, a worker's node:worker_threads can lack BroadcastChannel for a while.
    if (typeof monitorEventLoopDelay !== 'function' || typeof BroadcastChannel !== 'function') return 'not ready: the worker is still starting';
    const monitor = monitorEventLoopDelay({ resolution: periodMs });
    monitor.enable();
    channel = new BroadcastChannel(name);
    channel.postMessage(monitor);
    return monitor;
  } catch {
    return 'the heartbeat could not be started';
  } finally {
    try {
      channel?.close();
    } catch {}
  }
}

/**
 * Whether the worker's monitor still is the one the sampler watches: held by the session (a lost remote
 * object would let it be collected, and stop beating) and counting what the sampler's clone counts.
 * Its count is read by Node's own getter on tripod's own object. Undefined: no answer to go by.
 */
export async function heartbeatHolds(client: CdpClient, installed: { heartbeat: Heartbeat; objectId: string }): Promise<boolean | undefined> {
  try {
    const { result, exceptionDetails } = await client.post('Runtime.callFunctionOn', {
      objectId: installed.objectId,
      functionDeclaration: 'function () { return this.count; }',
      returnByValue: true,
      silent: true,
    });
    if (exceptionDetails || typeof result.value !== 'number') return false;
    // Both read one count that only grows, the clone after the worker: a clone that shares it has at least as much.
    return installed.heartbeat.count >= result.value;
  } catch (error) {
    return /Could not find object/i.test((error as Error).message) ? false : undefined;
  }
}
