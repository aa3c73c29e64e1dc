/**
 * One attach–use–detach cycle: whatever happens while attached (an error, the
 * target exiting, Ctrl-C), the workers are let go and the inspector closed.
 */
import { UserError } from '../errors';
import { type AttachOptions, type Attachment, attach } from './attachment';
import { ConnectionClosed } from '../capture/cdp-connection';
import { ProbeInstallFailed } from '../capture/probe-install';
import { ATTACH_EXIT } from './exit-codes';
import { exitedError, isAlive } from './target-process';
import { TargetThreads } from '../threads/target-threads';

export interface AttachedProcess {
  attachment: Attachment;
  threads: TargetThreads;
  /** Settles once the main thread has listed the workers (false: it could not). */
  listed: Promise<boolean>;
  /** Set by the user when the main thread did not answer: detaching then leaves the closing to the target's queue. */
  mainBlocked: boolean;
}

/** A process that refuses connections may be half way through exiting. */
export const EXITING_WAIT_MS = 500;

export async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (isAlive(pid)) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/**
 * Whatever fails once the target is gone failed because it went; a lost connection to a live one is said in one line.
 * `longLived` (record, monitor): a session through SIGUSR1 moves to the relay's 0600 socket and the port closes within 1 s.
 */
export function withAttached<T>(
  pid: number,
  timeoutMs: number,
  use: (target: AttachedProcess) => Promise<T>,
  abort?: AbortSignal,
  options: AttachOptions = {},
): Promise<T> {
  return attachAndUse(pid, timeoutMs, use, abort, options).catch(async (error: unknown) => {
    if (error instanceof UserError || error instanceof Interrupted) throw error;
    if (await exitsWithin(pid, EXITING_WAIT_MS)) throw exitedError(pid);
    if (isConnectionError(error)) {
      throw new UserError(
        `tripod: the connection to the inspector of process ${pid} failed (${(error as Error).message}); nothing was left open — retry`,
        ATTACH_EXIT.inspectorUnavailable,
      );
    }
    throw error;
  });
}

/** The probe could not be installed without running the program's code: the agent installs it before the program's first line. */
function probeRefused(pid: number, error: ProbeInstallFailed, throughAgent: boolean): UserError {
  const fix = throughAgent
    ? "the agent's probe cannot be found either (the program replaced Object.getOwnPropertyDescriptor): run the program under tripod (tripod script.js) to sample it"
    : 'start the program with --require tripod/agent to dump it';
  return new UserError(`tripod: the stack probe cannot be installed in process ${pid} without running its code (${error.why}); nothing was run — ${fix}`, ATTACH_EXIT.inspectorUnavailable);
}

/** A socket error (ECONNREFUSED, ECONNRESET…), an answer that is not the inspector's JSON, a WebSocket handshake that failed, or a session that closed under us. */
function isConnectionError(error: unknown): boolean {
  if (error instanceof ConnectionClosed) return true;
  const { syscall, message } = (error ?? {}) as { syscall?: string; message?: string };
  return syscall !== undefined || error instanceof SyntaxError || /handshake|Unexpected server response|socket hang up|no debuggable target|no answer from/.test(message ?? '');
}

async function attachAndUse<T>(pid: number, timeoutMs: number, use: (target: AttachedProcess) => Promise<T>, abort: AbortSignal | undefined, options: AttachOptions): Promise<T> {
  const attachment = await attach(pid, Math.max(timeoutMs, 1000), options);
  const threads = new TargetThreads(attachment.main);
  const target: AttachedProcess = { attachment, threads, listed: threads.start().then(() => true, () => false), mainBlocked: false };
  try {
    return await untilAborted(use(target), abort);
  } catch (error) {
    if (error instanceof ProbeInstallFailed) throw probeRefused(pid, error, attachment.route === 'agent');
    throw error;
  } finally {
    await threads.stop();
    await attachment.detach(!target.mainBlocked);
  }
}

/** `work`, unless `abort` fires first (the work is then abandoned, and detaching starts at once). */
function untilAborted<T>(work: Promise<T>, abort?: AbortSignal): Promise<T> {
  if (!abort) return work;
  if (abort.aborted) return Promise.reject(new Interrupted());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
    abort.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => abort.removeEventListener('abort', onAbort));
  });
}
