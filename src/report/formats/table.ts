/**
 * The hottest functions as a text table, like py-spy top: self and total share
 * of the samples, the counts, and where each function is.
 */
import { functionStats } from '../function-stats';
import { localTime } from '../local-time';
import { SAMPLE_STATES } from '../../record/sample';
import { frameLabel } from '../report-frames';
import type { ReportData } from './report-data';

export function renderTable({ summary, frames, limit }: ReportData): string {
  const rows = functionStats(summary.tree, frames.length)
    .sort((a, b) => b.self - a.self || b.total - a.total || a.frame - b.frame)
    .slice(0, limit);
  const width = Math.max(5, String(Math.max(...rows.map((r) => r.total), 0)).length);
  const lines = [
    headline(summary),
    states(summary),
    '',
    `  self %  total %  ${'self'.padStart(width)}  ${'total'.padStart(width)}  function (file:line)`,
    ...rows.map(
      (r) =>
        `${percent(r.self, summary.samples).padStart(8)} ${percent(r.total, summary.samples).padStart(8)}  ${String(r.self).padStart(width)}  ${String(r.total).padStart(width)}  ${frameLabel(frames[r.frame])}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function headline(s: ReportData['summary']): string {
  const span = s.from !== undefined && s.to !== undefined ? ` from ${localTime(s.from)} to ${localTime(s.to)}` : '';
  const of = s.seen !== s.samples ? ` (of ${s.seen.toLocaleString('en-US')} in the log)` : '';
  return `${s.samples.toLocaleString('en-US')} samples${of} at ${rate(s.periodMs)}${span}`;
}

function rate(periodMs: number): string {
  return periodMs < 1000 ? `${Math.round(1000 / periodMs)} per second` : `one every ${periodMs / 1000} s`;
}

function states(s: ReportData['summary']): string {
  return SAMPLE_STATES.map((state) => `${state} ${percent(s.byState[state], s.samples)}`).join(', ');
}

function percent(part: number, whole: number): string {
  return `${whole > 0 ? ((100 * part) / whole).toFixed(1) : '0.0'}%`;
}
