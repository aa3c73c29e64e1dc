/**
 * One console's state over one attached process: the thread its commands apply
 * to (`thread N`), what it learnt of each thread's scripts and module scopes,
 * and the deadline every command's waits obey. Commands fail with CommandFailed:
 * one line, and the console goes on.
 */
import type { MonitorConfig } from '../config';
import { withDeadline } from '../capture/cdp';
import type { AttachedProcess } from '../attach/session';
import { workingDirectoryOf } from '../attach/target-process';
import type { JsThread } from '../threads/target-threads';
import type { RequestReader } from '../capture/capturer';

export class CommandFailed extends Error {
  constructor(
    message: string,
    /** How long the thread was busy with the command that failed (an eval stopped at its deadline). */
    readonly stoppedMs?: number,
  ) {
    super(message);
    this.name = 'CommandFailed';
  }
}

/** What a command hands back: text for people, and how long it stopped the thread. */
export interface Outcome {
  text: string;
  /** Milliseconds the thread was stopped (or busy with tripod's call); absent when nothing ran on it. */
  stoppedMs?: number;
}

/** A loaded script of one thread, as the Debugger domain reported it. */
export interface LoadedScript {
  scriptId: string;
  url: string;
  /** The file path for file: URLs; else the URL. */
  path: string;
  isModule: boolean;
}

export class MonitorSession {
  private current: JsThread;
  /** Per thread id: the scripts listed by the last `modules` (or the first lookup). */
  readonly scripts = new Map<number, LoadedScript[]>();
  /** Per thread id and script id: the object id of the module's top-level scope, once found. */
  readonly moduleScopes = new Map<string, { scopeId?: string; exportsId?: string; kind: string }>();
  /** Script sources fetched for list and who, by thread id and script id. */
  readonly sources = new Map<string, string>();
  /** The target's working directory, for ./relative module names. */
  readonly cwd: string;

  constructor(
    readonly target: AttachedProcess,
    readonly config: MonitorConfig,
  ) {
    this.current = target.threads.mainThread();
    this.cwd = workingDirectoryOf(target.attachment.pid) ?? '/';
  }

  get pid(): number {
    return this.target.attachment.pid;
  }

  get thread(): JsThread {
    return this.current;
  }

  /** The thread's name as the timing line says it. */
  get threadLabel(): string {
    return this.current.isMain ? 'main thread' : `thread ${this.current.threadId}`;
  }

  useThread(thread: JsThread): void {
    this.current = thread;
  }

  private requestReader?: RequestReader;

  /** The reader of a process's requests where tripod keeps no table, made once for the session (it follows them). */
  socketRequests(make: () => RequestReader): RequestReader {
    this.requestReader ??= make();
    return this.requestReader;
  }

  /** Waits for the thread up to --timeout: past it, one line and the console goes on (the late answer is dropped). */
  async answer<T>(work: Promise<T>, what: string): Promise<T> {
    const outcome = await withDeadline(work, this.config.timeoutMs);
    if (outcome.answered) return outcome.value;
    outcome.late.catch(() => {});
    if (this.current.isMain) this.target.mainBlocked = true;
    throw new CommandFailed(`${what}: the ${this.threadLabel} did not answer within ${this.config.timeoutMs / 1000} s (busy in a native call, or blocked); the console goes on — threads and quit still work`);
  }

  /** A command that reached the thread once more: detaching may wait for it again. */
  answered(): void {
    if (this.current.isMain) this.target.mainBlocked = false;
  }
}


/** The key of per-thread, per-script caches. */
export function scriptKey(threadId: number, scriptId: string): string {
  return `${threadId}:${scriptId}`;
}
