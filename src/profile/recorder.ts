/**
 * Stack sampling at a high rate through V8's CPU profiler (the Profiler domain),
 * driven from the sampler worker. V8 samples the main thread from its own
 * thread — JS, idle time in the event loop ("(idle)") and native calls alike —
 * so the target runs no tripod code per sample. Every few seconds the recorder
 * stops the profile and starts the next one in the same breath, converts what
 * it got into per-second records off the main thread, and writes them.
 */
import type { CdpClient } from '../capture/cdp';
import { SourceMaps } from '../frames/source-maps';
import type { ProfileConfig } from '../config';
import type { RecordSink } from '../record/sink';
import { ProfileFrames } from './profile-frames';
import { ThreadStates } from './thread-states';
import { profileWindows, type WindowClock } from './windows';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('profile');

/**
 * How often the profile is collected. Each stop/start stops the main thread for
 * a few ms (V8 builds the profile, then logs the code again for the next one),
 * so rarely; but a process killed with SIGKILL loses at most this much.
 */
export const FLUSH_MS = 5000;

export class ProfileRecorder {
  private readonly frames = new ProfileFrames(new SourceMaps());
  private readonly threadStates: ThreadStates;
  private timer?: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();
  private seq = 0;
  /** Stack samples written so far. */
  samples = 0;

  constructor(
    private readonly cdp: CdpClient,
    private readonly config: ProfileConfig,
    private readonly sink: RecordSink,
    pid = process.pid,
  ) {
    this.threadStates = new ThreadStates(pid, config.rateHz);
  }

  async start(): Promise<void> {
    await this.cdp.post('Profiler.enable');
    await this.cdp.post('Profiler.setSamplingInterval', { interval: Math.round(1_000_000 / this.config.rateHz) });
    await this.cdp.post('Profiler.start');
    this.threadStates.start();
    this.timer = setInterval(() => void this.collect(true), FLUSH_MS);
  }

  /** Writes the last samples; the main thread is left with no profiler running. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.collect(false);
    this.threadStates.stop();
    await this.cdp.post('Profiler.disable').catch(() => {});
  }

  private collect(restart: boolean): Promise<void> {
    this.queue = this.queue.then(() => this.flush(restart)).catch(() => {});
    return this.queue;
  }

  private async flush(restart: boolean): Promise<void> {
    // Sent back to back, both are handled in one visit to the main thread: the gap between profiles is that short.
    const stopped = this.cdp.post('Profiler.stop');
    const started = restart ? this.cdp.post('Profiler.start') : undefined;
    const { profile } = await stopped;
    debug('profile collected: %s samples%s', profile.samples?.length ?? 0, restart ? ', profiler restarted' : ', profiler stopped');
    for (const window of profileWindows(profile, this.clock(), this.frames)) {
      this.sink.profile({ seq: ++this.seq, rateHz: this.config.rateHz, ...window });
      this.samples += window.samples;
    }
    await started;
  }

  /**
   * V8 stamps samples with the monotonic clock in microseconds, the clock
   * process.hrtime reads: anchored to the wall clock once per profile.
   */
  private clock(): WindowClock {
    const nowMicros = Number(process.hrtime.bigint() / 1000n);
    const nowEpoch = Date.now();
    return { epochMs: (v8Micros) => nowEpoch - (nowMicros - v8Micros) / 1000, asleepAt: (micros) => this.threadStates.asleepAt(micros) };
  }
}
