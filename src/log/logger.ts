/**
 * The pino logger the sampler writes through. Writes are synchronous so a record
 * is on disk before the process can die, and come from the sampler's own thread.
 */
import pino from 'pino';
import type { CrashRecord, DumpRecord, EndRecord, ProfileRecord, SampleRecord, StallEndRecord, StallRecord, StartRecord } from './records';

export class SampleLog {
  private readonly pino: pino.Logger;

  /** `pid`: the process the records are about (another one when tripod attached to it). */
  constructor(fd: number, pid = process.pid) {
    this.pino = pino({ base: { pid } }, pino.destination({ dest: fd, sync: true }));
  }

  start(record: Omit<StartRecord, 'event'>): void {
    this.pino.info({ event: 'start', ...record }, 'start');
  }

  sample(record: Omit<SampleRecord, 'event'>): void {
    this.pino.info({ event: 'sample', ...record }, 'sample');
  }

  stall(record: Omit<StallRecord, 'event'>): void {
    this.pino.warn({ event: 'stall', ...record }, 'stall');
  }

  stallEnd(record: Omit<StallEndRecord, 'event'>): void {
    this.pino.warn({ event: 'stall-end', ...record }, 'stall-end');
  }

  crash(record: Omit<CrashRecord, 'event'>): void {
    this.pino.error({ event: 'crash', ...record }, 'crash');
  }

  dump(record: Omit<DumpRecord, 'event'>): void {
    this.pino.info({ event: 'dump', ...record }, 'dump');
    this.pino.flush();
  }

  profile(record: Omit<ProfileRecord, 'event'>): void {
    this.pino.info({ event: 'profile', ...record }, 'profile');
  }

  end(record: Omit<EndRecord, 'event'>): void {
    this.pino.info({ event: 'end', ...record }, 'end');
    this.pino.flush();
  }
}
