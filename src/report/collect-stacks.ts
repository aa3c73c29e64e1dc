/**
 * Streams a log's records into one call tree: the stack tables of profile
 * records, and the stacks of periodic samples and stall captures (so logs
 * recorded without --profile make reports too). Every sample counts, with its
 * state: one with no JS frame on the stack (idle in the event loop, blocked with
 * no JS caller seen) is charged to a frame named for its state, "(idle)" as V8's
 * profiler names it. Aggregated as it reads: however large the log, only the
 * distinct frames and stacks stay in memory.
 */
import type { Readable } from 'node:stream';
import type { ProfileRecord, SampleRecord, SlowEndRecord, SlowRecord, StallRecord, StartRecord } from '../record/records';
import type { SampleState } from '../record/sample';
import type { SampleFilter } from './filters';
import { emptyLogFacts, noteLogFacts, type LogFacts } from './no-samples';
import type { Progress } from './progress';
import { readRecords, type ReadStats } from './read-log';
import { LogOrigins, type RecordOrigin } from './record-origin';
import type { ReportFrames } from './report-frames';
import { StackGroups, type StackGrouping } from './stack-groups';
import { StackTree } from './stack-tree';
import { NO_ROUTE, routeRoot, type RouteStats } from './routes';

/** What a sample stands for when the log does not say (grep output without its start record). */
const DEFAULT_PERIOD_MS = 10;

export interface StackSummary {
  tree: StackTree;
  samples: number;
  byState: Record<SampleState, number>;
  /** Epoch ms of the first and last sample counted. */
  from?: number;
  to?: number;
  /** Milliseconds one sample stands for: 1000 / --rate of the first profile, or the sampling interval. */
  periodMs: number;
  /** Samples seen before filtering. */
  seen: number;
  /** The script of the first run in the log. */
  script?: string;
  read: ReadStats;
  /** What the log's records said about how it was recorded, for the message when it holds no sample. */
  facts: LogFacts;
  /** With --by: the same samples, per process or thread. */
  groups?: StackGroups;
}

export interface CollectOptions {
  progress?: { meter: Progress; bytesRead: () => number };
  /** Keep the stacks per process or per thread too (report --by). */
  by?: StackGrouping;
  /** --by route: every stack goes under its running request's route, and the route table is gathered. */
  routes?: RouteStats;
}

export async function collectStacks(
  input: Readable,
  name: string,
  frames: ReportFrames,
  filter: SampleFilter,
  { progress, by, routes }: CollectOptions = {},
): Promise<StackSummary> {
  const summary: StackSummary = { tree: new StackTree(), samples: 0, byState: { running: 0, idle: 0, blocked: 0 }, periodMs: 0, seen: 0, read: { records: 0, skipped: 0 }, facts: emptyLogFacts() };
  const origins = new LogOrigins();
  if (by) summary.groups = new StackGroups(by, origins);
  let origin: RecordOrigin = { threadId: 0 };
  // Runs with a profile: their periodic samples and stall captures would count the same moments twice.
  const profiledPids = new Set<unknown>();
  /** The route frame the record being read goes under (--by route). */
  let root: number | undefined;
  const count: Count = (stack, state, samples, at, from = at, to = at) => {
    summary.seen += samples;
    stack = frames.stackOrState(stack, state);
    if (!filter.inOrigin(origin) || !filter.inState(state) || !filter.inTime(at) || !filter.matches(stack)) return false;
    summary.tree.add(root === undefined ? stack : [...stack, root], samples);
    summary.groups?.add(origin, stack, state, samples);
    summary.samples += samples;
    summary.byState[state] += samples;
    summary.from = Math.min(summary.from ?? from, from);
    summary.to = Math.max(summary.to ?? to, to);
    return true;
  };
  for await (const { record } of readRecords(input, name, summary.read)) {
    if (typeof record.time === 'number') filter.noteStart(record.time);
    noteLogFacts(summary.facts, record);
    origin = origins.note(record);
    switch (record.event) {
      case 'start': {
        const start = record as unknown as StartRecord;
        summary.script ??= start.script;
        if (start.profile) profiledPids.add(origin.pid);
        summary.periodMs ||= start.profile ? 1000 / start.profile.rateHz : start.interval * 1000;
        break;
      }
      case 'profile': {
        // readRecords let only a profile whose tables agree through (record-shapes.ts).
        const profile = record as unknown as ProfileRecord;
        root = routes?.rootStacks ? frames.fromProfile([NO_ROUTE, '']) : undefined;
        countProfile(profile, frames, count);
        summary.periodMs ||= 1000 / profile.rateHz;
        break;
      }
      case 'sample':
      case 'stall': {
        if (profiledPids.has(origin.pid)) break;
        const sample = record as unknown as SampleRecord | StallRecord;
        const at = sample.capturedAt ?? (typeof record.time === 'number' ? record.time : 0);
        root = routes?.rootStacks ? routeRoot(frames, sample) : undefined;
        if (count(sample.frames.map((f) => frames.fromSample(f)), sample.state, 1, at)) routes?.sample(record.pid, sample);
        break;
      }
      case 'slow':
        routes?.slow(record as unknown as SlowRecord);
        break;
      case 'slow-end':
        routes?.slowEnd(record as unknown as SlowEndRecord);
        break;
    }
    if (progress && summary.read.records % 1024 === 0) progress.meter.update(progress.bytesRead(), summary.seen);
  }
  progress?.meter.done();
  summary.periodMs ||= DEFAULT_PERIOD_MS;
  return summary;
}

/** Counts samples of a stack taken at `at` (for the filters), over `from`..`to` (for the report's span). */
type Count = (stack: number[], state: SampleState, samples: number, at: number, from?: number, to?: number) => boolean;

function countProfile(record: ProfileRecord, frames: ReportFrames, count: Count): void {
  const ids = record.frames.map((frame) => frames.fromProfile(frame));
  // Samples of a window are at most a second apart: its middle stands for all of them.
  const at = (record.from + record.to) / 2;
  record.stacks.forEach((stack, i) => count(stack.map((local) => ids[local]), record.states[i], record.counts[i], at, record.from, record.to));
}
