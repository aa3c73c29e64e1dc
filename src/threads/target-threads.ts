/**
 * The target's JavaScript threads: its main thread, and every worker_threads
 * Worker reached through the NodeWorker domain, each with a session of its own.
 * Shared by `tripod record PID` (over the target's inspector) and the runner's
 * --threads (over an in-process session). tripod's own workers (the runner's
 * sampler, the agent's relay) are detached at once and never captured: pausing
 * them would deadlock the target.
 */
import type { RecordedThread } from '../recording/capturers';
import { CdpConnection } from '../capture/cdp-connection';
import type { NodeEvents } from '../capture/node-domains';
import { isTripodWorker } from './own-workers';
import { workerTransport } from './worker-transport';

/** A thread of the target, reached over its own session of the target's inspector. */
export interface JsThread extends RecordedThread {
  client: CdpConnection;
}

export class TargetThreads {
  private readonly workers = new Map<string, JsThread>();
  private readonly added = new Set<(thread: JsThread) => void>();
  private readonly removed = new Set<(thread: JsThread) => void>();

  constructor(private readonly main: CdpConnection) {
    main.onNode('NodeWorker.attachedToWorker', this.onAttached);
    main.onNode('NodeWorker.detachedFromWorker', this.onDetached);
  }

  /** NodeWorker reports the workers that exist before it answers enable. */
  async start(): Promise<void> {
    await this.main.node('NodeWorker.enable', { waitForDebuggerOnStart: false });
  }

  mainThread(): JsThread {
    return { threadId: 0, name: 'main', client: this.main, isMain: true };
  }

  list(): JsThread[] {
    return [this.mainThread(), ...[...this.workers.values()].sort((a, b) => a.threadId - b.threadId)];
  }

  /** For recording: workers that start or end later. */
  watch(added: (thread: JsThread) => void, removed: (thread: JsThread) => void): void {
    this.added.add(added);
    this.removed.add(removed);
  }

  async stop(): Promise<void> {
    this.main.offNode('NodeWorker.attachedToWorker', this.onAttached);
    this.main.offNode('NodeWorker.detachedFromWorker', this.onDetached);
    for (const worker of this.workers.values()) worker.client.close();
    this.workers.clear();
    // Disable detaches whatever is left; a blocked main thread answers only later, and need not be waited for.
    void this.main.node('NodeWorker.disable', {}).catch(() => {});
  }

  private readonly onAttached = ({ sessionId, workerInfo }: NodeEvents['NodeWorker.attachedToWorker']) => {
    const { threadId, name } = parseTitle(workerInfo.title);
    if (isTripodWorker(name)) {
      void this.main.node('NodeWorker.detach', { sessionId }).catch(() => {});
      return;
    }
    const thread: JsThread = {
      threadId,
      name,
      ...(workerInfo.url ? { url: workerInfo.url } : {}),
      client: new CdpConnection(workerTransport(this.main, sessionId), this.main.outstanding),
      isMain: false,
    };
    this.workers.set(sessionId, thread);
    for (const listener of this.added) listener(thread);
  };

  private readonly onDetached = ({ sessionId }: NodeEvents['NodeWorker.detachedFromWorker']) => {
    const thread = this.workers.get(sessionId);
    if (!thread) return;
    this.workers.delete(sessionId);
    for (const listener of this.removed) listener(thread);
  };
}

/** "[worker 3] hasher" -> 3, "hasher". */
function parseTitle(title: string): { threadId: number; name: string } {
  const match = /^\[worker (\d+)\]\s*(.*)$/.exec(title);
  return match ? { threadId: Number(match[1]), name: match[2] } : { threadId: -1, name: title };
}
