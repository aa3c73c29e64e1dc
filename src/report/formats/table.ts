/**
 * The hottest functions as a text table, like py-spy top: self and total share
 * of the samples, the counts, and where each function is. With --by, the whole
 * log's headline, then a section per process or thread, each a table of its own.
 */
import { functionStats } from '../function-stats';
import { localTime } from '../local-time';
import { SAMPLE_STATES, type SampleState } from '../../record/sample';
import { frameLabel, type ReportFrame } from '../report-frames';
import type { StackTree } from '../stack-tree';
import type { ReportData } from './report-data';

export function renderTable({ summary, frames, limit }: ReportData): string {
  const lines = [headline(summary), states(summary.byState, summary.samples)];
  if (!summary.groups) {
    lines.push('', ...rows(summary.tree, summary.samples, frames, limit));
    return `${lines.join('\n')}\n`;
  }
  for (const group of summary.groups.sorted()) {
    const share = percent(group.samples, summary.samples);
    lines.push('', `== ${summary.groups.labels(group).join(', ')}: ${group.samples.toLocaleString('en-US')} sample${group.samples === 1 ? '' : 's'} (${share}); ${states(group.byState, group.samples)}`);
    lines.push(...rows(group.tree, group.samples, frames, limit));
  }
  return `${lines.join('\n')}\n`;
}

function rows(tree: StackTree, samples: number, frames: ReportFrame[], limit: number): string[] {
  const stats = functionStats(tree, frames.length)
    .sort((a, b) => b.self - a.self || b.total - a.total || a.frame - b.frame)
    .slice(0, limit);
  const width = Math.max(5, String(Math.max(...stats.map((r) => r.total), 0)).length);
  return [
    `  self %  total %  ${'self'.padStart(width)}  ${'total'.padStart(width)}  function (file:line)`,
    ...stats.map(
      (r) => `${percent(r.self, samples).padStart(8)} ${percent(r.total, samples).padStart(8)}  ${String(r.self).padStart(width)}  ${String(r.total).padStart(width)}  ${frameLabel(frames[r.frame])}`,
    ),
  ];
}

function headline(s: ReportData['summary']): string {
  const span = s.from !== undefined && s.to !== undefined ? ` from ${localTime(s.from)} to ${localTime(s.to)}` : '';
  const of = s.seen !== s.samples ? ` (of ${s.seen.toLocaleString('en-US')} in the log)` : '';
  return `${s.samples.toLocaleString('en-US')} samples${of} at ${rate(s.periodMs)}${span}`;
}

function rate(periodMs: number): string {
  return periodMs < 1000 ? `${Math.round(1000 / periodMs)} per second` : `one every ${periodMs / 1000} s`;
}

function states(byState: Record<SampleState, number>, samples: number): string {
  return SAMPLE_STATES.map((state) => `${state} ${percent(byState[state], samples)}`).join(', ');
}

function percent(part: number, whole: number): string {
  return `${whole > 0 ? ((100 * part) / whole).toFixed(1) : '0.0'}%`;
}
