/**
 * Streams tripod records from a log file or from stdin (often grep's output),
 * one line at a time, so a log of any size is never held in memory. A line that
 * is not JSON, or a record whose fields do not have the types tripod writes
 * (record-shapes.ts), is skipped and counted: consumers get well-formed records.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { UserError } from '../errors';
import { isWellFormed } from './record-shapes';

export interface LogLine {
  record: Record<string, unknown>;
  lineNumber: number;
}

export interface ReadStats {
  records: number;
  /** Lines that were not tripod records (garbage, a truncated last line, a record with a field of the wrong type). */
  skipped: number;
}

export function openLogInput(file: string | undefined, stdin: Readable): Readable {
  if (!file || file === '-') return stdin;
  const stream = createReadStream(file);
  return stream;
}

/**
 * The longest line read as a record. tripod's own records stay far below it (a
 * sample's size is bounded); past it a line is counted as skipped without being
 * held, so input without newlines (/dev/zero, a binary file) cannot fill memory.
 */
export const LONGEST_LINE_CHARS = 64 * 1024 * 1024;

/** Yields each record; `stats` is filled in as it goes. */
export async function* readRecords(input: Readable, name: string, stats: ReadStats): AsyncGenerator<LogLine> {
  let lineNumber = 0;
  try {
    for await (const line of boundedLines(input, LONGEST_LINE_CHARS)) {
      lineNumber++;
      const record = line === undefined ? undefined : parseRecord(line);
      if (record) {
        stats.records++;
        yield { record, lineNumber };
      } else if (line === undefined || line.trim()) stats.skipped++;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`tripod: no such log ${name}; give the path tripod printed at start`, 1);
    if (code === 'EISDIR') throw new UserError(`tripod: ${name} is a folder, not a log; give a log file`, 1);
    if (code === 'EACCES') throw new UserError(`tripod: cannot read ${name} (permission denied); logs are mode 0600, read them as their owner`, 1);
    throw error;
  }
}

/** A JSON line with an `event`; grep's "file:" prefix (several files) is dropped. */
function parseRecord(line: string): Record<string, unknown> | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  try {
    const value = JSON.parse(line.slice(start)) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { event?: unknown }).event === 'string') {
      const record = value as Record<string, unknown>;
      return isWellFormed(record) ? record : undefined;
    }
  } catch {
    // Not JSON, or a line cut short by a process that died mid-write.
  }
  return undefined;
}

/** The input's lines without their newline; a line over `maxChars` comes as undefined, its text dropped as it arrives. */
async function* boundedLines(input: Readable, maxChars: number): AsyncGenerator<string | undefined> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let tooLong = false;
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let from = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', from)) {
      yield tooLong ? undefined : partial + text.slice(from, end);
      partial = '';
      tooLong = false;
      from = end + 1;
    }
    if (!tooLong) partial += text.slice(from);
    if (partial.length > maxChars) {
      tooLong = true;
      partial = '';
    }
  }
  partial += decoder.end();
  if (partial || tooLong) yield tooLong ? undefined : partial;
}
