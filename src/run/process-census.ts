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

/**
 * Reads the log from `from` on, a megabyte at a time; undefined if the file at the path is no longer the one
 * written (replaced, or a symbolic link now).
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

function countFrom(fd: number, from: number, withThreads: boolean): Census {
  const count = new CensusCount();
  const buffer = Buffer.alloc(CHUNK_BYTES);
  let position = from;
  let partial = '';
  for (;;) {
    const length = readSync(fd, buffer, 0, CHUNK_BYTES, position);
    if (length === 0) break;
    position += length;
    const lines = (partial + buffer.toString('utf8', 0, length)).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) count.add(line);
  }
  count.add(partial);
  return count.result(withThreads);
}
