/**
 * A process's descendants, read from /proc: each thread's `children` file lists
 * the processes it forked (Linux 3.5+, CONFIG_PROC_CHILDREN), walked to any
 * depth. Read only: nothing is sent to any process here.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessNode {
  pid: number;
  ppid: number;
  /** Depth below the root: 1 for its children. */
  depth: number;
}

/** Every live descendant of `root`, parents before their children (depth first, in pid order). */
export function descendantsOf(root: number): ProcessNode[] {
  const found: ProcessNode[] = [];
  const seen = new Set<number>([root]);
  const walk = (pid: number, depth: number) => {
    for (const child of childrenOf(pid)) {
      if (seen.has(child)) continue;
      seen.add(child);
      found.push({ pid: child, ppid: pid, depth });
      walk(child, depth + 1);
    }
  };
  walk(root, 1);
  return found;
}

/** The children of every thread of `pid` (a worker thread may fork too); none for a process gone. */
function childrenOf(pid: number): number[] {
  const children = new Set<number>();
  for (const task of listDir(`/proc/${pid}/task`)) {
    for (const word of readText(`/proc/${pid}/task/${task}/children`).split(' ')) if (/^\d+$/.test(word)) children.add(Number(word));
  }
  return [...children].sort((a, b) => a - b);
}

/** When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat): with its pid, who it is, for the pid's reuse. */
export function startTicks(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  // The command name (field 2) is in parentheses and may hold spaces or ")": count from the last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/** Its command line as the kernel shows it (changes at exec). */
export function commandLineOf(pid: number): string {
  return readText(`/proc/${pid}/cmdline`);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
