/**
 * The names of tripod report's output formats and groupings (--by), and which
 * format an output file's name asks for when --format does not say.
 */

export const REPORT_FORMATS = ['table', 'svg', 'speedscope', 'cpuprofile', 'pprof', 'collapsed'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What `--by` splits a report by: a table section, or a flame graph root frame, each. */
export const REPORT_GROUPINGS = ['process', 'thread', 'route'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

const FORMAT_BY_EXTENSION: Array<[RegExp, ReportFormat]> = [
  [/\.svg$/i, 'svg'],
  [/\.cpuprofile$/i, 'cpuprofile'],
  [/\.speedscope\.json$/i, 'speedscope'],
  [/\.(pprof|pb\.gz|pb)$/i, 'pprof'],
  [/\.(collapsed|folded)$/i, 'collapsed'],
];

/** The format an output file's extension names; undefined for none (or no file). */
export function formatForOutput(output: string | undefined): ReportFormat | undefined {
  return output === undefined ? undefined : FORMAT_BY_EXTENSION.find(([pattern]) => pattern.test(output))?.[1];
}
