/**
 * `tripod report [options] [LOG]`: the output format (named, or guessed from the
 * output file's extension), the filters, and the table's and flame graph's bounds.
 */
import type { ReportConfig, ReportFormat, ReportGrouping } from '../config';
import { UserError } from '../errors';
import { formatForOutput } from '../report/formats/format-names';
import { logFilters } from './filters';
import { type Env, parseCommandLine } from './parse';

export function parseReportCommand(argv: string[], env: Env): ReportConfig | 'help' {
  const { values, positionals } = parseCommandLine('report', argv, env, true);
  if (values.has('help')) return 'help';
  if (positionals.length > 1) throw new UserError(`tripod report: one log at a time, got ${positionals.length}; run it once per file`);
  const filters = logFilters(values);
  const output = values.text('output');
  const format = (values.choice('format') as ReportFormat | undefined) ?? formatForOutput(output) ?? 'table';
  // Absent when not given: the flame graph then picks its width from the profile's size.
  const minWidth = values.optionalNumber('min-width');
  if (values.has('min-width') && format !== 'svg') {
    throw new UserError(`tripod report: --min-width sets the narrowest frame of the svg flame graph, and this report is ${format}; drop it or use --format svg`);
  }
  return {
    logPath: positionals[0],
    format,
    output,
    ...filters,
    limit: values.number('limit'),
    minWidth,
    by: values.choice('by') as ReportGrouping | undefined,
    debug: values.debugTraces(),
  };
}
