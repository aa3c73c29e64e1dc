/**
 * `tripod show [LOG]`: the log's records for people, rendered through pino-pretty.
 * Nothing from the log reaches the terminal with a control character in it but
 * the newlines between lines (terminal-text.ts), whoever wrote the log.
 */
import type { Readable, Writable } from 'node:stream';
import { prettyFactory } from 'pino-pretty';
import type { ShowConfig } from '../config';
import { UserError } from '../errors';
import type { DumpRecord } from '../record/records';
import { openLogInput, readRecords, type ReadStats } from './read-log';
import { renderDump } from './render-dump';
import { renderRecord } from './render-record';
import { terminalSafe } from './terminal-text';

export async function showLog(config: ShowConfig, stdin: Readable, out: Writable): Promise<ReadStats> {
  const name = config.logPath ?? 'standard input';
  const pretty = prettyFactory({
    colorize: config.color,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname',
    hideObject: true,
    messageFormat: (log) => (log.event === 'dump' ? renderDump(log as unknown as DumpRecord) : renderRecord(log)),
  });
  const stats: ReadStats = { records: 0, skipped: 0 };
  for await (const { record } of readRecords(openLogInput(config.logPath, stdin), name, stats)) {
    if (!out.write(`${pretty(withSafeFields(record))}\n`)) await new Promise((resolve) => out.once('drain', resolve));
  }
  if (stats.records === 0) {
    const why = stats.skipped > 0 ? `no record in ${stats.skipped} lines` : 'it is empty';
    throw new UserError(`tripod: ${name} is not a tripod log (${why}); give a log written by tripod`, 1);
  }
  return stats;
}

/** pino-pretty prints some fields itself (time, name, level): their text is made safe before it sees them. */
function withSafeFields(record: Record<string, unknown>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) safe[terminalSafe(key)] = typeof value === 'string' ? terminalSafe(value) : value;
  return safe;
}
