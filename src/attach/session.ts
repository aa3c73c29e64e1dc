/**
 * One attach–use–detach cycle: whatever happens while attached (an error, the
 * target exiting, Ctrl-C), the workers are let go and the inspector closed.
 */
import { withDeadline } from '../capture/cdp';
import { UserError } from '../errors';
import { type Attachment, attach } from './attachment';
import { exitedError, isAlive } from './target-process';
import { TargetThreads } from './threads';

export interface AttachedProcess {
  attachment: Attachment;
  threads: TargetThreads;
  /** False when the main thread, which lists the workers, did not answer in time. */
  workersKnown: boolean;
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** Whatever fails once the target is gone failed because it went. */
export function withAttached<T>(pid: number, timeoutMs: number, use: (target: AttachedProcess) => Promise<T>, abort?: AbortSignal): Promise<T> {
  return attachAndUse(pid, timeoutMs, use, abort).catch((error: unknown) => {
    if (!(error instanceof UserError) && !(error instanceof Interrupted) && !isAlive(pid)) throw exitedError(pid);
    throw error;
  });
}

async function attachAndUse<T>(pid: number, timeoutMs: number, use: (target: AttachedProcess) => Promise<T>, abort?: AbortSignal): Promise<T> {
  const attachment = await attach(pid, Math.max(timeoutMs, 1000));
  const threads = new TargetThreads(attachment.main);
  try {
    const listed = await withDeadline(threads.start().then(() => true, () => false), timeoutMs);
    return await untilAborted(use({ attachment, threads, workersKnown: listed.answered && listed.value }), abort);
  } finally {
    await threads.stop();
    await attachment.detach();
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
