/**
 * The log file's sink: the pino logger a recording writes through. Writes are synchronous so a record
 * is on disk before the process can die, and come from the sampler's own thread
 * (record-writer.ts: a log that cannot be written is given up at its first failed write).
 */
import pino from 'pino';
import { UserError } from '../errors';
import type { CrashRecord, DumpRecord, EndRecord, ProfileRecord, SampleRecord, SlowEndRecord, SlowRecord, StallEndRecord, StallRecord, StartRecord } from '../record/records';
import type { Fields, RecordSink } from '../record/sink';
import { type LogFailure, RecordWriter } from './record-writer';

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
