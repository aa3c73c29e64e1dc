/**
 * What the watchdog does about a stall: capture the stuck main thread at once
 * and log it; log the stall's end, with — when the thread was stuck in native
 * code — the JS frames that made the call, known once it returned.
 */
import type { Capture, Capturer } from '../capture/capturer';
import { withDeadline } from '../capture/cdp';
import { blockedAsItStands, failedSample } from '../capture/unanswered';
import type { StallEnd, StallNotice, ThreadTag } from '../record/records';
import type { CapturedSample } from '../record/sample';
import type { RecordSink } from '../record/sink';
import type { StallListener } from './stall-watch';

/** The worker thread a StallCapture is for. */
export interface WorkerOfStall {
  tag: ThreadTag;
  /** True once the worker is gone: a capture that failed then was its end, not a stall, and nothing is written. */
  gone(): boolean;
}

/** How long a stall's end waits for the answer of a thread that was blocked in native code. */
const BLOCKED_ANSWER_GRACE_MS = 200;

export class StallCapture implements StallListener {
  /** The blocked-in-native answer for each stall that has one. */
  private readonly blockedAnswers = new Map<number, Promise<CapturedSample>>();
  private readonly pending = new Set<Promise<void>>();
  /** Stalls that were the thread ending: neither their captures nor their end are written. */
  private readonly dropped = new Set<number>();
  /** A worker's stall's end waits for its first capture, which may find it was no stall. */
  private readonly firstCaptures = new Map<number, Promise<void>>();

  constructor(
    private readonly capturer: Capturer,
    private readonly sink: RecordSink,
    private readonly worker?: WorkerOfStall,
  ) {}

  /** A worker's stalls name the worker; the main thread's name none. */
  private get thread(): ThreadTag | Record<string, never> {
    return this.worker?.tag ?? {};
  }

  stalled(notice: StallNotice): void {
    const capture = this.captureStall(notice);
    if (this.worker && notice.repeat === 0) this.firstCaptures.set(notice.stallId, capture);
    this.track(capture);
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
    if (this.dropped.has(notice.stallId)) return;
    let capture: Capture;
    try {
      capture = await this.capturer.capture(true);
    } catch (error) {
      if (this.worker?.gone()) {
        this.dropped.add(notice.stallId);
        return;
      }
      this.sink.stall({ ...this.thread, ...notice, ...failedSample(error) });
      return;
    }
    if (capture.kind === 'sample' && this.worker && waitsForWork(capture.sample)) {
      this.dropped.add(notice.stallId);
      return;
    }
    if (capture.kind === 'sample') {
      this.sink.stall({ ...this.thread, ...notice, ...capture.sample });
      return;
    }
    if (!this.blockedAnswers.has(notice.stallId)) this.blockedAnswers.set(notice.stallId, capture.late);
    this.sink.stall({
      ...this.thread,
      ...notice,
      ...blockedAsItStands(capture, { blockedMs: notice.stalledMs, stack: '    (blocked in a native call: its JS frames follow in the stall-end record)' }),
    });
  }

  private async writeEnd(end: StallEnd, atExit = false): Promise<void> {
    await this.firstCaptures.get(end.stallId);
    this.firstCaptures.delete(end.stallId);
    if (this.dropped.has(end.stallId)) return;
    const answer = this.blockedAnswers.get(end.stallId);
    this.blockedAnswers.delete(end.stallId);
    const resumed = answer ? await withDeadline(answer, BLOCKED_ANSWER_GRACE_MS) : undefined;
    const frames = resumed?.answered ? { frames: resumed.value.frames, stack: resumed.value.stack } : {};
    this.sink.stallEnd({ ...this.thread, ...end, ...frames, ...(atExit ? { atExit: true } : {}) });
  }
}

/**
 * A worker asleep in Atomics.wait is waiting for work, not stuck: a piscina worker (atomics: 'sync', its
 * default) waits for its next task there, away from its event loop. The probe's stack has the builtin's
 * frame on top; a pause stops at its call.
 */
export function waitsForWork(sample: CapturedSample): boolean {
  const top = sample.frames[0];
  if (!top) return false;
  return (top.function === 'wait' && !top.url) || /\bAtomics\.wait\s*\(/.test(top.source ?? '');
}
