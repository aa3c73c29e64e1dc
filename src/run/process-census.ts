/**
 * The count at the end of a --children run: the processes that wrote a start record to the log since the
 * run began (itself included), and, with --threads, their threads (each main thread, and each worker
 * thread with a sample). The children write to the log themselves, so the log is where they are seen.
 * Read in the sampler worker at the run's end, from the offset the log had when the run began.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export interface Census {
  processes: number;
  threads?: number;
}

/**
 * pino writes every record's first fields in one order: level, time, the pid, then the record's own,
 * event first, and a worker thread's sample its threadId next (recording/capturers.ts `tagged`). So the
 * prefix says whose a record is without parsing the rest, which may be large.
 */
const RECORD_PREFIX = /^\{"level":\d+,"time":\d+,"pid":(\d+),"event":"([\w-]+)"(?:,"threadId":(\d+))?/;

/** Counts from NDJSON lines (whole or not: a line that does not start as a record is skipped). */
export class CensusCount {
  private readonly processes = new Set<string>();
  private readonly workerThreads = new Set<string>();

  add(line: string): void {
    const match = RECORD_PREFIX.exec(line);
    if (!match) return;
    const [, pid, event, threadId] = match;
    if (event === 'start') this.processes.add(pid);
    else if (event === 'sample' && threadId !== undefined) this.workerThreads.add(`${pid}:${threadId}`);
  }

  result(withThreads: boolean): Census {
    if (!withThreads) return { processes: this.processes.size };
    const workers = [...this.workerThreads].filter((key) => this.processes.has(key.slice(0, key.indexOf(':')))).length;
    return { processes: this.processes.size, threads: this.processes.size + workers };
  }
}

/** Where the run's part of the log begins: its size now, if it is a regular file (a FIFO is not read back). */
export function censusStart(fd: number): number | undefined {
  const stats = fstatSync(fd);
  return stats.isFile() ? stats.size : undefined;
}

const CHUNK_BYTES = 1 << 20;
/** A record's prefix is well within this; only that much of each line is decoded. */
const PREFIX_BYTES = 160;
const NEWLINE = 0x0a;
/**
 * Reading the log back stops after this long, and the counts are then left out: the first process's exit
 * waits for its end record, and a log of hundreds of MB would take seconds (about 1 ms per MB here).
 */
const CENSUS_BUDGET_MS = 1000;

/**
 * Reads the log from `from` on, a megabyte at a time, decoding only each line's prefix; undefined if the file
 * at the path is no longer the one written (replaced, or a symbolic link now), or reading it took too long.
 */
export function takeCensus(logPath: string, logFd: number, from: number, withThreads: boolean): Census | undefined {
  let fd: number;
  try {
    fd = openSync(logPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const written = fstatSync(logFd);
    const read = fstatSync(fd);
    if (read.ino !== written.ino || read.dev !== written.dev) return undefined;
    return countFrom(fd, from, withThreads);
  } finally {
    closeSync(fd);
  }
}

function countFrom(fd: number, from: number, withThreads: boolean): Census | undefined {
  const count = new CensusCount();
  const buffer = Buffer.alloc(CHUNK_BYTES);
  const deadline = performance.now() + CENSUS_BUDGET_MS;
  let position = from;
  // Whether the chunk begins inside a line whose start the previous chunk held (and counted).
  let midLine = false;
  for (;;) {
    if (performance.now() > deadline) return undefined;
    const length = readSync(fd, buffer, 0, CHUNK_BYTES, position);
    if (length === 0) break;
    let start = 0;
    if (midLine) {
      const end = buffer.indexOf(NEWLINE, 0);
      if (end < 0 || end >= length) {
        position += length;
        continue;
      }
      start = end + 1;
    }
    // Each line that starts in this chunk: its prefix only, read from where it starts in the file.
    while (start < length) {
      const end = buffer.indexOf(NEWLINE, start);
      const lineEnd = end < 0 || end >= length ? -1 : end;
      count.add(prefixAt(fd, buffer, start, lineEnd < 0 ? length : lineEnd, length, position));
      if (lineEnd < 0) break;
      start = lineEnd + 1;
    }
    midLine = buffer[length - 1] !== NEWLINE;
    position += length;
  }
  return count.result(withThreads);
}

/** The first PREFIX_BYTES of a line starting at `start` in the chunk; read from the file when the chunk ends first. */
function prefixAt(fd: number, chunk: Buffer, start: number, end: number, length: number, chunkPosition: number): string {
  if (end - start >= PREFIX_BYTES || end < length) return chunk.toString('latin1', start, Math.min(end, start + PREFIX_BYTES));
  const prefix = Buffer.alloc(PREFIX_BYTES);
  const read = readSync(fd, prefix, 0, PREFIX_BYTES, chunkPosition + start);
  const newline = prefix.indexOf(NEWLINE);
  return prefix.toString('latin1', 0, newline >= 0 && newline < read ? newline : read);
}
