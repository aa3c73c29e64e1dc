/**
 * Watches the heartbeat from the worker. When the main thread has not come back
 * to the event loop for the threshold, it reports a stall while the thread is
 * still stuck — so the capture shows the code that is stalling, not what ran
 * after — optionally again every repeat period, and then the stall's end.
 */
import type { WatchdogConfig } from '../config';
import { LAST_BEAT, sharedClock } from './heartbeat';

export interface StallNotice {
  stallId: number;
  /** 0 for the first capture of a stall, then 1, 2, ... with --watchdog-repeat. */
  repeat: number;
  /** Time since the event loop last ran, in ms (within one heartbeat period). */
  stalledMs: number;
}

export interface StallEnd {
  stallId: number;
  /** How long the event loop was away, in ms (within one heartbeat period). */
  durationMs: number;
  captures: number;
}

export interface StallListener {
  stalled(notice: StallNotice): void;
  recovered(end: StallEnd): void;
}

interface OngoingStall {
  id: number;
  lastBeat: number;
  captures: number;
  nextRepeatAt: number;
}

export class StallWatch {
  private readonly beats: Int32Array;
  private timer?: NodeJS.Timeout;
  private stall?: OngoingStall;
  private stalls = 0;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly config: WatchdogConfig,
    private readonly periodMs: number,
    private readonly base: number,
    private readonly listener: StallListener,
  ) {
    this.beats = new Int32Array(buffer);
  }

  start(): void {
    this.schedule(this.config.thresholdMs);
  }

  /** Stops watching; returns the stall still going on, if any, as it stands. */
  stop(): StallEnd | undefined {
    clearTimeout(this.timer);
    const stall = this.stall;
    this.stall = undefined;
    return stall && { stallId: stall.id, durationMs: sharedClock(this.base) - stall.lastBeat, captures: stall.captures };
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(this.check, Math.max(1, ms));
  }

  private readonly check = (): void => {
    const lastBeat = Atomics.load(this.beats, LAST_BEAT);
    const now = sharedClock(this.base);
    if (this.stall) return this.follow(this.stall, lastBeat, now);
    // A beat is due every period, so silence longer than threshold + period means the loop was away the whole threshold.
    const limit = this.config.thresholdMs + this.periodMs;
    const silent = now - lastBeat;
    if (silent < limit) return this.schedule(limit - silent);
    const stall = { id: ++this.stalls, lastBeat, captures: 1, nextRepeatAt: this.config.repeatMs ? now + this.config.repeatMs : Infinity };
    this.stall = stall;
    this.listener.stalled({ stallId: stall.id, repeat: 0, stalledMs: silent });
    this.schedule(this.periodMs);
  };

  private follow(stall: OngoingStall, lastBeat: number, now: number): void {
    if (lastBeat !== stall.lastBeat) {
      this.stall = undefined;
      this.listener.recovered({ stallId: stall.id, durationMs: lastBeat - stall.lastBeat, captures: stall.captures });
      return this.schedule(this.config.thresholdMs);
    }
    if (now >= stall.nextRepeatAt) {
      this.listener.stalled({ stallId: stall.id, repeat: stall.captures++, stalledMs: now - lastBeat });
      stall.nextRepeatAt += this.config.repeatMs;
    }
    this.schedule(this.periodMs);
  }
}
