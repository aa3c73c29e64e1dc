/**
 * speedscope's own JSON format (https://www.speedscope.app/file-format-schema.json):
 * a "sampled" profile with one entry per distinct stack, weighted by its time.
 */
import { filePath } from '../../frames/frame-text';
import { tripodVersion } from '../../version';
import type { ReportData } from './report-data';

export function renderSpeedscope({ summary, frames, title }: ReportData): string {
  const { tree, periodMs } = summary;
  const stacks: number[][] = [];
  const weights: number[] = [];
  for (let node = 1; node < tree.size; node++) {
    if (tree.self[node] === 0) continue;
    stacks.push(tree.pathTo(node));
    weights.push(tree.self[node] * periodMs);
  }
  const endValue = weights.reduce((sum, w) => sum + w, 0);
  return JSON.stringify({
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: {
      frames: frames.map((frame) => ({
        name: frame.name || '(anonymous)',
        ...(frame.url ? { file: filePath(frame.url) ?? frame.url, line: frame.line, col: frame.column } : {}),
      })),
    },
    profiles: [{ type: 'sampled', name: title, unit: 'milliseconds', startValue: 0, endValue, samples: stacks, weights }],
    name: title,
    activeProfileIndex: 0,
    exporter: `tripod ${tripodVersion()}`,
  });
}
