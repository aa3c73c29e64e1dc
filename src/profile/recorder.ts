/**
 * Stack sampling at a high rate through V8's CPU profiler (the Profiler domain),
 * driven from the sampler worker. V8 samples the main thread from its own
 * thread — JS, idle time in the event loop ("(idle)") and native calls alike —
 * so the target runs no tripod code per sample. Every few seconds the recorder
 * stops the profile and starts the next one in the same breath, converts what
 * it got into per-second records off the main thread, and writes them. With
 * --threads, each worker thread has a recorder of its own over its own session,
 * whose records carry the thread's tag.
 */
import type { CdpClient } from '../capture/cdp';
import { SourceMaps } from '../frames/source-maps';
import type { ProfileConfig } from '../config';
import type { ThreadTag } from '../record/records';
import type { RecordSink } from '../record/sink';
import { ProfileFrames } from './profile-frames';
import { ThreadStates } from './thread-states';
import { profileWindows, type WindowClock } from './windows';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('profile');

/**
 * How often the profile is collected, at the most. Each stop/start stops the
 * main thread (V8 builds the profile, then logs every code object again for the
 * next one): a few ms on a small heap, 200-550 ms on one of 180-480 MB. A process
 * killed with SIGKILL loses the samples since the last collection.
 */
export const FLUSH_MS = 5000;
/** The longest a profile runs before it is collected, however dear its restart. */
export const MAX_FLUSH_MS = 60_000;
/** The share of the program's time the restarts may take: the next collection waits until the last one's gap is this share. */
export const RESTART_SHARE = 0.005;

/**
 * When to collect next, from what the last restart stopped the main thread:
 * every FLUSH_MS while a restart is cheap, less often as its cost grows, so that
 * restarts take RESTART_SHARE of the time (up to MAX_FLUSH_MS apart).
 */
export function nextFlushMs(restartMs: number): number {
  return Math.min(MAX_FLUSH_MS, Math.max(FLUSH_MS, restartMs / RESTART_SHARE));
}

export class ProfileRecorder {
  private readonly frames = new ProfileFrames(new SourceMaps());
  /** The thread's /proc readings; without a worker's task id its samples are never `blocked`. */
  private readonly threadStates?: ThreadStates;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** When the last profile collected ended (V8's clock, µs). */
  private lastEnd?: number;
  private queue: Promise<void> = Promise.resolve();
  private seq = 0;
  /** Stack samples written so far. */
  samples = 0;

  constructor(
    private readonly cdp: CdpClient,
    private readonly config: ProfileConfig,
    private readonly sink: RecordSink,
    /** The worker thread profiled, and its task id in /proc when known; absent: the main thread. */
    private readonly thread?: ThreadTag,
    taskId?: number,
  ) {
    if (!thread) this.threadStates = new ThreadStates(process.pid, config.rateHz);
    else if (taskId !== undefined) this.threadStates = new ThreadStates(process.pid, config.rateHz, taskId);
  }

  async start(): Promise<void> {
    await this.cdp.post('Profiler.enable');
    await this.cdp.post('Profiler.setSamplingInterval', { interval: Math.round(1_000_000 / this.config.rateHz) });
    const asked = performance.now();
    await this.cdp.post('Profiler.start');
    // A start logs every code object, as each restart will: on a large heap the first collection already waits longer.
    const startMs = performance.now() - asked;
    this.threadStates?.start();
    // A worker's recorder can be stopped (its thread ended) while it starts.
    if (!this.stopped) this.schedule(nextFlushMs(startMs));
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.collect(true).then((restartMs) => this.stopped || this.schedule(nextFlushMs(restartMs))), delayMs);
  }

  /** Writes the last samples; the main thread is left with no profiler running. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.collect(false);
    this.threadStates?.stop();
    await this.cdp.post('Profiler.disable').catch(() => {});
  }

  /** Settles with how long the restart took (0 when it failed): about what it stopped the main thread. */
  private collect(restart: boolean): Promise<number> {
    const flushed = this.queue.then(() => this.flush(restart));
    this.queue = flushed.then(() => {}, () => {});
    return flushed.catch(() => 0);
  }

  private async flush(restart: boolean): Promise<number> {
    // Sent back to back, both are handled in one visit to the main thread: the gap between profiles is that short.
    const asked = performance.now();
    const stopped = this.cdp.post('Profiler.stop');
    const started = restart ? this.cdp.post('Profiler.start').then(() => performance.now() - asked) : undefined;
    // Both answers first, then the conversion: the restart's time is not to include the worker's own work.
    const [{ profile }, answeredMs = 0] = await Promise.all([stopped, started]);
    const restartMs = this.lastRestartGap(profile) ?? answeredMs;
    debug('profile collected: %s samples%s', profile.samples?.length ?? 0, restart ? ', profiler restarted' : ', profiler stopped');
    for (const window of profileWindows(profile, this.clock(), this.frames)) {
      this.sink.profile({ seq: ++this.seq, rateHz: this.config.rateHz, ...this.thread, ...window });
      this.samples += window.samples;
    }
    if (restart) debug.took(restartMs, 'profiler stopped and started again; next collection in %s ms', nextFlushMs(restartMs));
    return restartMs;
  }

  /**
   * What the last restart stopped the main thread, on V8's clock: from the end of
   * the profile before it to the first sample of this one (V8 builds the old
   * profile, then logs every code object, before it samples again). Unlike the
   * answers' round trip it leaves out a wait for a thread that was in a native call.
   */
  private lastRestartGap(profile: { startTime: number; endTime: number; timeDeltas?: number[] }): number | undefined {
    const firstSample = profile.startTime + (profile.timeDeltas?.[0] ?? 0);
    const gap = this.lastEnd === undefined ? undefined : (firstSample - this.lastEnd) / 1000;
    this.lastEnd = profile.endTime;
    return gap !== undefined && gap >= 0 ? gap : undefined;
  }

  /**
   * V8 stamps samples with the monotonic clock in microseconds, the clock
   * process.hrtime reads: anchored to the wall clock once per profile.
   */
  private clock(): WindowClock {
    const nowMicros = Number(process.hrtime.bigint() / 1000n);
    const nowEpoch = Date.now();
    return { epochMs: (v8Micros) => nowEpoch - (nowMicros - v8Micros) / 1000, asleepAt: (micros) => this.threadStates?.asleepAt(micros) ?? new Uint8Array(micros.length) };
  }
}
