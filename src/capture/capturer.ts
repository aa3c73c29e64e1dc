/**
 * One sample of the main thread: probe first (cheap, never leaves anything
 * armed), then pause for locals only when JS is running. The main thread's state
 * decides the sample's: running, idle in the event loop, or blocked in native code.
 */
import type { CaptureLimits } from '../config';
import type { Frame, NativeWait, Sample } from '../sample/types';
import { type CdpClient, type EventParams, withDeadline } from './cdp';
import { isTripodFrame, stackText, visibleFrames } from './frames';
import { LocalsBudget } from './locals-budget';
import { isAsleepInKernel, nativeWait } from './native-wait';
import { captureWithPause, enableDebugger, isRequestedPause, type PauseContext, readPausedFrames } from './pause';
import { type ProbeAnswer, StackProbe } from './probe';
import { secretNameTest } from './redact';
import { ScriptTable } from './scripts';
import { SourceCache } from './sources';

/** A probe answered later than this, by a thread seen asleep in the kernel meanwhile, found it in a native call. */
const SLOW_ANSWER_MS = 50;

/** Frames the probe describes beyond --max-frames at the top (tripod's own, to be hidden) and at the bottom (tripod's launcher, Node's loader). */
const HIDDEN_FRAME_ALLOWANCE = 40;

export type Capture =
  | { kind: 'sample'; sample: Omit<Sample, 'seq'> }
  /** The main thread did not answer in time; `late` settles when it does. */
  | { kind: 'blocked'; started: number; native?: NativeWait; late: Promise<Omit<Sample, 'seq'>> };

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
}

/** Called while the main thread is paused at an exception; the thread resumes when it settles. */
export type ExceptionHandler = (event: EventParams<'Debugger.paused'>, frames: Frame[]) => void;

export class Capturer {
  private readonly scripts: ScriptTable;
  private readonly sources = new SourceCache();
  private readonly probe: StackProbe;
  private readonly pause: PauseContext;
  private expectingPause = false;
  private queue: Promise<unknown> = Promise.resolve();
  private onException?: ExceptionHandler;
  private readonly slowAnswerMs: number;
  private readonly onMainThread: boolean;
  private readonly budget?: LocalsBudget;

  constructor(
    private readonly cdp: CdpClient,
    private readonly options: CapturerOptions,
  ) {
    this.scripts = new ScriptTable(cdp);
    this.slowAnswerMs = options.slowAnswerMs ?? SLOW_ANSWER_MS;
    this.onMainThread = options.mainThread !== false;
    this.probe = new StackProbe(cdp, options.limits.maxFrames + HIDDEN_FRAME_ALLOWANCE, HIDDEN_FRAME_ALLOWANCE);
    if (options.localsBudget !== undefined && options.limits.locals) this.budget = new LocalsBudget(options.localsBudget);
    this.pause = {
      cdp,
      scripts: this.scripts,
      sources: this.sources,
      limits: options.limits,
      isSecret: secretNameTest(options.limits.redactKeys),
      timeoutMs: options.timeoutMs,
      domainHeld: Boolean(options.holdDebugger),
    };
    cdp.on('Debugger.paused', this.onPaused);
  }

  /** Receives pauses at exceptions (with the domain held and pause-on-exceptions set). */
  handleExceptions(handler: ExceptionHandler): void {
    this.onException = handler;
  }

  dispose(): void {
    this.cdp.off('Debugger.paused', this.onPaused);
    this.scripts.dispose();
  }

  /**
   * One capture at a time: two pauses must never interleave. `stalled` says the
   * event loop is known to be away (the watchdog), so a main thread asleep in a
   * syscall is blocked in native code, not idle, and is reported at once; a
   * stall's locals are read whatever the budget (their cost still counts).
   */
  capture(stalled = false): Promise<Capture> {
    const next = this.queue.then(() => this.captureNow(stalled));
    this.queue = next.catch(() => {});
    return next;
  }

  private async captureNow(stalled: boolean): Promise<Capture> {
    const time = Date.now();
    const started = performance.now();
    const probing = this.probe.run();
    const asleep = stalled && this.onMainThread && isAsleepInKernel(this.options.pid);
    // Whether the thread slept in the kernel while the probe waited: a late answer then means a native call,
    // not a machine too busy to schedule it. /proc shows that for the main thread only.
    let sleptInKernel = false;
    const peek = this.onMainThread ? setTimeout(() => (sleptInKernel = isAsleepInKernel(this.options.pid)), this.slowAnswerMs / 2) : undefined;
    const probed = asleep ? { answered: false as const, late: probing } : await withDeadline(probing, this.options.timeoutMs);
    clearTimeout(peek);
    if (!probed.answered) {
      const native = this.onMainThread ? nativeWait(this.options.pid) : undefined;
      return { kind: 'blocked', started: time, native, late: probed.late.then((answer) => this.blockedSample(time, started, answer, native)) };
    }
    const probeMs = elapsed(started);
    // JS answers within milliseconds; a late answer from a thread seen asleep means it was in native code until now.
    if (probeMs >= this.slowAnswerMs && sleptInKernel) {
      return { kind: 'sample', sample: this.blockedSample(time, started, probed.value, undefined) };
    }
    return { kind: 'sample', sample: await this.sampleFrom(probed.value, time, started, probeMs, stalled) };
  }

  /** `probeMs` counts toward the stop: the probe ran on the main thread too. */
  private async sampleFrom(answer: ProbeAnswer, time: number, started: number, probeMs: number, stalled: boolean): Promise<Omit<Sample, 'seq'>> {
    // Only tripod's own code on the stack (its agent, its heartbeat): the program itself is idle.
    if (!answer.frames.some((frame) => !isTripodFrame(frame.url))) {
      return { capturedAt: time, state: 'idle', stoppedMs: 0, captureMs: elapsed(started), waitingOn: answer.waitingOn, frames: [], stack: '    (idle: waiting in the event loop)' };
    }
    const { frames, moreFrames, deep } = this.probeFrames(answer);
    const skipped = this.whyNoLocals(deep, stalled);
    if (skipped) return this.runningSample(time, started, frames, moreFrames, probeMs, skipped);
    // Enabled only now that the thread is known to run JS: Debugger.enable walks the heap, and an idle thread is not paused.
    const enabling = performance.now();
    let enableMs = 0;
    const enabled = enableDebugger(this.pause).then(() => (enableMs = performance.now() - enabling));
    this.expectingPause = true;
    const outcome = await captureWithPause(this.pause, enabled).finally(() => (this.expectingPause = false));
    this.budget?.spend(enableMs + (outcome.kind === 'paused' ? outcome.stoppedMs : 0));
    if (outcome.kind === 'paused') return this.runningSample(time, started, outcome.frames, outcome.moreFrames, probeMs + enableMs + outcome.stoppedMs);
    const why = outcome.why === 'idle' ? 'the main thread went idle before it could be paused' : 'the main thread entered a native call before it could be paused';
    return this.runningSample(time, started, frames, moreFrames, probeMs, why);
  }

  /** Why this running sample goes without locals; undefined when it reads them. */
  private whyNoLocals(deep: boolean, stalled: boolean): string | undefined {
    if (!this.options.limits.locals) return 'turned off (--no-locals)';
    if (deep) return `stack deeper than --max-frames ${this.options.limits.maxFrames}`;
    if (this.budget && !this.budget.allows() && !stalled) return this.budget.refusal();
    return undefined;
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

  private runningSample(time: number, started: number, frames: Frame[], moreFrames: number, stoppedMs: number, localsSkipped?: string): Omit<Sample, 'seq'> {
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
  private blockedSample(time: number, started: number, answer: ProbeAnswer, native: NativeWait | undefined): Omit<Sample, 'seq'> {
    const { frames, moreFrames } = this.probeFrames(answer);
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

  private readonly onPaused = (event: EventParams<'Debugger.paused'>) => {
    if (!isRequestedPause(event)) void this.exceptionPause(event);
    else if (!this.expectingPause) this.resumeStray();
  };

  private async exceptionPause(event: EventParams<'Debugger.paused'>): Promise<void> {
    try {
      if (this.onException) this.onException(event, (await readPausedFrames(this.pause, event.callFrames)).frames);
    } finally {
      await this.cdp.post('Debugger.resume').catch(() => {});
    }
  }

  /** A pause nobody waits for must never hold the target: resume it at once. */
  private resumeStray(): void {
    void this.cdp.post('Debugger.resume').catch(() => {});
    if (!this.pause.domainHeld) void this.cdp.post('Debugger.disable').catch(() => {});
  }
}

/**
 * The frames a person sees from the top of the probed stack, and how many there
 * are in all. A stack deeper than what the probe described is counted from its
 * total: hidden frames sit at the top (tripod's own) and the bottom (its launcher,
 * Node's loader), both of which the probe described.
 */
function visibleStack(answer: ProbeAnswer): { top: Frame[]; count: number } {
  const described = answer.frames.length + answer.tail.length;
  if (described >= answer.total) {
    const visible = visibleFrames([...answer.frames, ...answer.tail]);
    return { top: visible, count: visible.length };
  }
  const top = answer.frames.filter((frame) => !isTripodFrame(frame.url));
  const hiddenAtBottom = answer.tail.length - visibleFrames(answer.tail).length;
  return { top, count: answer.total - (answer.frames.length - top.length) - hiddenAtBottom };
}

/** A blocked sample for a thread still blocked when tripod stops. */
export function stillBlockedSample(capture: Extract<Capture, { kind: 'blocked' }>): Omit<Sample, 'seq'> {
  const blockedMs = Date.now() - capture.started;
  return {
    capturedAt: capture.started,
    state: 'blocked',
    stoppedMs: 0,
    captureMs: blockedMs,
    blockedMs,
    stillBlocked: true,
    ...(capture.native ? { native: capture.native } : {}),
    frames: [],
    stack: '    (blocked in a native call)',
  };
}

function elapsed(since: number): number {
  return round(performance.now() - since);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
