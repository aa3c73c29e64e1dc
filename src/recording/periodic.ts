/**
 * Periodic sampling: one capture every interval, at a fixed rate. A main thread
 * blocked in native code holds its sample open until it answers.
 */
import type { Capturer } from '../capture/capturer';
import { withDeadline } from '../capture/cdp';
import { type Capture, failedSample, stillBlockedSample } from '../capture/unanswered';
import type { CapturedSample } from '../record/sample';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('sample');

/** How long a stop waits for a blocked thread's answer that is already on its way. */
const LATE_ANSWER_GRACE_MS = 100;

/** Where a thread's samples go before the recording numbers them. */
export type SampleWriter = (sample: CapturedSample) => void;

export class PeriodicSampler {
  private readonly firstTick = performance.now();
  private ticks = 0;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private inFlight?: Promise<void>;
  private blocked?: Extract<Capture, { kind: 'blocked' }>;

  constructor(
    private readonly capturer: Capturer,
    private readonly intervalMs: number,
    private readonly write: SampleWriter,
  ) {}

  start(): void {
    this.timer = this.schedule();
  }

  /** Finishes the sample in flight; a thread still blocked gets its sample written as it stands. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const stuck = this.blocked;
    this.blocked = undefined;
    if (stuck) {
      // The thread usually answered just before it exited: the answer and the stop request race.
      const answer = await withDeadline(stuck.late, LATE_ANSWER_GRACE_MS);
      this.write(answer.answered ? answer.value : stillBlockedSample(stuck));
    } else if (this.inFlight) await this.inFlight;
  }

  private schedule(): NodeJS.Timeout {
    // Fixed rate: a slow capture skips the ticks it overran instead of bursting.
    const now = performance.now();
    this.ticks = Math.max(this.ticks + 1, Math.ceil((now - this.firstTick) / this.intervalMs));
    return setTimeout(this.tick, this.firstTick + this.ticks * this.intervalMs - now);
  }

  private readonly tick = (): void => {
    if (this.stopping) return;
    debug('tick %s%s', this.ticks, this.inFlight ? ': skipped, the previous capture is still in flight' : '');
    if (!this.inFlight) this.inFlight = this.sampleOnce().finally(() => (this.inFlight = undefined));
    this.timer = this.schedule();
  };

  private async sampleOnce(): Promise<void> {
    try {
      const capture = await this.capturer.capture();
      if (capture.kind === 'sample') return this.write(capture.sample);
      this.blocked = capture;
      const sample = await capture.late;
      if (this.blocked === capture && !this.stopping) this.write(sample);
      this.blocked = undefined;
    } catch (error) {
      if (!this.stopping) this.write(failedSample(error));
    }
  }
}
