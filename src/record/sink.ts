/**
 * Where records go: one method per record kind. The log file (log/logger.ts) is
 * one sink; recording/fan-out.ts feeds several at once, so a live console or an
 * exporter is one more sink beside it.
 */
import type {
  CrashRecord,
  DumpRecord,
  EndRecord,
  ProfileRecord,
  SampleRecord,
  SlowEndRecord,
  SlowRecord,
  StallEndRecord,
  StallRecord,
  StartRecord,
  TripodRecord,
} from './records';

/** A record as a producer hands it over: the sink's method says its kind. */
export type Fields<R extends TripodRecord> = Omit<R, 'event'>;

export interface RecordSink {
  start(record: Fields<StartRecord>): void;
  sample(record: Fields<SampleRecord>): void;
  stall(record: Fields<StallRecord>): void;
  stallEnd(record: Fields<StallEndRecord>): void;
  crash(record: Fields<CrashRecord>): void;
  profile(record: Fields<ProfileRecord>): void;
  /** The last record: a sink that buffers writes it out now. */
  end(record: Fields<EndRecord>): void;
  /** `tripod dump`: a whole record of its own, written out at once. */
  dump(record: Fields<DumpRecord>): void;
  /** A request in flight past --slow. */
  slow(record: Fields<SlowRecord>): void;
  /** A request logged as slow ended. */
  slowEnd(record: Fields<SlowEndRecord>): void;
}
