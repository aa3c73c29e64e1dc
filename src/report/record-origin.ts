/**
 * Which process and which thread a log record is of, the one rule that report,
 * show and the --pid/--thread filters read. A record's process is the pid pino
 * wrote on it: the runner's tripod writes its own process's (one tripod per
 * process with --children), `tripod record PID` writes the target's (and each
 * followed child's on that child's records, with --children); a dump names its
 * process in `attached` too. Its thread is its `threadId`; absent is the main
 * thread (0, as Node numbers it).
 */
import * as path from 'node:path';
import type { StartRecord } from '../record/records';
import { plain } from './terminal-text';

export const MAIN_THREAD = 0;

export interface RecordOrigin {
  pid?: number;
  threadId: number;
  threadName?: string;
}

type LogRecord = Record<string, unknown>;

export function processOf(record: LogRecord): number | undefined {
  if (typeof record.pid === 'number') return record.pid;
  const attached = record.attached as StartRecord['attached'];
  return typeof attached?.pid === 'number' ? attached.pid : undefined;
}

function threadOf(record: LogRecord): number {
  return typeof record.threadId === 'number' ? record.threadId : MAIN_THREAD;
}

/** Reads a log in order and says each record's origin, keeping each process's command line (from its start record) and its threads' names. */
export class LogOrigins {
  private readonly commands = new Map<number, string>();
  private readonly threadNames = new Map<string, string>();

  /** Notes what a record says about its run and process; call it for every record, in order. */
  note(record: LogRecord): RecordOrigin {
    if (record.event === 'start') {
      const start = record as unknown as StartRecord;
      const pid = processOf(record);
      if (pid !== undefined && Array.isArray(start.argv)) this.commands.set(pid, commandLine(start.argv));
    }
    const origin = this.originOf(record);
    if (origin.threadName !== undefined && origin.pid !== undefined) this.threadNames.set(`${origin.pid}:${origin.threadId}`, origin.threadName);
    return origin;
  }

  originOf(record: LogRecord): RecordOrigin {
    const pid = processOf(record);
    const threadName = typeof record.threadName === 'string' ? record.threadName : undefined;
    return { pid, threadId: threadOf(record), ...(threadName !== undefined ? { threadName } : {}) };
  }

  /** "process 4312 (node build.js)", or "process 4312" when its start record was not seen. */
  processLabel(pid: number | undefined): string {
    if (pid === undefined) return 'process unknown';
    const command = this.commands.get(pid);
    return command ? `process ${pid} (${command})` : `process ${pid}`;
  }

  /** "main thread", "thread 2 (pool worker)", or "thread 2". */
  threadLabel(origin: RecordOrigin): string {
    if (origin.threadId === MAIN_THREAD) return 'main thread';
    const name = origin.threadName ?? this.threadNames.get(`${origin.pid}:${origin.threadId}`);
    return name ? `thread ${origin.threadId} (${plain(name)})` : `thread ${origin.threadId}`;
  }
}

/** "node build.js --watch" from ["/usr/bin/node", "--inspect-port=0", "/app/build.js", "--watch"]: node's own flags left out, cut to a readable length. */
export function commandLine(argv: string[]): string {
  const [exe = 'node', ...args] = argv.map(String);
  const script = args.findIndex((arg) => !arg.startsWith('-'));
  const words = script < 0 ? [path.basename(exe), ...args] : [path.basename(exe), path.basename(args[script]), ...args.slice(script + 1)];
  const text = plain(words.join(' '));
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
