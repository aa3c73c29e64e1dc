/**
 * A .cpuprofile, as `node --cpu-prof` writes and Chrome DevTools and VS Code
 * open: the call tree, and one entry per sample. Samples are replayed node by
 * node (the log keeps counts per second, not their order within it), so the
 * "Chart" view groups them; the tree and bottom-up views are exact. Written in
 * chunks: a tree of a million nodes never becomes one object graph or string.
 */
import type { Protocol } from 'devtools-protocol';
import type { ReportFrame } from '../report-frames';
import type { ReportData } from './report-data';

const CHUNK_CHARS = 1 << 16;

export function* renderCpuprofile({ summary, frames }: ReportData): Generator<string> {
  const { tree } = summary;
  const periodUs = Math.round(summary.periodMs * 1000);
  const startTime = Math.round((summary.from ?? 0) * 1000);
  yield '{"nodes":[';
  yield* chunked(tree.size, (node) => {
    const profileNode: Protocol.Profiler.ProfileNode = {
      id: node + 1,
      callFrame: node === 0 ? rootFrame() : callFrame(frames[tree.frame[node]]),
      hitCount: tree.self[node],
      children: Array.from(tree.childrenOf(node), (child) => child + 1),
    };
    return JSON.stringify(profileNode);
  });
  yield `],"startTime":${startTime},"endTime":${startTime + summary.samples * periodUs},"samples":[`;
  yield* chunked(tree.size, (node) => (tree.self[node] > 0 ? Array(tree.self[node]).fill(node + 1).join(',') : ''));
  yield '],"timeDeltas":[';
  yield* chunked(tree.size, (node) => (tree.self[node] > 0 ? Array(tree.self[node]).fill(periodUs).join(',') : ''));
  yield ']}';
}

/** The non-empty texts of items 0..count-1, comma-separated, in chunks of about CHUNK_CHARS. */
function* chunked(count: number, text: (item: number) => string): Generator<string> {
  let chunk = '';
  let first = true;
  for (let item = 0; item < count; item++) {
    const piece = text(item);
    if (!piece) continue;
    chunk += first ? piece : `,${piece}`;
    first = false;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function rootFrame(): Protocol.Runtime.CallFrame {
  return { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 };
}

/** CDP positions are 0-based; -1 where there is no script. */
function callFrame(frame: ReportFrame): Protocol.Runtime.CallFrame {
  return { functionName: frame.name, scriptId: '0', url: frame.url, lineNumber: frame.line - 1, columnNumber: frame.column - 1 };
}
