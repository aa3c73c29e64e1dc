/**
 * The records of a run the sampler worker never began: a program that ended
 * before the worker had booted (Node takes 20–45 ms to boot one, tripod's
 * modules more). The main thread writes the start and end records itself, as
 * the worker would have, and the process exits without waiting for the worker:
 * that wait was most of what tripod added to a short script's start-up
 * (BENCHMARKS.md, "startup"). Loaded before the program runs and built only from
 * what was captured then, since this runs at its exit.
 */
import { startHeader } from '../log/header';
import { PINO_INFO, pinoLine } from '../log/pino-line';
import { logFailedLine, RecordWriter } from '../log/record-writer';
import type { EndInfo } from '../record/records';
import { type SamplerData, type SamplerTarget, runHeader } from './worker-protocol';
import { sayOnStderr } from './stderr-line';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('log');

const dateNow = Date.now;

/** What the main thread keeps at 'begin' to write the run's records itself: the start's line is made then. */
export interface UnbegunRun {
  fd: number;
  logPath: string;
  startLine: string;
}

export function unbegunRun(data: SamplerData, target: SamplerTarget): UnbegunRun {
  return { fd: target.fd, logPath: target.logPath, startLine: pinoLine(PINO_INFO, process.pid, { event: 'start', ...startHeader(runHeader(data, target)) }, 'start') };
}

/**
 * Whether the end can be written here: an error's message is the program's text, which the worker
 * redacts (with string methods the program may have replaced by now); a --children top process counts
 * the log's processes first. Those wait for the worker, as every run did.
 */
export function endsWithoutWorker(end: EndInfo, target: SamplerTarget): boolean {
  return !end.error && !target.census;
}

/** Both records in one write, so that a log holds both or neither; a failed write is said once, and the program ends as it would. */
export function writeUnbegunRun(run: UnbegunRun, end: EndInfo): void {
  const lines = run.startLine + pinoLine(PINO_INFO, process.pid, { event: 'end', ...end, samples: 0 }, 'end', dateNow());
  new RecordWriter(run.fd, (failure) => sayOnStderr(logFailedLine(run.logPath, failure))).write(lines, 2);
  debug('the program ended before the sampler worker began: its start and end records written by the main thread');
}
