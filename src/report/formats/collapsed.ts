/**
 * Collapsed stacks, the input of flamegraph.pl and inferno: one line per
 * distinct stack, frames root first joined by ";", then the sample count.
 */
import { frameLabel } from '../report-frames';
import type { ReportData } from './report-data';

export function renderCollapsed({ summary: { tree }, frames }: ReportData): string {
  // ";" separates frames, and the count follows the last space: neither may appear inside a label.
  const labels = frames.map((frame) => frameLabel(frame).replace(/;/g, ':'));
  const lines: string[] = [];
  for (let node = 1; node < tree.size; node++) {
    if (tree.self[node] > 0) lines.push(`${tree.pathTo(node).map((frame) => labels[frame]).join(';')} ${tree.self[node]}`);
  }
  return `${lines.join('\n')}\n`;
}
