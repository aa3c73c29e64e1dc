/**
 * Stack and locals by pausing the main thread: Debugger.enable -> pause -> read
 * -> resume -> Debugger.disable, every sample. Holding the Debugger domain between
 * samples would leave paused functions deoptimised and slow async code down
 * (shared/NOTES-inspector.md), so it is enabled only for the read.
 */
import { debugLog } from '../diagnostics/debug-log';
import { type EventParams, nextEvent, withDeadline } from './cdp';
import { type PausedFrames, type ReadContext, readPausedScopes } from './paused-frames';

const debug = debugLog('capture');

export type PauseOutcome =
  | ({ kind: 'paused'; stoppedMs: number } & PausedFrames)
  /**
   * The main thread stopped answering (a native call) or never ran JS again (idle) before the deadline,
   * or someone else (the program's own debugger session) resumed the pause before its locals were read.
   */
  | { kind: 'missed'; why: 'idle' | 'blocked' | 'resumed' };

export interface PauseContext extends ReadContext {
  timeoutMs: number;
  /** Someone (crash capture) keeps the Debugger domain enabled: do not switch it off. */
  domainHeld: boolean;
  /**
   * A pause tripod asked for did not come in time and may still fire (when an idle thread next runs JS,
   * or a blocked one returns): the next requested pause is that one, and tripod's to resume.
   */
  armed: boolean;
  /** Debugger.resumed events seen: if the count moves while tripod holds a pause, someone else let it go. */
  resumes: number;
  /** Settles once the last missed pause is let go and the domain is off again; the next enable waits for it. */
  released: Promise<unknown>;
  /** Scripts the last answered Debugger.enable replayed (V8 sends them before its answer). */
  replayed?: number;
}

/** Pauses that tripod asked for; exceptions pause with their own reasons. */
export function isRequestedPause(event: EventParams<'Debugger.paused'>): boolean {
  return event.reason === 'other';
}

/**
 * The pauses crash capture asked for: exceptions and rejections V8 expects
 * nothing to catch. Any other exception pause is the program's own debugger's
 * (its pause on caught exceptions): not tripod's to read or resume.
 */
export function isUncaughtPause(event: EventParams<'Debugger.paused'>): boolean {
  const uncaught = (event.data as { uncaught?: unknown } | undefined)?.uncaught === true;
  return (event.reason === 'exception' || event.reason === 'promiseRejection') && uncaught;
}

/**
 * Turns the Debugger domain on ahead of a pause, once the probe found JS
 * running: V8 walks the whole heap when the debugger comes on, so an idle
 * thread is spared it. The pause is sent only when the enable is answered, so
 * the sampler digests the replayed scriptParsed events while the main thread
 * runs on, not while it is paused. Breakpoints go inactive with it: a
 * `debugger;` statement must not stop the program because tripod's domain is on
 * (the program's own debugger, if it has one, keeps its breakpoints).
 */
export function enableDebugger(ctx: PauseContext): Promise<unknown> {
  return ctx.released.then(() => {
    if (ctx.domainHeld) return undefined;
    const asked = debug.enabled ? performance.now() : 0;
    const parsedBefore = ctx.scripts.parsed;
    const enabled = ctx.cdp
      .post('Debugger.enable', {})
      .then(() => void (ctx.replayed = ctx.scripts.parsed - parsedBefore))
      .catch(() => {})
      .then(() => debug.enabled && debug.took(performance.now() - asked, 'Debugger.enable answered (%s scripts replayed)', ctx.replayed));
    void ctx.cdp.post('Debugger.setBreakpointsActive', { active: false }).catch(() => {});
    return enabled;
  });
}

export function disableDebugger(ctx: PauseContext): Promise<unknown> {
  return ctx.domainHeld ? Promise.resolve() : ctx.cdp.post('Debugger.disable').catch(() => {});
}

export async function captureWithPause(ctx: PauseContext, enabled: Promise<unknown>): Promise<PauseOutcome> {
  const { cdp, timeoutMs } = ctx;
  if (!(await withDeadline(enabled, timeoutMs)).answered) {
    // Queued behind the enable (or the previous release): the domain goes off again once the thread answers.
    ctx.released = enabled.then(() => disableDebugger(ctx));
    debug('Debugger.enable not answered within %s ms: blocked', timeoutMs);
    return { kind: 'missed', why: 'blocked' };
  }
  const paused = nextEvent(cdp, 'Debugger.paused', timeoutMs, isRequestedPause);
  const started = performance.now();
  let answered = false;
  void cdp
    .post('Debugger.pause')
    .then(() => (answered = true))
    .catch(() => {});
  const event = await paused.promise;
  if (!event) {
    ctx.armed = true;
    ctx.released = letGoOfArmedPause(ctx);
    debug('pause not reported within %s ms: %s', timeoutMs, answered ? 'idle' : 'blocked');
    return { kind: 'missed', why: answered ? 'idle' : 'blocked' };
  }
  const resumesAtPause = ctx.resumes;
  if (debug.enabled) debug.took(performance.now() - started, 'paused (%s frames)', event.callFrames.length);
  let build: (() => Promise<PausedFrames>) | undefined;
  let failure: unknown;
  try {
    build = await readPausedScopes(ctx, event.callFrames);
  } catch (error) {
    failure = error;
  }
  const resumedElsewhere = ctx.resumes !== resumesAtPause;
  if (debug.enabled) debug.took(performance.now() - started, 'scopes read%s', failure ? ` (failed: ${(failure as Error)?.message})` : '');
  await letGo(ctx, resumedElsewhere);
  const stoppedMs = performance.now() - started;
  debug.took(stoppedMs, 'resumed%s: main thread stopped this long for the pause', resumedElsewhere ? ' (by the program\'s own debugger)' : '');
  // What was read after someone else resumed the thread is not the paused state: none of it is kept.
  if (resumedElsewhere) return { kind: 'missed', why: 'resumed' };
  if (!build) throw failure;
  return { kind: 'paused', ...(await build()), stoppedMs };
}

/**
 * Resumes tripod's pause, then switches the domain off. Debugger.disable alone
 * resumes only when no other session holds the domain: a program with its own
 * debugger (Sentry, Datadog) would stay paused for good. A pause that someone
 * else already resumed is not touched: the thread may by now be in a pause of theirs.
 */
async function letGo(ctx: PauseContext, alreadyResumed: boolean): Promise<void> {
  const resumed = alreadyResumed ? Promise.resolve() : ctx.cdp.post('Debugger.resume').catch(() => {});
  void disableDebugger(ctx);
  await resumed;
}

/**
 * A pause that did not come in time stays armed, whoever else holds the domain
 * (Debugger.disable cancels it only for the last session): so run a trivial
 * function, in which it fires at the latest and is resumed by the Capturer as an
 * armed pause, and only then switch the domain off. A blocked thread runs all of
 * this, in order, when its call returns.
 */
async function letGoOfArmedPause(ctx: PauseContext): Promise<void> {
  await ctx.cdp.post('Runtime.evaluate', { expression: '(function tripodFlush(){})()', silent: true }).catch(() => {});
  ctx.armed = false;
  await disableDebugger(ctx);
}

/**
 * The first Debugger.enable of a process costs the thread far more than any later
 * one: V8 hashes the source of every loaded script (SHA-256) and counts its lines,
 * once per script, Node's own included (BENCHMARKS.md, "the first read of
 * locals"). Switching the domain on and off while the thread is idle pays that
 * where the program does not feel it. True when it was done.
 */
export async function warmUpDebugger(ctx: PauseContext): Promise<boolean> {
  if (ctx.domainHeld) return true;
  const enabled = enableDebugger(ctx);
  if (!(await withDeadline(enabled, ctx.timeoutMs)).answered) {
    ctx.released = enabled.then(() => disableDebugger(ctx));
    return false;
  }
  await disableDebugger(ctx);
  return true;
}
