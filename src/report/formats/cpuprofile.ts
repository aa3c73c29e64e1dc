/**
 * A .cpuprofile, as `node --cpu-prof` writes and Chrome DevTools and VS Code
 * open: the call tree, and one entry per sample. Samples are replayed node by
 * node (the log keeps counts per second, not their order within it), so the
 * "Chart" view groups them; the tree and bottom-up views are exact.
 */
import type { Protocol } from 'devtools-protocol';
import type { ReportFrame } from '../report-frames';
import type { ReportData } from './report-data';

export function renderCpuprofile({ summary, frames }: ReportData): string {
  const { tree } = summary;
  const periodUs = Math.round(summary.periodMs * 1000);
  const nodes: Protocol.Profiler.ProfileNode[] = [];
  const samples: number[] = [];
  for (let node = 0; node < tree.size; node++) {
    const id = node + 1;
    nodes.push({
      id,
      callFrame: node === 0 ? rootFrame() : callFrame(frames[tree.frame[node]]),
      hitCount: tree.self[node],
      children: [...tree.childrenOf(node)].map((child) => child + 1),
    });
    for (let i = 0; i < tree.self[node]; i++) samples.push(id);
  }
  const startTime = Math.round((summary.from ?? 0) * 1000);
  const profile: Protocol.Profiler.Profile = {
    nodes,
    startTime,
    endTime: startTime + samples.length * periodUs,
    samples,
    timeDeltas: samples.map(() => periodUs),
  };
  return JSON.stringify(profile);
}

function rootFrame(): Protocol.Runtime.CallFrame {
  return { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 };
}

/** CDP positions are 0-based; -1 where there is no script. */
function callFrame(frame: ReportFrame): Protocol.Runtime.CallFrame {
  return { functionName: frame.name, scriptId: '0', url: frame.url, lineNumber: frame.line - 1, columnNumber: frame.column - 1 };
}
