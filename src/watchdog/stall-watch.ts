/**
 * Watches the heartbeat from the worker. When the main thread has not come back
 * to the event loop for the threshold, it reports a stall while the thread is
 * still stuck — so the capture shows the code that is stalling, not what ran
 * after — optionally again every repeat period, and then the stall's end.
 */
import type { WatchdogConfig } from '../config';
import type { StallEnd, StallNotice } from '../record/records';
import type { Heartbeat } from './heartbeat';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('watchdog');

export interface StallListener {
  stalled(notice: StallNotice): void;
  recovered(end: StallEnd): void;
}

interface OngoingStall {
  id: number;
  /** When the last beat before the stall was seen, on this thread's clock. */
  lastBeatAt: number;
  captures: number;
  nextRepeatAt: number;
}

export class StallWatch {
  private timer?: NodeJS.Timeout;
  private stall?: OngoingStall;
  private stalls = 0;
  private lastCount = 0;
  private lastBeatAt = 0;

  constructor(
    private readonly heartbeat: Heartbeat,
    private readonly config: WatchdogConfig,
    private readonly periodMs: number,
    private readonly listener: StallListener,
    /** Whose stalls, in TRIPOD_DEBUG's lines. */
    private readonly who = 'main thread',
  ) {}

  start(): void {
    this.lastCount = this.heartbeat.count;
    this.lastBeatAt = performance.now();
    // The count says only that a beat happened, not when: it is looked at every period, so a beat is dated
    // within one period.
    this.timer = setInterval(this.check, this.periodMs);
  }

  /** Stops watching; returns the stall still going on, if any, as it stands. */
  stop(): StallEnd | undefined {
    clearInterval(this.timer);
    const stall = this.stall;
    this.stall = undefined;
    return stall && { stallId: stall.id, durationMs: Math.round(performance.now() - stall.lastBeatAt), captures: stall.captures };
  }

  private readonly check = (): void => {
    const now = performance.now();
    const count = this.heartbeat.count;
    const beat = count !== this.lastCount;
    this.lastCount = count;
    if (this.stall) return beat ? this.recover(this.stall, now) : this.follow(this.stall, now);
    if (beat) {
      this.lastBeatAt = now;
      return;
    }
    // A beat is due every period, so silence longer than threshold + period means the loop was away the whole threshold.
    const silent = now - this.lastBeatAt;
    if (silent < this.config.thresholdMs + this.periodMs) return;
    const stall = { id: ++this.stalls, lastBeatAt: this.lastBeatAt, captures: 1, nextRepeatAt: this.config.repeatMs ? now + this.config.repeatMs : Infinity };
    this.stall = stall;
    debug('stall %s of the %s: no event-loop turn for %s ms', stall.id, this.who, Math.round(silent));
    this.listener.stalled({ stallId: stall.id, repeat: 0, stalledMs: Math.round(silent) });
  };

  private recover(stall: OngoingStall, now: number): void {
    this.stall = undefined;
    this.lastBeatAt = now;
    // Both beats are seen within a period of when they happened: the gap between them is exact to a period.
    this.listener.recovered({ stallId: stall.id, durationMs: Math.round(now - stall.lastBeatAt), captures: stall.captures });
  }

  private follow(stall: OngoingStall, now: number): void {
    if (now >= stall.nextRepeatAt) {
      this.listener.stalled({ stallId: stall.id, repeat: stall.captures++, stalledMs: Math.round(now - stall.lastBeatAt) });
      stall.nextRepeatAt += this.config.repeatMs;
    }
  }
}
