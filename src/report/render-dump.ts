/**
 * `tripod dump` for people: the process, then each thread headed as Sleeper
 * Agent headed them ("### Thread <id>"), its stack in Node's form, and with
 * --locals the full backtrace with local variables, as the log shows samples.
 * With --children, each process below it follows, indented by its depth.
 */
import type { DumpRecord, ThreadCapture } from '../record/records';
import { describeState, renderCapture, threadLabel } from './render-record';
import { plain, terminalSafe } from './terminal-text';

const VIA: Record<DumpRecord['attached']['via'], string> = {
  inspector: 'through its open inspector',
  signal: 'through SIGUSR1',
  agent: 'through the tripod agent',
};

/** The whole dump, with no control character but its newlines (terminal-text.ts). */
export function renderDump(d: Omit<DumpRecord, 'event'>): string {
  return terminalSafe(dumpText(d));
}

function dumpText(d: Omit<DumpRecord, 'event'>): string {
  const count = `${d.threads.length} JavaScript thread${d.threads.length === 1 ? '' : 's'}`;
  const parent = d.ppid !== undefined ? ` (child of ${d.ppid})` : '';
  const head = `Process ${d.attached.pid}${parent}: node ${plain(d.node ?? '')} ${plain(d.argv.slice(1).join(' '))}`.replace(/ {2,}/g, ' ');
  const lines = [`${head}`, `${count}, reached ${VIA[d.attached.via]}${d.workersUnknown ? '; workers unknown: the main thread did not answer' : ''}`];
  for (const thread of d.threads) lines.push('', renderThread(thread));
  return lines.join('\n');
}

export function renderThread(t: ThreadCapture): string {
  const where = t.threadUrl ? ` (${plain(t.threadUrl)})` : '';
  const state = describeState(t, t.threadId === 0 ? 'main thread' : 'thread');
  return renderCapture(`### ${capitalised(threadLabel(t))}${where}: ${state}`, t);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A process below the target in dump --children: its dump, or why it has none. */
export interface TreeEntry {
  pid: number;
  ppid: number;
  depth: number;
  dump?: Omit<DumpRecord, 'event'>;
  why?: string;
}

/** The target's dump, then each process below it, indented two spaces a level. */
export function renderDumpTree(root: Omit<DumpRecord, 'event'>, children: TreeEntry[]): string {
  const parts = [renderDump(root)];
  for (const child of children) {
    const text = child.dump ? renderDump(child.dump) : terminalSafe(`Process ${child.pid} (child of ${child.ppid}): ${child.why}`);
    const indent = '  '.repeat(child.depth);
    parts.push(text.split('\n').map((line) => (line ? indent + line : line)).join('\n'));
  }
  return parts.join('\n\n');
}
