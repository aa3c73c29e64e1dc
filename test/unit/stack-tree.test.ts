/**
 * Unit tests, in-process: StackTree (stacks folded into one call tree) and functionStats (self and total per
 * function, each sample once however deep the recursion), over stacks written out here.
 */
import { describe, expect, it } from 'vitest';
import { functionStats } from '../../src/report/function-stats';
import { StackTree } from '../../src/report/stack-tree';

// Frame ids: 0 main, 1 handle, 2 parse, 3 recurse, 4 (idle).
const MAIN = 0;
const HANDLE = 1;
const PARSE = 2;
const RECURSE = 3;
const IDLE = 4;

/** Every root-to-node path with the samples ending there, as "0>1>2 = 5" lines, sorted. */
function paths(tree: StackTree): string[] {
  const out: string[] = [];
  for (let node = 1; node < tree.size; node++) if (tree.self[node] > 0) out.push(`${tree.pathTo(node).join('>')} = ${tree.self[node]}`);
  return out.sort();
}

describe('StackTree', () => {
  it('folds stacks given top first into one tree rooted at their bottom frame, sharing common callers', () => {
    const tree = new StackTree();
    tree.add([PARSE, HANDLE, MAIN], 3);
    tree.add([HANDLE, MAIN], 2);
    tree.add([PARSE, HANDLE, MAIN], 4);
    tree.add([IDLE], 5);
    // root, main, handle, parse, (idle): the repeated stack added no node.
    expect(tree.size).toBe(5);
    expect(paths(tree)).toEqual(['0>1 = 2', '0>1>2 = 7', '4 = 5']);
    const totals = tree.totals();
    expect(totals[0]).toBe(14);
    const main = tree.childrenOf(0).find((node) => tree.frame[node] === MAIN)!;
    expect(totals[main]).toBe(9);
    expect(Array.from(tree.childrenOf(main)).map((node) => tree.frame[node])).toEqual([HANDLE]);
  });

  it('keeps the same frame under different callers apart, and grows past its first index table', () => {
    const tree = new StackTree();
    tree.add([PARSE, MAIN], 1);
    tree.add([PARSE, HANDLE, MAIN], 1);
    expect(paths(tree)).toEqual(['0>1>2 = 1', '0>2 = 1']);
    // 2,000 distinct children of one node: past the 1,024 slots the index starts with.
    const wide = new StackTree();
    for (let frame = 0; frame < 2000; frame++) wide.add([frame, 5000], frame + 1);
    expect(wide.size).toBe(2002);
    expect(wide.childrenOf(1).length).toBe(2000);
    expect(wide.totals()[1]).toBe((2000 * 2001) / 2);
  });

  it('an empty stack counts at the root', () => {
    const tree = new StackTree();
    tree.add([], 4);
    expect(tree.self[0]).toBe(4);
    expect(tree.totals()[0]).toBe(4);
  });
});

describe('functionStats', () => {
  it('counts self at the top and total once per sample anywhere on the stack, recursion included', () => {
    const tree = new StackTree();
    tree.add([PARSE, HANDLE, MAIN], 3);
    tree.add([HANDLE, MAIN], 2);
    tree.add([RECURSE, RECURSE, RECURSE, MAIN], 4);
    tree.add([PARSE, RECURSE, MAIN], 1);
    tree.add([IDLE], 5);
    const byFrame = new Map(functionStats(tree, 5).map((s) => [s.frame, { self: s.self, total: s.total }]));
    expect(byFrame.get(MAIN)).toEqual({ self: 0, total: 10 });
    expect(byFrame.get(HANDLE)).toEqual({ self: 2, total: 5 });
    expect(byFrame.get(PARSE)).toEqual({ self: 4, total: 4 });
    // 4 samples three deep in recursion plus 1 under it: 5, not 13.
    expect(byFrame.get(RECURSE)).toEqual({ self: 4, total: 5 });
    expect(byFrame.get(IDLE)).toEqual({ self: 5, total: 5 });
  });

  it('leaves out frames no sample reached, and survives a stack 10,000 frames deep', () => {
    const tree = new StackTree();
    tree.add([HANDLE, MAIN], 1);
    expect(functionStats(tree, 5).map((s) => s.frame)).toEqual([MAIN, HANDLE]);
    const deep = new StackTree();
    deep.add(Array.from({ length: 10_000 }, (_, i) => i % 2), 7);
    expect(functionStats(deep, 2)).toEqual([
      // Top first: frame 0 is on top of all 7 samples.
      { frame: 0, self: 7, total: 7 },
      { frame: 1, self: 0, total: 7 },
    ]);
  });
});
