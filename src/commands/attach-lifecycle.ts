/**
 * What every command that attaches to a running process does around its work:
 * a signal detaches cleanly, an interruption is one line, and the timing line
 * (wall time, the main thread stopped) ends it on stderr.
 */
import { UserError } from '../errors';

/** Ctrl-C (or a polite kill) detaches cleanly instead of leaving the target's inspector open. */
export function abortOnSignals(): AbortController {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => controller.abort());
  return controller;
}

export function interruptedAsUserError(pid: number) {
  return (error: unknown): never => {
    if ((error as Error)?.name === 'Interrupted') throw new UserError(`tripod: interrupted; process ${pid} was let go as it was`, 130);
    throw error;
  };
}

/** The line every attach command ends with, on stderr. */
export async function timing(startedAt: number, stoppedMs: number | undefined): Promise<void> {
  const { timingLine } = await import('../report/command-timing');
  process.stderr.write(`${timingLine({ wallMs: performance.now() - startedAt, stoppedMs })}\n`);
}
