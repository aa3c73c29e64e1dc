/**
 * The run's records the main thread writes itself. The start record, at
 * 'begin': a process killed before its sampler worker booted (some 20–45 ms for
 * Node to boot one, tripod's modules more, hundreds of ms on a loaded machine)
 * still leaves it. And the end record of a program that ended before the worker
 * took the run: the process then exits without waiting for the worker, a wait
 * that was most of what tripod added to a short script's start-up (BENCHMARKS.md,
 * "startup"). Loaded before the program runs and built only from what was
 * captured then, since the end is written at its exit.
 */
import { startHeader } from '../log/header';
import { PINO_INFO, pinoLine } from '../log/pino-line';
import { logFailedLine, RecordWriter } from '../log/record-writer';
import type { EndInfo } from '../record/records';
import { type SamplerData, type SamplerTarget, runHeader } from './worker-protocol';
import { sayOnStderr } from './stderr-line';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('log');

/** What the main thread keeps from 'begin' to write the run's records: the start's line is made then. */
export interface UnbegunRun {
  fd: number;
  logPath: string;
  /** Read at 'begin': at the exit, `process.pid` may be a getter of the program's. */
  pid: number;
  startLine: string;
  /** The start record is in the log (written at 'begin'). */
  startWritten: boolean;
}

export function unbegunRun(data: SamplerData, target: SamplerTarget): UnbegunRun {
  const { pid } = process;
  const startLine = pinoLine(PINO_INFO, pid, { event: 'start', ...startHeader(runHeader(data, target)) }, 'start');
  return { fd: target.fd, logPath: target.logPath, pid, startLine, startWritten: false };
}

/**
 * Writes the start record now; false if the write failed (a full disk): then the worker writes it, or the
 * end below, and that writer says the failure once.
 */
export function writeRunStart(run: UnbegunRun): boolean {
  let failed = false;
  new RecordWriter(run.fd, () => (failed = true)).write(run.startLine);
  run.startWritten = !failed;
  return run.startWritten;
}

/**
 * Whether the end can be written here: an error's message is the program's text, which the worker
 * redacts (with string methods the program may have replaced by now); a --children top process counts
 * the log's processes first. Those wait for the worker, as every run did.
 */
export function endsWithoutWorker(end: EndInfo, target: SamplerTarget): boolean {
  return !end.error && !target.census;
}

/** The end record (and the start, if its write failed), in one write; a failed write is said once, and the program ends as it would. */
export function writeUnbegunRun(run: UnbegunRun, end: EndInfo): void {
  const endLine = pinoLine(PINO_INFO, run.pid, { event: 'end', ...end, samples: 0 }, 'end');
  const lines = run.startWritten ? endLine : run.startLine + endLine;
  new RecordWriter(run.fd, (failure) => sayOnStderr(logFailedLine(run.logPath, failure))).write(lines, run.startWritten ? 1 : 2);
  debug('the program ended before the sampler worker began: its end record written by the main thread');
}
