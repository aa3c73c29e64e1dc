/**
 * `tripod show [LOG]`: the log's records for people, rendered through pino-pretty,
 * filtered as report filters (record-filter.ts), from LOG, standard input, or
 * the newest temp log (--last). A log of several processes or threads heads each
 * record with its process and thread (record-origin.ts). Nothing from the log reaches the terminal with a
 * control character in it but the newlines between lines (terminal-text.ts),
 * whoever wrote the log.
 */
import { statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { prettyFactory } from 'pino-pretty';
import { SourceMaps } from '../frames/source-maps';
import type { ShowConfig } from '../config';
import { UserError } from '../errors';
import { type DumpRecord, RECORD_EVENTS } from '../record/records';
import { newestLog } from './logs';
import { openLogInput, readRecords, type ReadStats } from './read-log';
import { RecordFilter } from './record-filter';
import { LogOrigins, type RecordOrigin } from './record-origin';
import { renderDump } from './render-dump';
import { renderRecord } from './render-record';
import { ReportFrames } from './report-frames';
import { terminalSafe } from './terminal-text';

export interface ShowStats extends ReadStats {
  /** Records printed: all of them, or those the filters kept. */
  shown: number;
  /** The log shown, when --last picked it. */
  picked?: string;
}

export async function showLog(config: ShowConfig, stdin: Readable, out: Writable): Promise<ShowStats> {
  const picked = config.last ? await lastLog() : undefined;
  const logPath = picked ?? config.logPath;
  const name = logPath ?? 'standard input';
  const pretty = prettyFactory({
    colorize: config.color,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname',
    hideObject: true,
    messageFormat: (log) => (log.event === 'dump' ? renderDump(log as unknown as DumpRecord) : renderRecord(log)),
  });
  const filter = new RecordFilter(config, new ReportFrames(new SourceMaps()));
  const stats: ShowStats = { records: 0, skipped: 0, shown: 0, ...(picked ? { picked } : {}) };
  const origins = new LogOrigins();
  // A file is read once ahead to learn whether it holds several; a pipe is headed from the record that shows it does.
  const seen = new SeenOrigins(logPath && logPath !== '-' ? await severalOrigins(logPath) : false);
  let tripodRecords = 0;
  for await (const { record } of readRecords(openLogInput(logPath, stdin), name, stats)) {
    if ((RECORD_EVENTS as readonly unknown[]).includes(record.event)) tripodRecords++;
    const origin = origins.note(record);
    seen.note(record, origin);
    if (!filter.keeps(record, origin)) continue;
    stats.shown++;
    const heading = seen.several ? `${terminalSafe(headingOf(record, origin, origins))}\n` : '';
    if (!out.write(`${heading}${pretty(withSafeFields(record))}\n`)) await new Promise((resolve) => out.once('drain', resolve));
  }
  if (tripodRecords === 0) {
    const why = stats.records > 0 ? `${stats.records} records, none of a kind tripod writes` : stats.skipped > 0 ? `no record in ${stats.skipped} lines` : 'it is empty';
    throw new UserError(`tripod: ${name} is not a tripod log (${why}); give a log written by tripod`, 1);
  }
  if (stats.shown === 0) {
    throw new UserError(`tripod show: none of the ${stats.records} records in ${name} match --since/--until/--state/--grep/--event; widen them`, 1);
  }
  return stats;
}

/** "── process 4312 (node build.js), thread 2 (pool worker)"; a dump holds all its process's threads. */
function headingOf(record: Record<string, unknown>, origin: RecordOrigin, origins: LogOrigins): string {
  const process = origins.processLabel(origin.pid);
  return record.event === 'dump' ? `── ${process}` : `── ${process}, ${origins.threadLabel(origin)}`;
}

/** Whether the records read so far come from more than one process or thread. */
class SeenOrigins {
  private readonly keys = new Set<string>();

  constructor(public several: boolean) {}

  note(record: Record<string, unknown>, origin: RecordOrigin): void {
    if (this.several || origin.pid === undefined) return;
    this.keys.add(`${origin.pid}:${origin.threadId}`);
    if (record.event === 'dump') for (const thread of (record as unknown as DumpRecord).threads) this.keys.add(`${origin.pid}:${thread.threadId}`);
    this.several = this.keys.size > 1;
  }
}

/** Reads a regular file ahead, up to the record that shows a second process or thread (a FIFO is read once only, so it is not). */
async function severalOrigins(logPath: string): Promise<boolean> {
  if (!isRegularFile(logPath)) return false;
  const origins = new LogOrigins();
  const seen = new SeenOrigins(false);
  for await (const { record } of readRecords(openLogInput(logPath, undefined as never), logPath, { records: 0, skipped: 0 })) {
    seen.note(record, origins.note(record));
    if (seen.several) return true;
  }
  return false;
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

async function lastLog(): Promise<string> {
  const newest = await newestLog();
  if (!newest.log) throw new UserError(`tripod show: no tripod log of yours in ${newest.folder}; run tripod script.js first, or name a log (tripod show LOG)`, 1);
  return newest.log;
}

/** pino-pretty prints some fields itself (time, name, level): their text is made safe before it sees them. */
function withSafeFields(record: Record<string, unknown>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) safe[terminalSafe(key)] = typeof value === 'string' ? terminalSafe(value) : value;
  return safe;
}
