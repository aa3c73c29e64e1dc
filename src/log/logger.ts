/**
 * The log file's sink: the pino logger a recording writes through. Writes are synchronous so a record
 * is on disk before the process can die, and come from the sampler's own thread.
 * A log that cannot be written (a full disk) is given up at its first failed
 * write: the failure is reported once and later records are dropped, so the
 * program runs on and ends as it would without tripod.
 */
import { writeSync } from 'node:fs';
import pino from 'pino';
import { UserError } from '../errors';
import type { CrashRecord, DumpRecord, EndRecord, ProfileRecord, SampleRecord, SlowEndRecord, SlowRecord, StallEndRecord, StallRecord, StartRecord } from '../record/records';
import type { Fields, RecordSink } from '../record/sink';
import { debugLog } from '../diagnostics/debug-log';

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
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** pino's destination: each record written whole with writeSync, or the log given up. */
class RecordWriter {
  records = 0;
  bytes = 0;
  private failed = false;

  constructor(
    private readonly fd: number,
    private readonly onFailure: (failure: LogFailure) => void,
  ) {}

  write(line: string): void {
    if (this.failed) return;
    try {
      this.writeAll(Buffer.from(line));
      this.records++;
    } catch (error) {
      this.failed = true;
      debug('write failed (%s) after %s records, %s bytes: the log is given up', (error as NodeJS.ErrnoException).code, this.records, this.bytes);
      this.onFailure({ code: (error as NodeJS.ErrnoException).code ?? 'error', records: this.records, bytes: this.bytes });
    }
  }

  private writeAll(bytes: Buffer): void {
    let stuckSince: number | undefined;
    for (let offset = 0; offset < bytes.length; ) {
      try {
        const written = writeSync(this.fd, bytes, offset);
        offset += written;
        this.bytes += written;
        stuckSince = undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        stuckSince ??= Date.now();
        if (Date.now() - stuckSince > STUCK_WRITE_MS) throw error;
        Atomics.wait(PAUSE, 0, 0, 5);
      }
    }
  }
}

/** Without a handler (tripod dump, tripod record), the command ends: one line, not an internal error. */
function rethrow(failure: LogFailure): never {
  throw new UserError(`tripod: cannot write the log (${failure.code}) after ${failure.records} records; free space or choose another log`);
}

export class SampleLog implements RecordSink {
  private readonly pino: pino.Logger;

  /**
   * `pid`: the process the records are about (another one when tripod attached to it).
   * `onFailure`: called once, at the first write that fails; without it that write throws.
   */
  constructor(fd: number, pid = process.pid, onFailure: (failure: LogFailure) => void = rethrow) {
    this.pino = pino({ base: { pid } }, new RecordWriter(fd, onFailure));
  }

  start(record: Fields<StartRecord>): void {
    this.pino.info({ event: 'start', ...record }, 'start');
  }

  sample(record: Fields<SampleRecord>): void {
    this.pino.info({ event: 'sample', ...record }, 'sample');
  }

  stall(record: Fields<StallRecord>): void {
    this.pino.warn({ event: 'stall', ...record }, 'stall');
  }

  stallEnd(record: Fields<StallEndRecord>): void {
    this.pino.warn({ event: 'stall-end', ...record }, 'stall-end');
  }

  crash(record: Fields<CrashRecord>): void {
    this.pino.error({ event: 'crash', ...record }, 'crash');
  }

  dump(record: Fields<DumpRecord>): void {
    this.pino.info({ event: 'dump', ...record }, 'dump');
    this.pino.flush();
  }

  slow(record: Fields<SlowRecord>): void {
    this.pino.warn({ event: 'slow', ...record }, 'slow');
  }

  slowEnd(record: Fields<SlowEndRecord>): void {
    this.pino.info({ event: 'slow-end', ...record }, 'slow-end');
  }

  profile(record: Fields<ProfileRecord>): void {
    this.pino.info({ event: 'profile', ...record }, 'profile');
  }

  end(record: Fields<EndRecord>): void {
    this.pino.info({ event: 'end', ...record }, 'end');
    this.pino.flush();
  }
}
