/**
 * --watchdog for one worker thread (--threads): the worker's own heartbeat
 * (worker-heartbeat.ts), watched from the sampler as the main thread's is
 * (stall-watch.ts), its stalls captured through the worker's session and tagged
 * with the worker. Before a stall is captured, the worker is asked whether its
 * monitor still counts what the sampler sees (one round trip, answered during
 * the stall): a heartbeat lost is installed again and is no stall. The watch
 * ends when the worker does, or when the recording stops; a stall still going
 * on then gets its stall-end, marked atExit.
 */
import type { Capturer } from '../capture/capturer';
import { withDeadline } from '../capture/cdp';
import type { CdpClient } from '../capture/cdp';
import type { WatchdogConfig } from '../config';
import type { StallEnd, StallNotice, ThreadTag } from '../record/records';
import type { RecordSink } from '../record/sink';
import { debugLog } from '../diagnostics/debug-log';
import { StallCapture } from './stall-capture';
import type { Heartbeat } from './heartbeat';
import { type StallListener, StallWatch } from './stall-watch';
import { heartbeatHolds, installWorkerHeartbeat, type WorkerHeartbeat } from './worker-heartbeat';

const debug = debugLog('watchdog');

/** A worker still in Node's bootstrap is asked again this often, this many times (it boots in milliseconds). */
const INSTALL_RETRY_MS = 100;
const INSTALL_TRIES = 50;
/** Heartbeats installed again after one was lost, at most: a worker that keeps losing them goes unwatched. */
const REINSTALLS = 3;

/** What every worker's watch shares: the main thread's threshold, repeat and heartbeat period, and the log. */
export interface WorkerWatchdog {
  config: WatchdogConfig;
  periodMs: number;
  sink: RecordSink;
}

type Installed = Extract<WorkerHeartbeat, { objectId: string }>;

export class WorkerStallWatch implements StallListener {
  private watch?: StallWatch;
  private capture?: StallCapture;
  private installed?: Installed;
  private ended = false;
  private reinstalls = 0;
  /** Per stall, whether its heartbeat held when it was seen: its captures and its end wait for the answer. */
  private readonly checks = new Map<number, Promise<boolean>>();

  constructor(
    private readonly thread: ThreadTag & { client: CdpClient },
    capturer: Capturer,
    private readonly watchdog: WorkerWatchdog,
  ) {
    void this.start(capturer);
  }

  /** Stops watching; writes what is pending and the end of a stall still going on. */
  async stop(): Promise<void> {
    this.ended = true;
    // An install still in flight is not waited for (it can take seconds): the process's end is.
    if (!this.watch) return;
    const ongoing = this.watch.stop();
    const holds = ongoing ? await (this.checks.get(ongoing.stallId) ?? true) : true;
    await Promise.all(this.checks.values());
    await this.capture?.stop(holds ? ongoing : undefined);
  }

  stalled(notice: StallNotice): void {
    const check = this.checks.get(notice.stallId) ?? this.check(notice.stallId);
    this.checks.set(notice.stallId, check);
    void check.then((holds) => holds && this.capture?.stalled(notice));
  }

  recovered(end: StallEnd): void {
    const check = this.checks.get(end.stallId) ?? Promise.resolve(true);
    void check.then((holds) => {
      this.checks.delete(end.stallId);
      if (holds) this.capture?.recovered(end);
    });
  }

  private async start(capturer: Capturer): Promise<void> {
    const installed = await this.install();
    if (!installed) return;
    this.installed = installed;
    const { threadId, threadName, threadUrl } = this.thread;
    const tag: ThreadTag = { threadId, threadName, ...(threadUrl ? { threadUrl } : {}) };
    // A worker that ended stops beating before the inspector says so: a capture that fails then is no stall.
    // One that waits in Atomics.wait is waiting for work (stall-capture.ts).
    this.capture = new StallCapture(capturer, this.watchdog.sink, { tag, gone: () => this.ended });
    // The watch reads whichever heartbeat is installed now.
    const current = Object.defineProperty({}, 'count', { get: () => this.installed?.heartbeat.count ?? 0 }) as Heartbeat;
    this.watch = new StallWatch(current, this.watchdog.config, this.watchdog.periodMs, this, `worker ${threadName} (thread ${threadId})`);
    this.watch.start();
  }

  private async install(): Promise<Installed | undefined> {
    const began = performance.now();
    for (let tries = 1; ; tries++) {
      const installed = await installWorkerHeartbeat(this.thread.client, this.watchdog.periodMs);
      if (this.ended) return undefined;
      if ('objectId' in installed) {
        debug('worker %s (thread %s) is watched: heartbeat installed in %s ms, %s tries', this.thread.threadName, this.thread.threadId, Math.round(performance.now() - began), tries);
        return installed;
      }
      if (!installed.retry || tries >= INSTALL_TRIES) {
        debug('worker %s (thread %s) is not watched: %s', this.thread.threadName, this.thread.threadId, installed.declined);
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, INSTALL_RETRY_MS));
    }
  }

  /** A heartbeat that does not hold is replaced, and its silence was no stall. No answer in time: it holds. */
  private async check(stallId: number): Promise<boolean> {
    const installed = this.installed;
    if (!installed) return false;
    const answer = await withDeadline(heartbeatHolds(this.thread.client, installed), this.watchdog.config.thresholdMs);
    if (!answer.answered || answer.value !== false) return true;
    debug('worker %s (thread %s): heartbeat lost at stall %s', this.thread.threadName, this.thread.threadId, stallId);
    if (this.reinstalls++ < REINSTALLS && !this.ended) {
      const again = await this.install();
      if (again) this.installed = again;
    }
    return false;
  }
}
