/**
 * One recording session, whatever produces it — the runner's sampler worker, or
 * `tripod record PID`. It writes the start record, samples each joined thread on
 * its own fixed schedule, numbers the samples of all threads in the order they
 * are written, lets threads join and leave while it runs (workers that start
 * later), and writes the end record. Everything goes to one sink.
 *
 * Imports go down only: to capture, the log's header format and the data model.
 */
import type { Capturer } from '../capture/capturer';
import { type RecordingHeader, startHeader, type TargetInfo } from '../log/header';
import type { EndInfo, EndRecord } from '../record/records';
import type { CapturedSample } from '../record/sample';
import type { RecordSink } from '../record/sink';
import { type CaptureOptions, type RecordedThread, tagged } from './capturers';
import { PeriodicSampler } from './periodic';

export interface RecordingOptions extends CaptureOptions {
  /** Between periodic samples of each thread; 0: none (stall or crash captures only). */
  intervalMs: number;
}

/** What the start record says beyond the recording's own options. */
export type RecordingAbout = TargetInfo & Pick<RecordingHeader, 'watchdog' | 'crash' | 'profile' | 'attached'>;

export interface RecordingHooks {
  /** A thread's capture before it is numbered, as it should be written; undefined: it is not a sample. */
  admit?(thread: RecordedThread, sample: CapturedSample): CapturedSample | undefined;
}

/** What the end record adds to how the target ended. */
export type EndDetail = Pick<EndRecord, 'detached' | 'profileSamples' | 'processes' | 'threads'>;

interface Joined {
  capturer: Capturer;
  sampler?: PeriodicSampler;
}

export class Recording {
  private readonly joined = new Map<RecordedThread, Joined>();
  private seq = 0;
  private stopping = false;

  constructor(
    private readonly sink: RecordSink,
    private readonly options: RecordingOptions,
    private readonly hooks: RecordingHooks = {},
  ) {}

  /** Periodic samples written so far, of every thread. */
  get samples(): number {
    return this.seq;
  }

  start(about: RecordingAbout): void {
    const { intervalMs, timeoutMs, localsBudget, limits } = this.options;
    this.sink.start(startHeader({ ...about, intervalMs, timeoutMs, localsBudget, limits }));
  }

  /** The recording owns `capturer` from now on; one for a thread already in, or that comes once it is stopping, goes at once. */
  join(thread: RecordedThread, capturer: Capturer): void {
    if (this.stopping || this.joined.has(thread)) return capturer.dispose();
    const sampler = this.options.intervalMs > 0 ? new PeriodicSampler(capturer, this.options.intervalMs, (sample) => this.write(thread, sample)) : undefined;
    this.joined.set(thread, { capturer, sampler });
    sampler?.start();
  }

  /** The thread's sample in flight is finished (or written as it stands), then its capturer goes. */
  async leave(thread: RecordedThread): Promise<void> {
    const entry = this.joined.get(thread);
    if (!entry) return;
    this.joined.delete(thread);
    await entry.sampler?.stop();
    entry.capturer.dispose();
  }

  /** Ends periodic sampling of every thread; their capturers stay for stall and crash captures until `end`. */
  async stopSampling(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.joined.values()].map((entry) => entry.sampler?.stop()));
  }

  /** Lets every capturer go and writes the end record (after `stopSampling` and any stall or crash capture). */
  end(info: EndInfo, detail: EndDetail = {}): void {
    this.stopping = true;
    for (const entry of this.joined.values()) entry.capturer.dispose();
    this.joined.clear();
    this.sink.end({ ...info, samples: this.seq, ...detail });
  }

  private write(thread: RecordedThread, captured: CapturedSample): void {
    const sample = this.hooks.admit ? this.hooks.admit(thread, captured) : captured;
    if (!sample) return;
    if (thread.isMain) this.sink.sample({ seq: ++this.seq, ...sample });
    else this.sink.sample({ ...tagged(thread, sample), seq: ++this.seq });
  }
}
