/**
 * What every output format is made from: the folded stacks, their frames, and
 * what the log said about how they were sampled.
 */
import type { StackSummary } from '../collect-stacks';
import type { ReportFrame } from '../report-frames';

export interface ReportData {
  summary: StackSummary;
  frames: ReportFrame[];
  /** A name for the profile: the script's, or the log's. */
  title: string;
  /** Rows of the table. */
  limit: number;
  /** The flame graph's narrowest frame in pixels (--min-width); narrower ones are merged into their parent. Absent: the default. */
  minWidth?: number;
}
