/**
 * `record PID --children` and `dump PID --children`: the Node processes a
 * target starts, at any depth, found through /proc (process-tree.ts). A process
 * is taken once it has looked the same on two looks in a row — between fork and
 * exec a child is a copy of its parent, and SIGUSR1 to a process that is not
 * yet (or no longer) Node would kill it — and, if it is Node, once it handles
 * SIGUSR1 (a Node process installs its handler some milliseconds into its
 * start-up; before that the signal would end it) or has the agent's socket, or
 * READY_WAIT_MS after it was first seen. The attach routes check the rest (that
 * it handles SIGUSR1, a free inspector port) before they send anything. A child
 * that is not Node is reported once and left alone; its own children are still
 * looked at.
 */
import * as path from 'node:path';
import { UserError } from '../errors';
import { unixListeners } from './proc-sockets';
import { isAgentSocketOf } from './agent-protocol';
import { commandLineOf, descendantsOf, type ProcessNode, startTicks } from './process-tree';
import { findTarget, looksLikeNode } from './target-process';

/** How often /proc is looked at for new children: a child that lives less than this may be missed. */
const FOLLOW_POLL_MS = 100;
/** How long a Node child may take to be reachable (its SIGUSR1 handler, the agent's socket) before it is taken as it is. */
const READY_WAIT_MS = 2000;

export type ChildEvent =
  | { kind: 'followed'; child: ProcessNode; argv: string[] }
  | { kind: 'skipped'; child: ProcessNode; why: string }
  | { kind: 'ended'; child: ProcessNode; samples: number; threads: number };

/**
 * Whether a descendant is a Node process tripod may attach to: its argv when it
 * is, else why not (not Node, gone, not ours to signal) in words.
 */
export function nodeChild(child: ProcessNode): { argv: string[] } | { why: string } {
  try {
    const target = findTarget(child.pid);
    if (!looksLikeNode(target) && !hasAgent(child.pid)) return { why: `not Node.js (${path.basename(target.exe)}), left alone` };
    return { argv: target.argv };
  } catch (error) {
    if (error instanceof UserError) return { why: error.message.replace(/^tripod: /, '') };
    throw error;
  }
}

/** Waits (up to READY_WAIT_MS) for a child in its start-up to become reachable, as ChildWatch does, for a one-off look (dump). */
export async function untilSettled(pid: number): Promise<void> {
  const deadline = performance.now() + READY_WAIT_MS;
  while (!settled(pid) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Whether a child is as it will stay: not Node, or Node that can be reached (or that cannot, by its own flags); gone counts too. */
function settled(pid: number): boolean {
  try {
    const target = findTarget(pid);
    return !looksLikeNode(target) || target.catchesSigusr1 || target.flags.sigusr1Disabled || hasAgent(pid);
  } catch {
    return true;
  }
}

function hasAgent(pid: number): boolean {
  return unixListeners(pid).some((socket) => isAgentSocketOf(socket, pid));
}

/** Polls the root's descendants and hands each new one, once, to `take` (after two looks that agree). */
export class ChildWatch {
  private readonly firstLook = new Map<number, { identity: string; at: number }>();
  private readonly taken = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly root: number,
    private readonly take: (child: ProcessNode) => void,
  ) {}

  start(): void {
    this.look();
    this.timer = setInterval(() => this.look(), FOLLOW_POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private look(): void {
    const present = new Set<number>();
    for (const child of descendantsOf(this.root)) {
      present.add(child.pid);
      const identity = identityOf(child.pid);
      if (identity === undefined || this.taken.has(identity)) continue;
      const first = this.firstLook.get(child.pid);
      if (first?.identity !== identity) {
        this.firstLook.set(child.pid, { identity, at: performance.now() });
        continue;
      }
      if (!settled(child.pid) && performance.now() - first.at < READY_WAIT_MS) continue;
      this.firstLook.delete(child.pid);
      this.taken.add(identity);
      this.take(child);
    }
    for (const pid of this.firstLook.keys()) if (!present.has(pid)) this.firstLook.delete(pid);
  }
}

/** The pid, when it started and what it runs: a pid reused, or a fork that exec'd, is another process. */
function identityOf(pid: number): string | undefined {
  const started = startTicks(pid);
  return started === undefined ? undefined : `${pid}:${started}:${commandLineOf(pid)}`;
}
