/**
 * --slow, on the sampler worker's side: scans the slot table the main thread
 * writes (slow-slots.ts) on the worker's own timer, and for a request in flight
 * past the threshold captures the main thread then and writes a `slow` record —
 * the request, its outbound requests in flight, the timers, the stack and locals —
 * again every --slow-repeat while it stays, and a `slow-end` once it ends.
 */
import type { Capturer } from '../capture/capturer';
import { blockedAsItStands, failedSample } from '../capture/unanswered';
import type { SlowConfig } from '../config';
import type { ServerRequest } from '../record/requests';
import type { CapturedSample } from '../record/sample';
import type { RecordSink } from '../record/sink';
import { ENDED, freeEnded, LIVE, markReported, REPORTED, type SlotView, type SlowSlots, slotsInUse } from './slow-slots';

/** How often the slots are scanned: detection comes at most this late, plus a capture. */
const SCAN_MS = 10;

interface Reported {
  id: number;
  startMs: number;
  repeat: number;
  lastMs: number;
  /** The request as its slot names it (a capture that lists it gives the same, and its age then). */
  request: ServerRequest;
  /** The slow record being written: its end waits for it. */
  writing: Promise<void>;
}

/** "GET /orders/42?…" as the main thread wrote it into the slot. */
function labelled(label: string): Pick<ServerRequest, 'method' | 'path'> {
  const space = label.indexOf(' ');
  return space < 0 ? { method: '?', path: label || '?' } : { method: label.slice(0, space), path: label.slice(space + 1) };
}

export class SlowWatch {
  private readonly reported = new Map<number, Reported>();
  private readonly pending = new Set<Promise<void>>();
  /** Found slow (or due again) and waiting for the next capture, with the repeat number each record gets. */
  private readonly due: Array<{ entry: Reported; repeat: number }> = [];
  private capturing = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly slots: SlowSlots,
    private readonly config: SlowConfig,
    private readonly capturer: Capturer,
    private readonly sink: RecordSink,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.scan(Date.now()), SCAN_MS);
  }

  /** Writes what is pending; requests still in flight at the end get no slow-end. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    // A request that ended while its slow record waited for a capture has its end read by the scan after that
    // capture: scanned again until a scan leaves nothing to write. Those later scans read ends only: a request
    // still in flight would otherwise come due again each pass (--slow-repeat 10 outlasts a capture) and never let
    // the run end.
    for (let endsOnly = false; ; endsOnly = true) {
      this.scan(Date.now(), endsOnly);
      if (this.pending.size === 0) return;
      while (this.pending.size > 0) await Promise.all(this.pending);
    }
  }

  private scan(now: number, endsOnly = false): void {
    for (const view of slotsInUse(this.slots)) {
      if (view.state === ENDED) this.ended(view);
      else if (endsOnly) continue;
      else if (view.state === LIVE && now - view.startMs >= this.config.thresholdMs && markReported(this.slots, view.slot)) this.firstReport(view, now);
      else if (view.state === REPORTED) this.maybeRepeat(view, now);
    }
    if (this.due.length > 0 && !this.capturing) this.reportDue();
  }

  private firstReport(view: SlotView, now: number): void {
    const entry: Reported = {
      id: view.id,
      startMs: view.startMs,
      repeat: 0,
      lastMs: now,
      request: { id: view.id, ...labelled(view.label()), ageMs: now - view.startMs },
      writing: Promise.resolve(),
    };
    this.reported.set(view.slot, entry);
    this.due.push({ entry, repeat: 0 });
  }

  private maybeRepeat(view: SlotView, now: number): void {
    const entry = this.reported.get(view.slot);
    if (!entry || this.config.repeatMs <= 0 || now - entry.lastMs < this.config.repeatMs || this.isDue(entry)) return;
    entry.repeat++;
    entry.lastMs = now;
    this.due.push({ entry, repeat: entry.repeat });
  }

  private ended(view: SlotView): void {
    const entry = this.reported.get(view.slot);
    // Its slow record is not written yet: the end waits for the next scan.
    if (entry && this.isDue(entry)) return;
    this.reported.delete(view.slot);
    if (!entry) return freeEnded(this.slots, view.slot);
    // The slot is free only once the end is read from it.
    const durationMs = view.endMs - view.startMs;
    const status = view.status;
    freeEnded(this.slots, view.slot);
    this.track(
      entry.writing.then(() =>
        this.sink.slowEnd({ slow: { ...entry.request, ageMs: durationMs }, durationMs, ...(status > 0 ? { status } : { aborted: true }) }),
      ),
    );
  }

  /** Requests that turned slow together share one capture: one stop of the main thread, and none waits behind another's. */
  private reportDue(): void {
    const batch = this.due.splice(0);
    this.capturing = true;
    const written = this.track(
      this.captureNow().then((sample) => {
        for (const { entry, repeat } of batch) this.write(entry, repeat, sample);
      }),
    ).finally(() => {
      this.capturing = false;
      if (this.due.length > 0) this.reportDue();
    });
    for (const { entry } of batch) entry.writing = written;
  }

  private isDue(entry: Reported): boolean {
    return this.due.some((item) => item.entry === entry);
  }

  private write(entry: Reported, repeat: number, sample: CapturedSample): void {
    const listed = sample.inFlight?.server.find((request) => request.id === entry.id);
    // The chain it is suspended in is this capture's alone (--async-stacks): a later record or its end never repeats it.
    const { awaiting, ...request } = listed ?? {};
    if (listed) entry.request = request as typeof entry.request;
    const ageMs = listed?.ageMs ?? sample.capturedAt - entry.startMs;
    const waitingOnRequests = (sample.inFlight?.outbound ?? []).filter((outbound) => outbound.parent === entry.id);
    const timers = sample.inFlight?.pending?.Timeout;
    this.sink.slow({
      slow: { ...entry.request, ageMs, ...(awaiting ? { awaiting } : {}) },
      repeat,
      waitingOnRequests,
      ...(timers !== undefined ? { timers } : {}),
      ...sample,
    });
  }

  private async captureNow(): Promise<CapturedSample> {
    try {
      const capture = await this.capturer.capture();
      if (capture.kind === 'sample') return capture.sample;
      return blockedAsItStands(capture, { stack: '    (blocked in a native call)' });
    } catch (error) {
      return failedSample(error);
    }
  }

  private track(work: Promise<void>): Promise<void> {
    const guarded = work.catch(() => {});
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
    return guarded;
  }
}
