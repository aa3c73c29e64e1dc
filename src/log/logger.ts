/**
 * The pino logger the sampler writes through. Writes are synchronous so a record
 * is on disk before the process can die, and come from the sampler's own thread.
 */
import pino from 'pino';
import type { EndRecord, SampleRecord, StartRecord } from './records';

export class SampleLog {
  private readonly pino: pino.Logger;

  constructor(fd: number) {
    this.pino = pino({ base: { pid: process.pid } }, pino.destination({ dest: fd, sync: true }));
  }

  start(record: Omit<StartRecord, 'event'>): void {
    this.pino.info({ event: 'start', ...record }, 'start');
  }

  sample(record: Omit<SampleRecord, 'event'>): void {
    this.pino.info({ event: 'sample', ...record }, 'sample');
  }

  end(record: Omit<EndRecord, 'event'>): void {
    this.pino.info({ event: 'end', ...record }, 'end');
    this.pino.flush();
  }
}
