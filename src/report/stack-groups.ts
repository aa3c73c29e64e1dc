/**
 * `tripod report --by process|thread`: the report's stacks kept apart per process
 * (or per process and thread), for the table's sections, and put back together
 * under a root frame per group for the flame graph formats, as py-spy roots
 * them: "process 4312 (node build.js)", then "thread 2 (pool worker)".
 */
import type { SampleState } from '../record/sample';
import type { LogOrigins, RecordOrigin } from './record-origin';
import type { ReportFrames } from './report-frames';
import { StackTree } from './stack-tree';

export type StackGrouping = 'process' | 'thread';

export interface StackGroup {
  origin: RecordOrigin;
  tree: StackTree;
  samples: number;
  byState: Record<SampleState, number>;
}

export class StackGroups {
  private readonly groups = new Map<string, StackGroup>();

  constructor(
    readonly by: StackGrouping,
    private readonly origins: LogOrigins,
  ) {}

  add(origin: RecordOrigin, stack: number[], state: SampleState, samples: number): void {
    const key = this.by === 'process' ? `${origin.pid}` : `${origin.pid}:${origin.threadId}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { origin, tree: new StackTree(), samples: 0, byState: { running: 0, idle: 0, blocked: 0 } };
      this.groups.set(key, group);
    }
    group.tree.add(stack, samples);
    group.samples += samples;
    group.byState[state] += samples;
  }

  /** The groups by process id, then thread id (the main thread first). */
  sorted(): StackGroup[] {
    return [...this.groups.values()].sort((a, b) => (a.origin.pid ?? 0) - (b.origin.pid ?? 0) || a.origin.threadId - b.origin.threadId);
  }

  /** The names of a group, root first: its process (when the log holds several, or --by process), then its thread. */
  labels(group: StackGroup): string[] {
    const process = this.origins.processLabel(group.origin.pid);
    if (this.by === 'process') return [process];
    const thread = this.origins.threadLabel(group.origin);
    return this.processes() > 1 ? [process, thread] : [thread];
  }

  /** One tree of every group's stacks, each under its group's root frames. */
  rootedTree(frames: ReportFrames): StackTree {
    const rooted = new StackTree();
    for (const group of this.sorted()) {
      const roots = this.labels(group).map((label) => frames.forGroup(label));
      const { tree } = group;
      for (let node = 1; node < tree.size; node++) {
        if (tree.self[node] > 0) rooted.add([...roots, ...tree.pathTo(node)].reverse(), tree.self[node]);
      }
    }
    return rooted;
  }

  private processes(): number {
    return new Set([...this.groups.values()].map((group) => group.origin.pid)).size;
  }
}
