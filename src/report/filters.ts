/**
 * Which samples a report counts: --since/--until, --state, --grep, --pid and
 * --thread. Frames are matched once each, however many stacks hold them.
 */
import type { ReportConfig, TimeBound } from '../config';
import type { SampleState } from '../record/sample';
import type { RecordOrigin } from './record-origin';
import { fileAndLine, type ReportFrames } from './report-frames';

export class SampleFilter {
  private base?: number;
  private readonly frameMatches: Array<boolean | undefined> = [];

  constructor(
    private readonly config: Pick<ReportConfig, 'since' | 'until' | 'states' | 'grep' | 'pid' | 'thread'>,
    private readonly frames: ReportFrames,
  ) {}

  /** The log's first moment: offsets such as --since 30s count from it. */
  noteStart(epochMs: number): void {
    this.base ??= epochMs;
  }

  inTime(epochMs: number): boolean {
    const since = this.resolve(this.config.since);
    const until = this.resolve(this.config.until);
    return (since === undefined || epochMs >= since) && (until === undefined || epochMs < until);
  }

  /** Whether the record's process and thread are those --pid and --thread ask for. */
  inOrigin(origin: RecordOrigin): boolean {
    return (this.config.pid === undefined || origin.pid === this.config.pid) && (this.config.thread === undefined || origin.threadId === this.config.thread);
  }

  inState(state: SampleState): boolean {
    return !this.config.states || this.config.states.includes(state);
  }

  /** Whether any frame of the stack matches --grep (always, without it). */
  matches(frameIds: number[]): boolean {
    if (!this.config.grep) return true;
    return frameIds.some((id) => (this.frameMatches[id] ??= this.frameMatchesGrep(id)));
  }

  private frameMatchesGrep(id: number): boolean {
    const frame = this.frames.frames[id];
    const text = `${frame.name} ${frame.url ? `${fileAndLine(frame)}:${frame.column}` : ''} ${frame.generated ?? ''}`;
    return this.config.grep!.test(text);
  }

  private resolve(bound: TimeBound | undefined): number | undefined {
    if (!bound) return undefined;
    if ('epochMs' in bound) return bound.epochMs;
    return this.base === undefined ? undefined : this.base + bound.offsetMs;
  }
}

/** "/--pid/--thread" when one of them was given: a refusal names them only then. */
export function originFilters(config: Pick<ReportConfig, 'pid' | 'thread'>): string {
  return config.pid !== undefined || config.thread !== undefined ? '/--pid/--thread' : '';
}
