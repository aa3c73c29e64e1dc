/**
 * What the watchdog does about a stall: capture the stuck main thread at once
 * and log it; log the stall's end, with — when the thread was stuck in native
 * code — the JS frames that made the call, known once it returned.
 */
import type { Capture, Capturer } from '../capture/capturer';
import { withDeadline } from '../capture/cdp';
import type { SampleLog } from '../log/logger';
import { failedSample } from '../sample/periodic';
import type { Sample } from '../sample/types';
import type { StallEnd, StallListener, StallNotice } from './stall-watch';

/** How long a stall's end waits for the answer of a thread that was blocked in native code. */
const BLOCKED_ANSWER_GRACE_MS = 200;

export class StallCapture implements StallListener {
  /** The blocked-in-native answer for each stall that has one. */
  private readonly blockedAnswers = new Map<number, Promise<Omit<Sample, 'seq'>>>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly capturer: Capturer,
    private readonly log: SampleLog,
  ) {}

  stalled(notice: StallNotice): void {
    this.track(this.captureStall(notice));
  }

  recovered(end: StallEnd): void {
    this.track(this.writeEnd(end));
  }

  /** Writes what is pending; a stall still going on ends with the process. */
  async stop(ongoing: StallEnd | undefined): Promise<void> {
    await Promise.all(this.pending);
    if (ongoing) await this.writeEnd({ ...ongoing }, true);
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async captureStall(notice: StallNotice): Promise<void> {
    let capture: Capture;
    try {
      capture = await this.capturer.capture(true);
    } catch (error) {
      this.log.stall({ ...notice, ...failedSample(error) });
      return;
    }
    if (capture.kind === 'sample') {
      this.log.stall({ ...notice, ...capture.sample });
      return;
    }
    if (!this.blockedAnswers.has(notice.stallId)) this.blockedAnswers.set(notice.stallId, capture.late);
    const stalledMs = Date.now() - capture.started;
    this.log.stall({
      ...notice,
      capturedAt: capture.started,
      state: 'blocked',
      stoppedMs: 0,
      captureMs: stalledMs,
      blockedMs: notice.stalledMs,
      ...(capture.native ? { native: capture.native } : {}),
      frames: [],
      stack: '    (blocked in a native call: its JS frames follow in the stall-end record)',
    });
  }

  private async writeEnd(end: StallEnd, atExit = false): Promise<void> {
    const answer = this.blockedAnswers.get(end.stallId);
    this.blockedAnswers.delete(end.stallId);
    const resumed = answer ? await withDeadline(answer, BLOCKED_ANSWER_GRACE_MS) : undefined;
    const frames = resumed?.answered ? { frames: resumed.value.frames, stack: resumed.value.stack } : {};
    this.log.stallEnd({ ...end, ...frames, ...(atExit ? { atExit: true } : {}) });
  }
}
