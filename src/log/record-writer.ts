/**
 * How a record reaches the log: each line written whole with writeSync, or the
 * log given up at its first failed write (a full disk), reported once, so the
 * program runs on and ends as it would without tripod. SampleLog's pino writes
 * through it, and so does the main thread at a short program's exit
 * (run/unbegun-run.ts), after the program may have replaced built-ins: see whole-write.ts.
 */
import { debugLog } from '../diagnostics/debug-log';
import { bytesOf, writeWhole } from './whole-write';

const debug = debugLog('log');

export interface LogFailure {
  /** The errno code of the write that failed (ENOSPC, EIO, ...). */
  code: string;
  /** Whole records written before it. */
  records: number;
  /** Bytes in the log from this run, the failed record's part included: where the log stops. */
  bytes: number;
}

/** How long a write into a full pipe (a non-blocking FIFO or stdout) waits for room before the log is given up. */
const STUCK_WRITE_MS = 10_000;

/** pino's destination (and the main thread's, for a run the worker never began). */
export class RecordWriter {
  records = 0;
  bytes = 0;
  private failed = false;

  constructor(
    private readonly fd: number,
    private readonly onFailure: (failure: LogFailure) => void,
  ) {}

  /** `records`: how many records `line` holds (several lines written as one). */
  write(line: string, records = 1): void {
    if (this.failed) return;
    try {
      writeWhole(this.fd, bytesOf(line), STUCK_WRITE_MS, (written) => (this.bytes += written));
      this.records += records;
    } catch (error) {
      this.failed = true;
      debug('write failed (%s) after %s records, %s bytes: the log is given up', (error as NodeJS.ErrnoException).code, this.records, this.bytes);
      this.onFailure({ code: (error as NodeJS.ErrnoException).code ?? 'error', records: this.records, bytes: this.bytes });
    }
  }
}

/** What tripod says when a running program's log fails: at once, so a long-running program's user learns it while it runs. */
export function logFailedLine(logPath: string, failure: LogFailure): string {
  const where = failure.records === 0 ? 'before its first record' : `after ${failure.records} records (${failure.bytes} bytes)`;
  return `tripod: cannot write the log ${logPath} (${failure.code}); it stops ${where}, and the program runs on without it\n`;
}
