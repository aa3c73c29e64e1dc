/**
 * --threads --profile: a CPU profile per worker thread. Each worker's V8 has a
 * profiler of its own, reached through the worker's own inspector session (the
 * one its periodic samples use), so each gets a ProfileRecorder of its own: its
 * own restarts, scheduled from what its own restarts cost, and records tagged
 * with the thread. A worker that ends takes the samples since its last
 * collection with it (nothing reaches its profiler once it is gone); the
 * records written before stay.
 */
import type { CdpClient } from '../capture/cdp';
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
  client: CdpClient;
}

export class ThreadProfiles {
  private readonly recorders = new Map<ProfiledThread, ProfileRecorder>();
  private stopping = false;
  /** Samples written by the recorders of threads that have ended. */
  private endedSamples = 0;

  constructor(
    private readonly config: ProfileConfig,
    private readonly sink: RecordSink,
  ) {}

  /** Stack samples written so far, of every worker. */
  get samples(): number {
    let samples = this.endedSamples;
    for (const recorder of this.recorders.values()) samples += recorder.samples;
    return samples;
  }

  /** Settles once the thread's profiler runs (or failed to start). */
  add(thread: ProfiledThread): Promise<void> {
    if (this.stopping || this.recorders.has(thread)) return Promise.resolve();
    const recorder = new ProfileRecorder(thread.client, this.config, this.sink, threadTag(thread));
    this.recorders.set(thread, recorder);
    return recorder.start().then(
      () => debug('worker %s (thread %s) profiled', thread.name, thread.threadId),
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

  /** Writes every running worker's last samples and leaves no profiler running. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.recorders.keys()].map((thread) => this.remove(thread)));
  }
}

function threadTag(thread: ProfiledThread): ThreadTag {
  return { threadId: thread.threadId, threadName: thread.name, ...(thread.url ? { threadUrl: thread.url } : {}) };
}
