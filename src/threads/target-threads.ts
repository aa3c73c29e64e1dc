/**
 * The target's JavaScript threads: its main thread, and every worker_threads
 * Worker reached through the NodeWorker domain, each with a session of its own.
 * Shared by `tripod record PID` (over the target's inspector) and the runner's
 * --threads (over an in-process session). tripod's own workers (the runner's
 * sampler, the agent's relay) are detached at once and never captured: pausing
 * them would deadlock the target.
 *
 * Held starts (the runner's --threads --profile): each worker that starts later
 * waits, before any of its code runs, until every listener's work for it is done
 * (its profiler started), so its start-up is in its profile and its code is
 * compiled while the profiler watches. One that waits is always let run.
 */
import type { RecordedThread } from '../recording/capturers';
import { withDeadline } from '../capture/cdp';
import { CdpConnection } from '../capture/cdp-connection';
import type { NodeEvents } from '../capture/node-domains';
import { isTripodWorker } from './own-workers';
import { workerTransport } from './worker-transport';

/** A thread of the target, reached over its own session of the target's inspector. */
export interface JsThread extends RecordedThread {
  client: CdpConnection;
}

/**
 * What is done for a worker as it joins; a promise holds a held worker's start until it settles. `held`:
 * the worker waits, none of its code has run yet.
 */
export type ThreadAdded = (thread: JsThread, held: boolean) => void | Promise<unknown>;

/** The longest a held worker waits for tripod before it runs regardless. */
const HELD_START_MS = 2000;

export class TargetThreads {
  private readonly workers = new Map<string, JsThread>();
  private readonly added = new Set<ThreadAdded>();
  private readonly removed = new Set<(thread: JsThread) => void>();

  constructor(
    private readonly main: CdpConnection,
    private readonly holdStarts = false,
  ) {
    main.onNode('NodeWorker.attachedToWorker', this.onAttached);
    main.onNode('NodeWorker.detachedFromWorker', this.onDetached);
  }

  /** NodeWorker reports the workers that exist before it answers enable. */
  async start(): Promise<void> {
    await this.main.node('NodeWorker.enable', { waitForDebuggerOnStart: this.holdStarts });
  }

  mainThread(): JsThread {
    return { threadId: 0, name: 'main', client: this.main, isMain: true };
  }

  list(): JsThread[] {
    return [this.mainThread(), ...[...this.workers.values()].sort((a, b) => a.threadId - b.threadId)];
  }

  /** For recording: workers that start or end later. */
  watch(added: ThreadAdded, removed: (thread: JsThread) => void): void {
    this.added.add(added);
    this.removed.add(removed);
  }

  /** Lets one worker go now (it may be waiting for that to exit); settles once the main thread has. */
  async detach(thread: Pick<JsThread, 'client'>): Promise<void> {
    for (const [sessionId, worker] of this.workers) {
      if (worker.client === thread.client) await this.main.node('NodeWorker.detach', { sessionId }).catch(() => {});
    }
  }

  async stop(): Promise<void> {
    this.main.offNode('NodeWorker.attachedToWorker', this.onAttached);
    this.main.offNode('NodeWorker.detachedFromWorker', this.onDetached);
    for (const worker of this.workers.values()) worker.client.close();
    this.workers.clear();
    // Disable detaches whatever is left; a blocked main thread answers only later, and need not be waited for.
    void this.main.node('NodeWorker.disable', {}).catch(() => {});
  }

  private readonly onAttached = ({ sessionId, workerInfo, waitingForDebugger }: NodeEvents['NodeWorker.attachedToWorker']) => {
    const { threadId, name } = parseTitle(workerInfo.title);
    if (isTripodWorker(name)) {
      // Detached while it waits, a worker would wait for good: it is let run first.
      if (waitingForDebugger) this.letRun(sessionId);
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
    const work = [...this.added].map((listener) => listener(thread, waitingForDebugger));
    if (waitingForDebugger) void withDeadline(Promise.allSettled(work), HELD_START_MS).then(() => this.letRun(sessionId));
  };

  /** Ends a held worker's wait, over the main session itself: its own connection may be closed by now. */
  private letRun(sessionId: string): void {
    const message = JSON.stringify({ id: 0, method: 'Runtime.runIfWaitingForDebugger', params: {} });
    void this.main.node('NodeWorker.sendMessageToWorker', { sessionId, message }).catch(() => {});
  }

  private readonly onDetached = ({ sessionId }: NodeEvents['NodeWorker.detachedFromWorker']) => {
    const thread = this.workers.get(sessionId);
    if (!thread) return;
    this.workers.delete(sessionId);
    for (const listener of this.removed) listener(thread);
  };
}

/** "[worker 3] hasher" -> 3, "hasher". */
export function parseTitle(title: string): { threadId: number; name: string } {
  const match = /^\[worker (\d+)\]\s*(.*)$/.exec(title);
  return match ? { threadId: Number(match[1]), name: match[2] } : { threadId: -1, name: title };
}
