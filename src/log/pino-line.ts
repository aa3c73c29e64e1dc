/**
 * A record as the line SampleLog's pino writes it (`{"level":30,"time":…,"pid":…,
 * "event":…,…,"msg":…}`), made without pino: for the main thread at a short
 * program's exit, where loading pino (~17 ms) would cost more than the whole
 * start-up budget (run/unbegun-run.ts). Built only from JSON.stringify captured
 * when tripod loads, since the program may have replaced it by its exit; a unit
 * test holds these lines equal to pino's.
 */
const stringify = JSON.stringify;
const dateNow = Date.now;

/** pino's level numbers, for the records written this way. */
export const PINO_INFO = 30;

/** One NDJSON line: pino's fields first, the record's, then `msg` (pino drops undefined values, as stringify does). */
export function pinoLine(level: number, pid: number, fields: object, msg: string, time: number = dateNow()): string {
  return `${stringify({ level, time, pid, ...fields, msg })}\n`;
}
