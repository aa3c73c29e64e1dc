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

export function functionStats(tree: StackTree, frameCount: number): FunctionStats[] {
  const totals = tree.totals();
  const self = new Float64Array(frameCount);
  const total = new Float64Array(frameCount);
  const seen = new Uint8Array(frameCount);
  // How many times each frame is on the path from the root to the node being visited.
  const onPath = new Int32Array(frameCount);
  // Depth-first with an explicit stack (stacks can be thousands of frames deep): a node
  // is pushed as itself to enter it and as ~itself to leave it. A frame's subtree counts
  // toward its total only where no caller above is the same frame.
  const work: number[] = Array.from(tree.childrenOf(0));
  while (work.length > 0) {
    const item = work.pop()!;
    if (item < 0) {
      onPath[tree.frame[~item]]--;
      continue;
    }
    const frame = tree.frame[item];
    seen[frame] = 1;
    self[frame] += tree.self[item];
    if (onPath[frame] === 0) total[frame] += totals[item];
    onPath[frame]++;
    work.push(~item);
    for (const child of tree.childrenOf(item)) work.push(child);
  }
  const stats: FunctionStats[] = [];
  for (let frame = 0; frame < frameCount; frame++) if (seen[frame]) stats.push({ frame, self: self[frame], total: total[frame] });
  return stats;
}
