/**
 * Every stack of a report folded into one call tree (root first), with the
 * samples that ended at each node. Its size grows with the number of distinct
 * stacks, not with the number of samples, so a report holds no record in memory.
 * Nodes live in flat arrays and one hash index (parent, frame) -> child, which
 * costs far less per node than an object or a Map each, and finding a child is
 * the report's hottest path (measured: half its time with a Map).
 */

export class StackTree {
  /** Per node: its frame id (-1 for the root), parent, and samples ending there. */
  readonly frame: number[] = [-1];
  readonly parent: number[] = [-1];
  readonly self: number[] = [0];
  private readonly index = new ChildIndex();
  private children?: { start: Int32Array; list: Int32Array };

  /** Adds `count` samples of a stack given top (leaf) first, as logs write them. */
  add(topFirst: number[], count: number): void {
    let node = 0;
    for (let i = topFirst.length - 1; i >= 0; i--) node = this.child(node, topFirst[i]);
    this.self[node] += count;
  }

  get size(): number {
    return this.frame.length;
  }

  childrenOf(node: number): Int32Array {
    this.children ??= this.childLists();
    return this.children.list.subarray(this.children.start[node], this.children.start[node + 1]);
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
    let child = this.index.get(node, frame);
    if (child < 0) {
      child = this.frame.push(frame) - 1;
      this.parent.push(node);
      this.self.push(0);
      this.index.set(node, frame, child);
      this.children = undefined;
    }
    return child;
  }

  /** Every node's children, grouped by parent (a counting sort over the parent array). */
  private childLists(): { start: Int32Array; list: Int32Array } {
    const start = new Int32Array(this.size + 1);
    for (let node = 1; node < this.size; node++) start[this.parent[node] + 1]++;
    for (let i = 0; i < this.size; i++) start[i + 1] += start[i];
    const fill = start.slice(0, this.size);
    const list = new Int32Array(Math.max(0, this.size - 1));
    for (let node = 1; node < this.size; node++) list[fill[this.parent[node]]++] = node;
    return { start, list };
  }
}

/** Open addressing over typed arrays: (parent, frame) -> child, -1 when absent. */
class ChildIndex {
  private parents = new Int32Array(1024).fill(-1);
  private frames = new Int32Array(1024);
  private children = new Int32Array(1024);
  private count = 0;

  get(parent: number, frame: number): number {
    const mask = this.parents.length - 1;
    for (let slot = hash(parent, frame) & mask; ; slot = (slot + 1) & mask) {
      if (this.parents[slot] === -1) return -1;
      if (this.parents[slot] === parent && this.frames[slot] === frame) return this.children[slot];
    }
  }

  set(parent: number, frame: number, child: number): void {
    if (2 * (this.count + 1) > this.parents.length) this.grow();
    this.place(parent, frame, child);
    this.count++;
  }

  private place(parent: number, frame: number, child: number): void {
    const mask = this.parents.length - 1;
    let slot = hash(parent, frame) & mask;
    while (this.parents[slot] !== -1) slot = (slot + 1) & mask;
    this.parents[slot] = parent;
    this.frames[slot] = frame;
    this.children[slot] = child;
  }

  private grow(): void {
    const { parents, frames, children } = this;
    this.parents = new Int32Array(parents.length * 2).fill(-1);
    this.frames = new Int32Array(parents.length * 2);
    this.children = new Int32Array(parents.length * 2);
    for (let slot = 0; slot < parents.length; slot++) if (parents[slot] !== -1) this.place(parents[slot], frames[slot], children[slot]);
  }
}

function hash(parent: number, frame: number): number {
  return Math.imul(parent ^ Math.imul(frame, 0x85ebca6b), 0x9e3779b1) >>> 7;
}
