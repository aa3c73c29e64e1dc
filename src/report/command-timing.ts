/**
 * The line each attach command and each console command ends with, as PyKdump's
 * "** Execution took": the command's wall time and how long it stopped the
 * program's thread. Shared by dump, record, flags and the monitor console.
 */

export interface CommandTiming {
  /** From the command's start to its answer. */
  wallMs: number;
  /** How long the program's thread was stopped for it; absent when nothing stopped it. */
  stoppedMs?: number;
  /** Whose thread: "main thread" unless a worker's. */
  thread?: string;
}

export function timingLine({ wallMs, stoppedMs, thread = 'main thread' }: CommandTiming): string {
  const stopped = stoppedMs === undefined ? `${thread} not stopped` : `${thread} stopped ${stoppedFigure(stoppedMs)} ms`;
  return ` ** took ${(wallMs / 1000).toFixed(3)} s, ${stopped}`;
}

/** Tenths of a millisecond are what a stop is told in; below that, a stop still shows as one. */
function stoppedFigure(ms: number): string {
  if (ms > 0 && ms < 0.1) return '<0.1';
  return ms.toFixed(1);
}
