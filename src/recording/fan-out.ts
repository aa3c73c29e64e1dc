/**
 * A sink that feeds several, as pino's multistream does: the log file and, beside
 * it, a live console or an exporter.
 */
import type { Fields, RecordSink } from '../record/sink';
import type { CrashRecord, DumpRecord, EndRecord, ProfileRecord, SampleRecord, SlowEndRecord, SlowRecord, StallEndRecord, StallRecord, StartRecord } from '../record/records';

type Kind = keyof RecordSink;

/**
 * Every record to every sink, in the order given. A sink that throws does not keep
 * the record from the others; the first error is thrown once all have had it.
 */
export class FanOutSink implements RecordSink {
  constructor(private readonly sinks: readonly RecordSink[]) {}

  start(record: Fields<StartRecord>): void {
    this.toEach('start', record);
  }

  sample(record: Fields<SampleRecord>): void {
    this.toEach('sample', record);
  }

  stall(record: Fields<StallRecord>): void {
    this.toEach('stall', record);
  }

  stallEnd(record: Fields<StallEndRecord>): void {
    this.toEach('stallEnd', record);
  }

  crash(record: Fields<CrashRecord>): void {
    this.toEach('crash', record);
  }

  profile(record: Fields<ProfileRecord>): void {
    this.toEach('profile', record);
  }

  end(record: Fields<EndRecord>): void {
    this.toEach('end', record);
  }

  dump(record: Fields<DumpRecord>): void {
    this.toEach('dump', record);
  }

  slow(record: Fields<SlowRecord>): void {
    this.toEach('slow', record);
  }

  slowEnd(record: Fields<SlowEndRecord>): void {
    this.toEach('slowEnd', record);
  }

  private toEach<K extends Kind>(kind: K, record: Parameters<RecordSink[K]>[0]): void {
    let failure: { error: unknown } | undefined;
    for (const sink of this.sinks) {
      try {
        (sink[kind] as (record: Parameters<RecordSink[K]>[0]) => void).call(sink, record);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
