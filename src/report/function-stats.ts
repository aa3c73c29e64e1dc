/**
 * Per function: samples where it was on top of the stack (self) and where it
 * was anywhere on it (total, each sample once however deep the recursion).
 */
import type { StackTree } from './stack-tree';

export interface FunctionStats {
  frame: number;
  self: number;
  total: number;
}

export function functionStats(tree: StackTree): FunctionStats[] {
  const totals = tree.totals();
  const stats = new Map<number, FunctionStats>();
  const entry = (frame: number) => {
    let s = stats.get(frame);
    if (!s) stats.set(frame, (s = { frame, self: 0, total: 0 }));
    return s;
  };
  // Depth-first with an explicit stack (stacks can be thousands of frames deep): a frame's
  // subtree counts toward its total only where no caller above is the same frame.
  const onPath = new Map<number, number>();
  const work: Array<{ node: number; leaving: boolean }> = [...tree.childrenOf(0)].map((node) => ({ node, leaving: false }));
  while (work.length > 0) {
    const { node, leaving } = work.pop()!;
    const frame = tree.frame[node];
    const depth = onPath.get(frame) ?? 0;
    if (leaving) {
      onPath.set(frame, depth - 1);
      continue;
    }
    const s = entry(frame);
    s.self += tree.self[node];
    if (depth === 0) s.total += totals[node];
    onPath.set(frame, depth + 1);
    work.push({ node, leaving: true });
    for (const child of tree.childrenOf(node)) work.push({ node: child, leaving: false });
  }
  return [...stats.values()];
}
