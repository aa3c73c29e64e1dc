/**
 * An eval or exec run outside any inspector dispatch, so that it can be
 * stopped while it runs. Node's inspector dispatches one message at a time on
 * the program's thread: code run inside a Runtime.evaluate holds every later
 * message (a Runtime.terminateExecution too) behind it. So the code is started
 * in a task of its own instead: V8's timer of `Atomics.waitAsync` (1 ms) settles
 * a promise in a platform task, whose microtask checkpoint holds nothing of the
 * program's, and the code runs in that checkpoint, awaited by Runtime.awaitPromise
 * semantics (callFunctionOn with awaitPromise: its dispatch ends at once).
 * There it runs through node:vm's runInThisContext with the deadline as its
 * `timeout`: Node's watchdog, a thread of the target's own, stops it even when
 * tripod is gone, and Node cancels that termination inside the call (the
 * program's microtasks are untouched); the run says so by its answer.
 *
 * Stopping it (Ctrl-C, or --eval-timeout) pauses the thread first and looks at
 * the paused frames: only when the code's own frame is on the stack is
 * Runtime.terminateExecution sent, before the resume, so the termination can
 * land in nothing but that code. A termination that hit the program's own code
 * (a timer's or an immediate's callback) would abort the process ("async hook
 * stack has become corrupted", measured on Node 20 and 24), and one that ended a
 * checkpoint holding the program's microtasks would drop them (V8 empties the
 * queue): the clean checkpoint and the pause rule both out.
 */
import { randomBytes } from 'node:crypto';
import type { CdpClient, EventParams } from '../capture/cdp';
import { withDeadline } from '../capture/cdp';
import { globalProperties, nativeIn } from '../capture/node-internals';
import { nativeMember } from '../attach/loop-turn';
import type { MonitorSession } from './session';

/** The natives that start a run in a task of its own, verified by V8's descriptions (the program may have replaced the globals). */
interface TaskNatives {
  waitAsync: string;
  int32Array: string;
  sharedArrayBuffer: string;
}

/** What the run's code hands back, or why it failed or was stopped. */
export type RunEnd =
  | { kind: 'answered'; value: unknown; wallMs: number }
  | { kind: 'refused'; message: string }
  | { kind: 'stopped'; by: 'cancel' | 'deadline'; wallMs: number }
  | { kind: 'given up'; by: 'cancel' | 'late'; why: 'not running' | 'no answer'; wallMs: number };

/** Arms V8's own 1 ms timer: `this` is the verified Atomics.waitAsync. The promise it returns settles in a platform task. */
const ARM = 'function tripodEvalTask(Int32Array, SharedArrayBuffer) { return this(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1).value; }';
/** A thread that runs JS pauses within a few ms (shared/NOTES-inspector.md); past this the code is not running. */
const PAUSE_WAIT_MS = 250;
const FLUSH = '(function tripodFlush(){})()';

const natives = new WeakMap<CdpClient, Promise<TaskNatives | undefined>>();

/** The natives of a thread, looked up once per session and thread; undefined where they cannot be verified. */
export function taskNatives(client: CdpClient): Promise<TaskNatives | undefined> {
  let found = natives.get(client);
  if (!found) {
    found = findNatives(client).catch(() => undefined);
    natives.set(client, found);
  }
  return found;
}

async function findNatives(client: CdpClient): Promise<TaskNatives | undefined> {
  const globals = await globalProperties(client);
  const waitAsync = await nativeMember(client, globals, 'Atomics', 'waitAsync');
  const int32Array = nativeIn(globals, 'Int32Array');
  const sharedArrayBuffer = nativeIn(globals, 'SharedArrayBuffer');
  return waitAsync && int32Array && sharedArrayBuffer ? { waitAsync, int32Array, sharedArrayBuffer } : undefined;
}

export interface RunRequest {
  /** A sloppy-mode function's source, called with `args` (JSON values); `NAME` in it is replaced by the run's own frame name. */
  fn: string;
  /** An async function's source that turns what `fn` returned into the answer (awaits a promise it hands back). */
  settle: string;
  args: unknown[];
  limitMs: number;
  cancel?: AbortSignal;
}

/**
 * Runs in the target, `this` the promise of V8's timer: once it settled, the
 * script runs under vm's watchdog. A timeout comes back as an answer.
 */
const inTask = (settle: string) => `function (script, limitMs) {
  const waited = this;
  const settle = ${settle};
  return (async () => {
    await waited;
    const started = performance.now();
    let ran;
    try {
      ran = process.getBuiltinModule('node:vm').runInThisContext(script, { timeout: limitMs, displayErrors: false });
    } catch (error) {
      if (error && error.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { timedOut: true, ms: performance.now() - started };
      throw error;
    }
    return await settle(ran);
  })();
}`;

/**
 * Runs `request.fn` in a task of its own and waits for its answer, its deadline,
 * or Ctrl-C. The promise from waitAsync is held by tripod's object group (V8
 * holds such a promise only weakly: collected, it would never settle).
 */
export async function runInTask(session: MonitorSession, found: TaskNatives, request: RunRequest): Promise<RunEnd> {
  const client = session.thread.client;
  const token = randomBytes(6).toString('hex');
  const group = `tripod-eval-${token}`;
  const frame = `__tripodEval_${token}`;
  const started = performance.now();
  const armed = (await session.answer(
    client.post('Runtime.callFunctionOn', {
      objectId: found.waitAsync,
      functionDeclaration: ARM,
      arguments: [{ objectId: found.int32Array }, { objectId: found.sharedArrayBuffer }],
      objectGroup: group,
      silent: true,
    }),
    'eval',
  )) as { result: { subtype?: string; objectId?: string }; exceptionDetails?: unknown };
  try {
    if (armed.exceptionDetails || armed.result.subtype !== 'promise' || !armed.result.objectId) return { kind: 'refused', message: 'V8 gave no task to run it in' };
    const call = client
      .post('Runtime.callFunctionOn', {
        objectId: armed.result.objectId,
        functionDeclaration: inTask(request.settle),
        arguments: [{ value: `(${request.fn.replace('NAME', frame)})(${request.args.map((arg) => JSON.stringify(arg)).join(', ')})` }, { value: request.limitMs }],
        awaitPromise: true,
        returnByValue: true,
        objectGroup: group,
        silent: true,
      })
      .then((answer) => ({ answer }), (error: Error) => ({ failed: error }));
    return await awaitEnd(session, call, frame, started, request);
  } finally {
    void client.post('Runtime.releaseObjectGroup', { objectGroup: group }).catch(() => {});
  }
}

type CallEnd = { answer: { result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } } } | { failed: Error };

/** The run's answer, or what Ctrl-C or --eval-timeout plus --timeout made of it. */
async function awaitEnd(session: MonitorSession, call: Promise<CallEnd>, frame: string, started: number, request: RunRequest): Promise<RunEnd> {
  const { limitMs, cancel } = request;
  const lateMs = limitMs + session.config.timeoutMs;
  let lateTimer: NodeJS.Timeout | undefined;
  let onCancel = () => {};
  const late = new Promise<'late'>((resolve) => (lateTimer = setTimeout(() => resolve('late'), lateMs)));
  const cancelled = new Promise<'cancel'>((resolve) => {
    onCancel = () => resolve('cancel');
    if (cancel?.aborted) resolve('cancel');
    cancel?.addEventListener('abort', onCancel, { once: true });
  });
  try {
    const first = await Promise.race([call, cancelled, late]);
    const wallMs = () => performance.now() - started;
    if (first === 'late') return { kind: 'given up', by: 'late', why: 'no answer', wallMs: wallMs() };
    if (first !== 'cancel') return answered(session, first, wallMs());
    const stop = await stopIfRunning(session.thread.client, frame, session.config.timeoutMs);
    // The code may have ended meanwhile: its answer wins.
    const ended = await withDeadline(call, 0);
    if (ended.answered && 'answer' in ended.value) return answered(session, ended.value, wallMs());
    if (stop !== 'stopped') return { kind: 'given up', by: 'cancel', why: stop, wallMs: wallMs() };
    session.answered();
    return { kind: 'stopped', by: 'cancel', wallMs: wallMs() };
  } finally {
    clearTimeout(lateTimer);
    cancel?.removeEventListener('abort', onCancel);
  }
}

function answered(session: MonitorSession, end: CallEnd, wallMs: number): RunEnd {
  session.answered();
  if ('failed' in end) return { kind: 'refused', message: `the inspector refused it (${end.failed.message})` };
  const { answer } = end;
  if (answer.exceptionDetails) return { kind: 'refused', message: answer.exceptionDetails.exception?.description?.split('\n')[0] ?? answer.exceptionDetails.text };
  const value = answer.result.value as { timedOut?: boolean; ms?: number } | undefined;
  if (value?.timedOut === true) return { kind: 'stopped', by: 'deadline', wallMs: value.ms ?? wallMs };
  return { kind: 'answered', value, wallMs };
}

/**
 * Pauses the thread and, when `frame` is on its stack, terminates the run
 * before resuming; every other pause is resumed untouched. A pause that does
 * not come (the code awaits, the thread idles) stays armed, so it is fired in a
 * trivial function and resumed before the domain goes off. The Debugger domain
 * is on only for this.
 */
async function stopIfRunning(client: CdpClient, frame: string, waitMs: number): Promise<'stopped' | 'not running' | 'no answer'> {
  let terminated: Promise<unknown> | undefined;
  let seen = () => {};
  const pausedOnce = new Promise<void>((resolve) => (seen = resolve));
  const onPaused = (event: EventParams<'Debugger.paused'>) => {
    if (event.reason !== 'other') return;
    // Sent before the resume, so V8 has it while the thread is still in the run's frame.
    if (!terminated && event.callFrames.some((callFrame) => callFrame.functionName === frame)) terminated = client.post('Runtime.terminateExecution').catch(() => {});
    void client.post('Debugger.resume').catch(() => {});
    seen();
  };
  client.on('Debugger.paused', onPaused);
  const enabled = client.post('Debugger.enable', {}).catch(() => {});
  void client.post('Debugger.setBreakpointsActive', { active: false }).catch(() => {});
  let done: Promise<unknown> = enabled;
  try {
    // A thread in a native call answers nothing: the domain goes off again once it does (the disable below waits in line).
    if (!(await withDeadline(enabled, waitMs)).answered) return 'no answer';
    void client.post('Debugger.pause').catch(() => {});
    if (!(await withDeadline(pausedOnce, Math.min(waitMs, PAUSE_WAIT_MS))).answered) {
      // Armed and not fired: fire it where it harms nothing; onPaused resumes it.
      done = client.post('Runtime.evaluate', { expression: FLUSH, silent: true }).catch(() => {});
      await withDeadline(done, waitMs);
    }
    if (terminated) await withDeadline(terminated, waitMs);
    return terminated ? 'stopped' : 'not running';
  } finally {
    void client.post('Debugger.disable').catch(() => {});
    void done.then(() => client.off('Debugger.paused', onPaused));
  }
}
