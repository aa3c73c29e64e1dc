/**
 * Which records `tripod show` prints: --event picks record kinds; --pid and
 * --thread a process and thread (record-origin.ts); --since,
 * --until, --state and --grep are report's filters (filters.ts), applied to
 * each record's moment and stacks. A record with several stacks (a profile
 * second, a dump's threads) is shown when one of them matches; a record with
 * no stack (start, end) is left out by --state and --grep.
 */
import type { ShowConfig } from '../config';
import type { DumpRecord, ProfileRecord, SampleRecord, StallEndRecord } from '../record/records';
import type { Frame, SampleState } from '../record/sample';
import { SampleFilter } from './filters';
import type { RecordOrigin } from './record-origin';
import type { ReportFrames } from './report-frames';

type ShowFilters = Pick<ShowConfig, 'since' | 'until' | 'states' | 'grep' | 'events' | 'pid' | 'thread'>;

/** A stack of a record: its state (when the record says one) and its frames as report frame ids. */
interface RecordStack {
  state?: SampleState;
  frames: number[];
}

export class RecordFilter {
  private readonly samples: SampleFilter;
  private readonly byStack: boolean;
  private readonly byTime: boolean;

  /** `frames` interns the frames --grep matches (read only with --grep). */
  constructor(
    private readonly config: ShowFilters,
    private readonly frames: ReportFrames,
  ) {
    this.samples = new SampleFilter(config, frames);
    this.byStack = Boolean(config.states || config.grep);
    this.byTime = Boolean(config.since || config.until);
  }

  /** Whether any filter is set: without one, every record is shown. */
  get active(): boolean {
    return Boolean(this.config.events) || this.byStack || this.byTime || this.config.pid !== undefined || this.config.thread !== undefined;
  }

  /** `origin`: the record's process and thread, as LogOrigins says. */
  keeps(record: Record<string, unknown>, origin: RecordOrigin): boolean {
    if (typeof record.time === 'number') this.samples.noteStart(record.time);
    if (this.config.events && !(this.config.events as string[]).includes(record.event as string)) return false;
    if (!this.originMatches(record, origin)) return false;
    if (this.byTime) {
      const at = momentOf(record);
      if (at === undefined || !this.samples.inTime(at)) return false;
    }
    if (!this.byStack) return true;
    return this.stacksOf(record).some((stack) => this.stackMatches(stack));
  }

  /** --pid and --thread; a dump holds every thread of its process, so --thread keeps it when one of them matches. */
  private originMatches(record: Record<string, unknown>, origin: RecordOrigin): boolean {
    if (record.event !== 'dump' || this.config.thread === undefined) return this.samples.inOrigin(origin);
    const threads = (record as unknown as DumpRecord).threads.map((thread) => thread.threadId);
    return threads.some((threadId) => this.samples.inOrigin({ ...origin, threadId }));
  }

  private stackMatches(stack: RecordStack): boolean {
    if (this.config.states && (stack.state === undefined || !this.samples.inState(stack.state))) return false;
    return this.samples.matches(stack.frames);
  }

  private stacksOf(record: Record<string, unknown>): RecordStack[] {
    const grep = Boolean(this.config.grep);
    const ids = (frames: Frame[] | undefined, state?: SampleState) => {
      if (!grep) return [];
      const stack = (frames ?? []).map((f) => this.frames.fromSample(f));
      return state ? this.frames.stackOrState(stack, state) : stack;
    };
    switch (record.event) {
      case 'sample':
      case 'stall': {
        const sample = record as unknown as SampleRecord;
        return [{ state: sample.state, frames: ids(sample.frames, sample.state) }];
      }
      case 'crash':
        // At the throw the thread was running JS.
        return [{ state: 'running', frames: ids((record as { frames: Frame[] }).frames) }];
      case 'stall-end': {
        const end = record as unknown as StallEndRecord;
        return end.frames ? [{ frames: ids(end.frames) }] : [];
      }
      case 'profile': {
        const profile = record as unknown as ProfileRecord;
        const local = grep ? profile.frames.map((f) => this.frames.fromProfile(f)) : [];
        return profile.stacks.map((stack, i) => ({ state: profile.states[i], frames: grep ? this.frames.stackOrState(stack.map((f) => local[f]), profile.states[i]) : [] }));
      }
      case 'dump':
        return (record as unknown as DumpRecord).threads.map((thread) => ({ state: thread.state, frames: ids(thread.frames, thread.state) }));
      default:
        return [];
    }
  }
}

/** When a record's moment was: a capture's start, a profile second's middle (as report counts it), else when it was written. */
function momentOf(record: Record<string, unknown>): number | undefined {
  if (record.event === 'profile') {
    const profile = record as unknown as ProfileRecord;
    return (profile.from + profile.to) / 2;
  }
  if (typeof record.capturedAt === 'number') return record.capturedAt;
  return typeof record.time === 'number' ? record.time : undefined;
}
