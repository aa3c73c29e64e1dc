/**
 * Every stack of a report folded into one call tree (root first), with the
 * samples that ended at each node. Its size grows with the number of distinct
 * stacks, not with the number of samples, so a report holds no record in memory.
 */

export class StackTree {
  /** Per node: its frame id (-1 for the root), parent, children by frame id, and samples ending there. */
  readonly frame: number[] = [-1];
  readonly parent: number[] = [-1];
  readonly self: number[] = [0];
  private readonly children: Array<Map<number, number>> = [new Map()];

  /** Adds `count` samples of a stack given top (leaf) first, as logs write them. */
  add(topFirst: number[], count: number): void {
    let node = 0;
    for (let i = topFirst.length - 1; i >= 0; i--) node = this.child(node, topFirst[i]);
    this.self[node] += count;
  }

  get size(): number {
    return this.frame.length;
  }

  childrenOf(node: number): Iterable<number> {
    return this.children[node].values();
  }

  /** Samples at or under each node. */
  totals(): number[] {
    const total = this.self.slice();
    // Children always come after their parent, so one backward pass adds each subtree up.
    for (let node = this.size - 1; node > 0; node--) total[this.parent[node]] += total[node];
    return total;
  }

  /** Frame ids from the root's child down to `node`. */
  pathTo(node: number): number[] {
    const path: number[] = [];
    for (let n = node; n > 0; n = this.parent[n]) path.push(this.frame[n]);
    return path.reverse();
  }

  private child(node: number, frame: number): number {
    let child = this.children[node].get(frame);
    if (child === undefined) {
      child = this.frame.push(frame) - 1;
      this.parent.push(node);
      this.self.push(0);
      this.children.push(new Map());
      this.children[node].set(frame, child);
    }
    return child;
  }
}
