/**
 * --watchdog for one worker thread (--threads): the worker's own heartbeat
 * (worker-heartbeat.ts), watched from the sampler as the main thread's is
 * (stall-watch.ts), its stalls captured through the worker's session and tagged
 * with the worker. The watch ends when the worker does, or when the recording
 * stops; a stall still going on then gets its stall-end, marked atExit.
 */
import type { Capturer } from '../capture/capturer';
import type { WatchdogConfig } from '../config';
import type { ThreadTag } from '../record/records';
import type { RecordSink } from '../record/sink';
import { debugLog } from '../diagnostics/debug-log';
import { StallCapture } from './stall-capture';
import { StallWatch } from './stall-watch';
import { installWorkerHeartbeat } from './worker-heartbeat';
import type { CdpClient } from '../capture/cdp';

const debug = debugLog('watchdog');

/** What every worker's watch shares: the main thread's threshold, repeat and heartbeat period, and the log. */
export interface WorkerWatchdog {
  config: WatchdogConfig;
  periodMs: number;
  sink: RecordSink;
}

export class WorkerStallWatch {
  private watch?: StallWatch;
  private capture?: StallCapture;
  private ended = false;
  private readonly started: Promise<void>;

  constructor(
    private readonly thread: ThreadTag & { client: CdpClient },
    capturer: Capturer,
    private readonly watchdog: WorkerWatchdog,
  ) {
    this.started = this.start(capturer);
  }

  /** Stops watching; writes what is pending and the end of a stall still going on. */
  async stop(): Promise<void> {
    this.ended = true;
    await this.started;
    const ongoing = this.watch?.stop();
    await this.capture?.stop(ongoing);
  }

  private async start(capturer: Capturer): Promise<void> {
    const installed = await installWorkerHeartbeat(this.thread.client, this.watchdog.periodMs);
    if ('declined' in installed) {
      debug('worker %s (thread %s) is not watched: %s', this.thread.threadName, this.thread.threadId, installed.declined);
      return;
    }
    if (this.ended) return;
    const { threadId, threadName, threadUrl } = this.thread;
    const tag: ThreadTag = { threadId, threadName, ...(threadUrl ? { threadUrl } : {}) };
    // A worker that ended stops beating before the inspector says so: a capture that fails then is no stall.
    // One that waits in Atomics.wait is waiting for work (stall-capture.ts).
    this.capture = new StallCapture(capturer, this.watchdog.sink, { tag, gone: () => this.ended });
    this.watch = new StallWatch(installed.heartbeat, this.watchdog.config, this.watchdog.periodMs, this.capture);
    this.watch.start();
    debug('worker %s (thread %s) is watched', threadName, threadId);
  }
}
