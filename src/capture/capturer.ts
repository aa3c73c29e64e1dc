/**
 * One sample of the main thread: probe first (cheap, never leaves anything
 * armed), then pause for locals only when JS is running. The main thread's state
 * decides the sample's: running, idle in the event loop, or blocked in native code.
 */
import type { CaptureLimits } from '../config';
import type { CapturedSample, Frame, NativeWait } from '../record/sample';
import type { InFlight } from '../record/requests';

export type { Capture } from './unanswered';
import { type CdpClient, type Deadline, type EventParams, withDeadline } from './cdp';
import { isTripodFrame, visibleStack } from './frames';
import { forgetFreshRealm } from './fresh-realm';
import { stackText } from '../frames/frame-text';
import { LocalsBudget } from './locals-budget';
import { isAsleepInKernel, nativeCallStart, nativeWait } from './native-wait';
import { captureWithPause, enableDebugger, isRequestedPause, isUncaughtPause, type PauseContext, warmUpDebugger } from './pause';
import { prepareReader, readPausedFrames } from './paused-frames';
import { callerOfNativeCall, type ProbeAnswer, StackProbe } from './probe';
import { PROBE_HOLDER } from './probe-context';
import { secretNameTest } from './redact';
import { ScriptPile } from './script-pile';
import { ScriptTable } from './scripts';
import { SourceCache } from './sources';
import { framesWithinCeiling, withinRecordCeiling } from './record-ceiling';
import type { Capture } from './unanswered';
import type { SessionLease } from './capture-session';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('capture');

/** A probe answered later than this, by a thread seen asleep in the kernel meanwhile, found it in a native call. */
const SLOW_ANSWER_MS = 50;
/**
 * How long the probe's first install in a process tripod did not start may take
 * (probe-install.ts: some fifteen round trips, each relayed through the main
 * thread for a worker) before the sample's own --timeout starts: a thread that
 * does not answer by then is probed, and found blocked, as before. Once the
 * holder is known to be there this costs nothing.
 */
const PROBE_INSTALL_MS = 2000;

/** How long past --timeout a main thread seen running in user space may take to answer the probe before it is called blocked. */
const RUNNING_GRACE_MS = 250;

/** Frames the probe describes beyond --max-frames at the top (tripod's own, to be hidden) and at the bottom (tripod's launcher, Node's loader). */
const HIDDEN_FRAME_ALLOWANCE = 40;

/** Why a sample that meant to read locals has none. */
const MISSED_PAUSE = {
  idle: 'went idle before it could be paused',
  blocked: 'entered a native call before it could be paused',
  resumed: "the program's own debugger resumed the pause before locals were read",
} as const;

export interface CapturerOptions {
  timeoutMs: number;
  limits: CaptureLimits;
  pid?: number;
  /** False for a worker thread: /proc describes only the main thread's native wait by pid, not a worker's. */
  mainThread?: boolean;
  /** A probe answered later than this found the thread outside JS (default SLOW_ANSWER_MS); relayed sessions need more. */
  slowAnswerMs?: number;
  /** Keep the Debugger domain enabled throughout (crash capture needs it); pauses then skip enable/disable. */
  holdDebugger?: boolean;
  /** Share of the elapsed time reading locals may stop the main thread (--locals-budget); undefined: no limit. */
  localsBudget?: number;
  /** A session connected only while a capture holds it (see capture-session.ts); undefined: always connected. */
  lease?: SessionLease;
  /** Where tripod keeps no request table (record --requests PID): what else says which requests are in flight. */
  requests?: RequestReader;
  /**
   * The probe's holder was installed in the thread before the program's first line (the runner's main thread,
   * a followed child's): nothing to look for, so a first sample of a thread blocked in a native call is not held
   * up by reads it cannot answer.
   */
  holderInstalled?: boolean;
}

/** The requests in flight of a process without tripod's table, read after each sample its thread answered. */
export interface RequestReader {
  read(): Promise<InFlight | undefined>;
  dispose(): void;
}

/** Called while the main thread is paused at an exception; the thread resumes when it settles. `moreFrames`: those beyond --max-frames. */
export type ExceptionHandler = (event: EventParams<'Debugger.paused'>, frames: Frame[], moreFrames: number) => void | Promise<void>;

export class Capturer {
  private readonly scripts: ScriptTable;
  private readonly sources = new SourceCache();
  private readonly probe: StackProbe;
  private readonly pause: PauseContext;
  private queue: Promise<unknown> = Promise.resolve();
  private onException?: ExceptionHandler;
  private readonly slowAnswerMs: number;
  private readonly onMainThread: boolean;
  private readonly budget?: LocalsBudget;
  private readonly pile = new ScriptPile();
  private generation?: number;
  /** The thread has had the Debugger domain on once: V8's one-time work for it is done (warmUpDebugger). */
  private warm = false;

  constructor(
    private readonly cdp: CdpClient,
    private readonly options: CapturerOptions,
  ) {
    this.scripts = new ScriptTable(cdp);
    this.slowAnswerMs = options.slowAnswerMs ?? SLOW_ANSWER_MS;
    this.onMainThread = options.mainThread !== false;
    this.probe = new StackProbe(cdp, options.limits.maxFrames + HIDDEN_FRAME_ALLOWANCE, HIDDEN_FRAME_ALLOWANCE, options.holderInstalled);
    if (options.localsBudget !== undefined && options.limits.locals) this.budget = new LocalsBudget(options.localsBudget);
    this.pause = {
      cdp,
      scripts: this.scripts,
      sources: this.sources,
      limits: options.limits,
      isSecret: secretNameTest(options.limits.redactKeys),
      timeoutMs: options.timeoutMs,
      domainHeld: Boolean(options.holdDebugger),
      armed: false,
      resumes: 0,
      released: Promise.resolve(),
    };
    cdp.on('Debugger.paused', this.onPaused);
    cdp.on('Debugger.resumed', this.onResumed);
  }

  /** Receives pauses at exceptions (with the domain held and pause-on-exceptions set). */
  handleExceptions(handler: ExceptionHandler): void {
    this.onException = handler;
  }

  dispose(): void {
    this.cdp.off('Debugger.paused', this.onPaused);
    this.cdp.off('Debugger.resumed', this.onResumed);
    this.scripts.dispose();
    this.options.requests?.dispose();
  }

  /**
   * One capture at a time: two pauses must never interleave. `stalled` says the
   * event loop is known to be away (the watchdog), so a main thread asleep in a
   * syscall is blocked in native code, not idle, and is reported at once; a
   * stall's locals are read whatever the budget (their cost still counts).
   */
  capture(stalled = false): Promise<Capture> {
    const next = this.queue.then(() => (this.options.lease ? this.captureHeld(this.options.lease, stalled) : this.captureNow(stalled)));
    this.queue = next.catch(() => {});
    return next;
  }

  /** The session stays until the capture is over: a blocked thread's late answer, a missed pause let go. */
  private async captureHeld(lease: SessionLease, stalled: boolean): Promise<Capture> {
    lease.hold();
    if (lease.generation !== this.generation) this.newSession(lease.generation);
    let over: Promise<unknown> = Promise.resolve();
    try {
      const capture = await this.captureNow(stalled);
      over = capture.kind === 'blocked' ? capture.late.catch(() => {}) : Promise.resolve();
      return capture;
    } finally {
      void over.then(() => this.pause.released).finally(() => lease.release());
    }
  }

  /** Object ids of an earlier session mean nothing in this one; a pause it armed was cancelled with it. */
  private newSession(generation: number): void {
    this.generation = generation;
    forgetFreshRealm(this.cdp);
    this.pause.reader = undefined;
    this.pause.armed = false;
    this.pause.released = Promise.resolve();
  }

  private async captureNow(stalled: boolean): Promise<Capture> {
    // When the probe's install ended: a thread asleep in the kernel is probed without waiting for it, and an idle
    // one answers the install's round trips first, which say nothing of how late it answers the probe.
    let preparedAt = 0;
    const preparing = this.probe.prepare().then(
      () => void (preparedAt = performance.now()),
      () => {},
    );
    // A main thread asleep in the kernel answers neither: its probe is timed as before.
    if (!(this.onMainThread && isAsleepInKernel(this.options.pid))) await withDeadline(preparing, PROBE_INSTALL_MS);
    const time = Date.now();
    const started = performance.now();
    const probing = this.probe.run();
    const asleep = stalled && this.onMainThread && isAsleepInKernel(this.options.pid);
    // Whether the thread slept in the kernel while the probe waited: a late answer then means a native call,
    // not a machine too busy to schedule it. /proc shows that for the main thread only.
    // Looked at once the install is over: an idle thread sleeps in the kernel between its round trips too.
    let sleptInKernel = false;
    let peek: NodeJS.Timeout | undefined;
    let over = false;
    if (this.onMainThread) void preparing.then(() => (over ? undefined : (peek = setTimeout(() => (sleptInKernel = isAsleepInKernel(this.options.pid)), this.slowAnswerMs / 2))));
    const probed = asleep ? { answered: false as const, late: probing } : await this.answerWithin(probing, preparing);
    over = true;
    clearTimeout(peek);
    if (!probed.answered) {
      const native = this.onMainThread ? nativeWait(this.options.pid) : undefined;
      const timedOut = native?.syscall === 'running' ? await this.answerWhileRunning(probed.late, time, started) : undefined;
      if (timedOut) return { kind: 'sample', sample: timedOut };
      const since = this.onMainThread ? nativeCallStart(native, started, this.options.pid) : started;
      debug('probe not answered within %s ms: blocked (%s, in %s)', this.options.timeoutMs, this.onMainThread ? 'main' : 'worker', native?.wchan);
      return { kind: 'blocked', started: time, native, late: probed.late.then((answer) => this.blockedSample(time, since, answer, native)) };
    }
    const probeMs = elapsed(Math.max(started, preparedAt));
    debug.took(probeMs, 'probe answered (%s, %s frames)', this.onMainThread ? 'main' : 'worker', probed.value.total);
    // JS answers within milliseconds; a late answer from a thread seen asleep means it was in native code until now.
    if (probeMs >= this.slowAnswerMs && sleptInKernel) {
      return { kind: 'sample', sample: this.blockedSample(time, started, probed.value, undefined) };
    }
    const sample = withRequests(await this.sampleFrom(probed.value, time, started, probeMs, stalled), probed.value);
    return { kind: 'sample', sample: probed.value.requests ? sample : await withRequestsRead(sample, this.options.requests, this.options.timeoutMs) };
  }

  /**
   * The probe's answer within --timeout. Where the install was still going, the
   * deadline starts again once it is over: an idle thread answers the install's
   * round trips first (under load some 300 ms of them), while a blocked one answers
   * none and is timed from the start.
   */
  private async answerWithin(probing: Promise<ProbeAnswer>, preparing: Promise<void>): Promise<Deadline<ProbeAnswer>> {
    const first = await withDeadline(Promise.race([probing.then(() => undefined), preparing]), this.options.timeoutMs);
    if (!first.answered) return { answered: false, late: probing };
    return withDeadline(probing, this.options.timeoutMs);
  }

  /**
   * A main thread in user space (/proc's syscall "running") when --timeout ran out is in no native wait: it
   * ran JS that had not yet taken the probe's interrupt (a --timeout of 1 ms), or CPU-bound native code. The
   * first answers within RUNNING_GRACE_MS, as a stack-only running sample that says the sample timed out;
   * the second stays blocked.
   */
  private async answerWhileRunning(late: Promise<ProbeAnswer>, time: number, started: number): Promise<CapturedSample | undefined> {
    const grace = await withDeadline(late, RUNNING_GRACE_MS);
    if (!grace.answered) return undefined;
    const { frames, moreFrames } = this.probeFrames(grace.value);
    return this.runningSample(time, started, frames, moreFrames, elapsed(started), this.missedPauseReason('blocked'));
  }

  /** `probeMs` counts toward the stop: the probe ran on the main thread too. */
  private async sampleFrom(answer: ProbeAnswer, time: number, started: number, probeMs: number, stalled: boolean): Promise<CapturedSample> {
    // Only tripod's own code on the stack (its agent, its heartbeat): the program itself is idle.
    if (!answer.frames.some((frame) => !isTripodFrame(frame.url))) {
      // Periodic captures only (they carry a budget): a one-shot dump of an idle thread will read nothing later.
      if (!this.warm && this.budget) await this.warmUp();
      return { capturedAt: time, state: 'idle', stoppedMs: 0, captureMs: elapsed(started), waitingOn: answer.waitingOn, frames: [], stack: '    (idle: waiting in the event loop)' };
    }
    const { frames, moreFrames, deep } = this.probeFrames(answer);
    const skipped = this.whyNoLocals(deep, stalled);
    if (skipped) return this.runningSample(time, started, frames, moreFrames, probeMs, skipped);
    // A new session installs the in-target reader now, ahead of the enable: V8 keeps no compilation cache while
    // the debugger is on, so installed during the pause its source would be compiled again every session.
    const reader = prepareReader(this.pause);
    // Enabled only now that the thread is known to run JS: Debugger.enable walks the heap, and an idle thread is not paused.
    const enabling = performance.now();
    let enableMs = 0;
    // The pause waits for the reader's installation too: sent while that evaluation is queued (a held domain needs no
    // enable first), it stops the thread inside tripod's own script, whose answer the read then waits for for good.
    // The enable alone stops the thread; the reader's install is round trips between which it runs on.
    const enabled = Promise.all([enableDebugger(this.pause).then(() => (enableMs = performance.now() - enabling)), reader]);
    const outcome = await captureWithPause(this.pause, enabled);
    this.countReplayed();
    // After a pause only: a thread known to run JS, not one that went idle or into a native call.
    const collectedMs = outcome.kind === 'paused' ? await this.collectPiledScripts() : 0;
    this.budget?.spend(enableMs + (outcome.kind === 'paused' ? outcome.stoppedMs : 0) + collectedMs, !this.warm);
    this.warm = true;
    if (outcome.kind === 'paused') {
      const sample = this.runningSample(time, started, outcome.frames, outcome.moreFrames, probeMs + enableMs + outcome.stoppedMs + collectedMs, outcome.localsSkipped);
      const collected = collectedMs > 0 ? { ...sample, collectedMs: round(collectedMs) } : sample;
      return withinRecordCeiling(outcome.sharedScopes ? { ...collected, sharedScopes: outcome.sharedScopes } : collected);
    }
    return this.runningSample(time, started, frames, moreFrames, probeMs, this.missedPauseReason(outcome.why));
  }

  private countReplayed(): void {
    if (this.pause.replayed !== undefined) this.pile.replayed(this.pause.replayed);
    this.pause.replayed = undefined;
  }

  /**
   * One full collection in the target, once the scripts tripod's reads left have cost its enables as much
   * (script-pile.ts); the main-thread time it took, 0 when none was due. Run after the pause, with the domain
   * off; the holder's collector exists where tripod installed the holder before the program's first line, and
   * is called optionally: a holder without one (a worker's, an attached process's) answers undefined, never a
   * throw, whose description would call the program's Error.prepareStackTrace. The collector times itself.
   */
  private async collectPiledScripts(): Promise<number> {
    if (this.pause.domainHeld || !this.pile.owesEnough) return 0;
    try {
      // The thread runs the program again: one that went into a native call meanwhile is not waited for.
      const heap = this.pile.lastCostMs === undefined ? await withDeadline(this.cdp.post('Runtime.getHeapUsage'), this.options.timeoutMs) : undefined;
      if (heap && !heap.answered) {
        heap.late.catch(() => {});
        return 0;
      }
      if (!this.pile.due(heap?.value.usedSize)) return 0;
      const asked = this.cdp.post('Runtime.evaluate', { expression: `this.${PROBE_HOLDER}?.collect?.()`, returnByValue: true, silent: true });
      const answer = await withDeadline(asked, this.options.timeoutMs);
      if (!answer.answered) {
        answer.late.catch(() => {});
        return 0;
      }
      // Timed in the target: the round trip would count a native call the thread made first as the collection's.
      const tookMs = answer.value.result.value;
      if (typeof tookMs !== 'number') {
        this.pile.cannotCollect();
        return 0;
      }
      debug.took(tookMs, 'full collection: the %s ms the piled scripts cost the enables since the last one', this.pile.debtMs.toFixed(1));
      this.pile.collected(tookMs);
      return tookMs;
    } catch {
      return 0;
    }
  }

  /**
   * While the thread is idle, installs the in-target reader and has the Debugger domain on and off once, so
   * that the first read of locals costs no more than a later one: a program that is idle now and then (a
   * server) never pays V8's one-time work in the middle of its JS.
   */
  private async warmUp(): Promise<void> {
    const started = performance.now();
    await prepareReader(this.pause);
    this.warm = await warmUpDebugger(this.pause);
    debug.took(performance.now() - started, 'debugger warmed up while the thread was idle%s', this.warm ? '' : ' (not answered: tried again later)');
  }

  /**
   * A pause (or the enable before it) that missed --timeout is a native call only if the thread sleeps in the
   * kernel: a main thread still running (state R) ran JS all along, and the timeout was shorter than its answer.
   */
  private missedPauseReason(why: keyof typeof MISSED_PAUSE): string {
    if (why === 'resumed') return MISSED_PAUSE.resumed;
    if (why !== 'blocked' || !this.onMainThread || isAsleepInKernel(this.options.pid)) return `${this.threadWords} ${MISSED_PAUSE[why]}`;
    return `the sample timed out (--timeout ${this.options.timeoutMs / 1000} s) before the main thread answered; it was running JavaScript, not in a native call`;
  }

  /** Why this running sample goes without locals; undefined when it reads them. */
  private whyNoLocals(deep: boolean, stalled: boolean): string | undefined {
    if (!this.options.limits.locals) return 'turned off (--no-locals)';
    if (deep) return `stack deeper than --max-frames ${this.options.limits.maxFrames}`;
    if (this.budget && !this.budget.allows() && !stalled) return this.budget.refusal(this.threadWords);
    return undefined;
  }

  /** How this capturer's thread is named in a sample's notes: a worker's are its own (the record names it). */
  private get threadWords(): string {
    return this.onMainThread ? 'the main thread' : 'the thread';
  }

  private probeFrames(answer: ProbeAnswer): { frames: Frame[]; moreFrames: number; deep: boolean } {
    const { top, count } = visibleStack(answer);
    const kept = top.slice(0, this.options.limits.maxFrames).map((frame) => this.withSource(frame));
    return { frames: kept, moreFrames: count - kept.length, deep: count > kept.length };
  }

  private withSource(frame: Frame): Frame {
    const source = this.sources.line(frame.url, frame.line, this.options.limits.maxString);
    return source === undefined ? frame : { ...frame, source };
  }

  private runningSample(time: number, started: number, frames: Frame[], moreFrames: number, stoppedMs: number, localsSkipped?: string): CapturedSample {
    return {
      capturedAt: time,
      state: 'running',
      stoppedMs: round(stoppedMs),
      captureMs: elapsed(started),
      frames,
      ...(moreFrames > 0 ? { moreFrames } : {}),
      ...(localsSkipped ? { localsSkipped } : {}),
      stack: stackText(frames, moreFrames),
    };
  }

  /** Built when a blocked thread answers: its frames are those that made the native call. */
  private blockedSample(time: number, started: number, answer: ProbeAnswer, native: NativeWait | undefined): CapturedSample {
    const { frames, moreFrames } = this.probeFrames(callerOfNativeCall(answer));
    const blockedMs = elapsed(started);
    return {
      capturedAt: time,
      state: 'blocked',
      stoppedMs: 0,
      captureMs: blockedMs,
      blockedMs,
      ...(native ? { native } : {}),
      frames,
      ...(moreFrames > 0 ? { moreFrames } : {}),
      stack: stackText(frames, moreFrames),
    };
  }

  /**
   * Every pause the domain reports. tripod resumes only its own: the one a sample
   * waits for (captureWithPause takes it), one that was armed and came late, and
   * the uncaught exceptions crash capture asked for. Any other is the program's own
   * debugger's (a breakpoint, a `debugger;` statement, a pause on caught
   * exceptions): tripod neither reads nor resumes it.
   */
  private readonly onPaused = (event: EventParams<'Debugger.paused'>) => {
    if (isRequestedPause(event)) {
      if (!this.pause.armed) return;
      this.pause.armed = false;
      void this.cdp.post('Debugger.resume').catch(() => {});
    } else if (this.onException && isUncaughtPause(event)) void this.exceptionPause(event);
  };

  private readonly onResumed = () => {
    this.pause.resumes++;
  };

  private async exceptionPause(event: EventParams<'Debugger.paused'>): Promise<void> {
    const resumesAtPause = this.pause.resumes;
    let read: { frames: Frame[]; moreFrames: number } | undefined;
    try {
      read = await readPausedFrames(this.pause, event.callFrames);
    } catch {
      // read below without locals
    }
    // A program's own debugger may have let the throw go on already: its locals are gone, its frames are not.
    const resumedElsewhere = this.pause.resumes !== resumesAtPause;
    try {
      if (resumedElsewhere || !read) read = await readPausedFrames({ ...this.pause, limits: { ...this.pause.limits, locals: false } }, event.callFrames);
      await this.onException!(event, framesWithinCeiling(read.frames), read.moreFrames);
    } finally {
      if (!resumedElsewhere) await this.cdp.post('Debugger.resume').catch(() => {});
    }
  }
}

function elapsed(since: number): number {
  return round(performance.now() - since);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * What a reader found in flight (no table of tripod's in the process), on the sample; read once the thread runs
 * again, within --timeout: a thread that went into a native call meanwhile gets its sample without them.
 */
async function withRequestsRead(sample: CapturedSample, reader: RequestReader | undefined, timeoutMs: number): Promise<CapturedSample> {
  if (!reader) return sample;
  const read = await withDeadline(reader.read(), timeoutMs);
  if (!read.answered) read.late.catch(() => {});
  return read.answered && read.value ? { ...sample, inFlight: read.value } : sample;
}

/** What the probe saw in flight (tripod's request table), on the sample it became. */
function withRequests(sample: CapturedSample, answer: ProbeAnswer): CapturedSample {
  if (!answer.requests) return sample;
  const { inFlight, request } = answer.requests;
  return { ...sample, inFlight, ...(request ? { request } : {}) };
}
