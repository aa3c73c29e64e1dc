/**
 * --threads --profile: a CPU profile per worker thread. Each worker's V8 has a
 * profiler of its own, reached through the worker's own inspector session (the
 * one its periodic samples use), so each gets a ProfileRecorder of its own: its
 * own restarts, scheduled from what its own restarts cost, and records tagged
 * with the thread. A worker that ends waits for its last samples to be
 * collected: its session asks Node to hold its exit until tripod lets it go
 * (NodeRuntime.notifyWhenWaitingForDisconnect), and it is let go at once after,
 * or after LAST_PROFILE_MS whatever happens. At the run's end that is asked no
 * more, so that no worker holds the process's exit.
 */
import { withDeadline } from '../capture/cdp';
import type { CdpConnection } from '../capture/cdp-connection';
import type { ProfileConfig } from '../config';
import type { ThreadTag } from '../record/records';
import type { RecordSink } from '../record/sink';
import { debugLog } from '../diagnostics/debug-log';
import { ProfileRecorder } from './recorder';

const debug = debugLog('profile');

/** A worker thread as the threads' listing gives it. */
export interface ProfiledThread {
  threadId: number;
  name: string;
  url?: string;
  client: CdpConnection;
}

/** Lets a worker that waits to exit go (detaches from it); settles once that is done. */
export type LetGo = (thread: ProfiledThread) => Promise<void>;

/** The longest an ending worker waits for its last profile, and the run's end for a worker's answer. */
const LAST_PROFILE_MS = 2000;

export class ThreadProfiles {
  private readonly recorders = new Map<ProfiledThread, ProfileRecorder>();
  private stopping = false;
  /** Samples written by the recorders of threads that have ended. */
  private endedSamples = 0;
  /** Workers whose task id is being read, before their recorder starts. */
  private readonly joining = new Set<ProfiledThread>();
  /** Workers being let go after their last profile: the run's end waits for them. */
  private readonly ending = new Set<Promise<void>>();

  constructor(
    private readonly config: ProfileConfig,
    private readonly sink: RecordSink,
    private readonly letGo: LetGo,
  ) {}

  /** Stack samples written so far, of every worker. */
  get samples(): number {
    let samples = this.endedSamples;
    for (const recorder of this.recorders.values()) samples += recorder.samples;
    return samples;
  }

  /** Settles once the thread's profiler runs (or failed to start). `held`: none of the worker's code has run. */
  async add(thread: ProfiledThread, held = false): Promise<void> {
    if (this.stopping || this.recorders.has(thread) || this.joining.has(thread)) return;
    this.joining.add(thread);
    const taskId = held ? await taskIdOf(thread) : undefined;
    this.joining.delete(thread);
    if (this.stopping || thread.client.closed) return;
    const recorder = new ProfileRecorder(thread.client, this.config, this.sink, threadTag(thread), taskId);
    this.recorders.set(thread, recorder);
    thread.client.onNode('NodeRuntime.waitingForDisconnect', () => {
      const ending = this.ended(thread);
      this.ending.add(ending);
      void ending.finally(() => this.ending.delete(ending));
    });
    const exitHeld = thread.client.node('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
    return Promise.all([exitHeld, recorder.start()]).then(
      () => debug('worker %s (thread %s, task %s) profiled', thread.name, thread.threadId, taskId ?? 'unknown'),
      (error: unknown) => debug('worker %s (thread %s) not profiled: %s', thread.name, thread.threadId, (error as Error).message),
    );
  }

  /** The thread ended: its recorder's timers go (a collection now fails at once: its session is closed). */
  async remove(thread: ProfiledThread): Promise<void> {
    const recorder = this.recorders.get(thread);
    if (!recorder) return;
    this.recorders.delete(thread);
    await recorder.stop();
    this.endedSamples += recorder.samples;
  }

  /** Writes every running worker's last samples, leaves no profiler running and no worker holding its exit for tripod. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.recorders.keys()].map((thread) => this.release(thread)));
    await Promise.all(this.ending);
  }

  /** The worker's code is done and it waits to exit: its last samples are written, then it is let go. */
  private async ended(thread: ProfiledThread): Promise<void> {
    await withDeadline(this.remove(thread), LAST_PROFILE_MS);
    await this.letGo(thread);
  }

  private async release(thread: ProfiledThread): Promise<void> {
    const unheld = thread.client.node('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: false }).catch(() => {});
    await Promise.all([withDeadline(unheld, LAST_PROFILE_MS), this.remove(thread)]);
  }
}

function threadTag(thread: ProfiledThread): ThreadTag {
  return { threadId: thread.threadId, threadName: thread.name, ...(thread.url ? { threadUrl: thread.url } : {}) };
}

/**
 * The worker's task id in /proc, for its samples' `blocked` state: read in the worker itself, while it is
 * held before its code runs (its process object and fs are still Node's own), from /proc/thread-self.
 */
async function taskIdOf(thread: ProfiledThread): Promise<number | undefined> {
  const expression = `(() => { try { return Number(process.getBuiltinModule('node:fs').readlinkSync('/proc/thread-self').split('/task/')[1]); } catch { return undefined; } })()`;
  const answer = await withDeadline(thread.client.post('Runtime.evaluate', { expression, returnByValue: true, silent: true }).catch(() => undefined), LAST_PROFILE_MS);
  const value: unknown = answer.answered ? answer.value?.result.value : undefined;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
