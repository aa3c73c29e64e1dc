/**
 * `tripod record PID`: samples every JavaScript thread of a running process at a
 * fixed interval into a log of the runner's format (start, sample…, end), so
 * `tripod show` reads it as it reads the runner's. A thin adapter over the one
 * Recording: each thread has its own schedule; workers that start later join in.
 * With --children, each Node process the target starts later (child-watch.ts)
 * is recorded the same way, through its own attach, into the same log under its
 * own pid; its recording ends as it exits, or with the target's.
 */
import type { EndRecord } from '../record/records';
import { UserError } from '../errors';
import { ATTACH_EXIT } from './exit-codes';
import { type ChildEvent, ChildWatch, nodeChild } from './child-watch';
import type { RecordSink } from '../record/sink';
import { type CaptureOptions, remoteCapturer, withoutUnaskedNote } from '../recording/capturers';
import { Recording } from '../recording/recording';
import { type AttachedProcess, EXITING_WAIT_MS, exitsWithin, withAttached } from './session';
import { joinThreads } from '../threads/join-threads';
import { debugLog } from '../diagnostics/debug-log';
import { SocketRequests } from '../requests/socket-requests';

const debug = debugLog('record');

export interface RecordOptions extends CaptureOptions {
  intervalMs: number;
  /** Absent: until aborted or the target exits. */
  durationMs?: number;
  /** The parent, on a child's start record (record --children). */
  ppid?: number;
  /** --requests: a process tripod did not start has its server requests in flight read from its open sockets. */
  requests?: boolean;
}

/** record --children: where each child's records go, and what to say of each child found. */
export interface ChildHooks {
  sinkFor(pid: number): RecordSink;
  onChild?(event: ChildEvent): void;
}

export interface RecordHooks {
  /** Ctrl-C: stop, write the end record, detach. */
  abort?: AbortSignal;
  /** Called a few times a second while recording. */
  progress?(elapsedMs: number, samples: number): void;
  /** The start record is written: the process is being recorded. */
  started?(): void;
  /** Set: follow the children (record --children). */
  children?: ChildHooks;
}

export type Detached = NonNullable<EndRecord['detached']>;

export interface RecordResult {
  samples: number;
  detached: Detached;
  /** What the samples stopped the main thread, in ms (their stoppedMs summed). */
  mainStoppedMs: number;
  /** Threads recorded, the main thread included (of every process, with --children). */
  threads: number;
  /** Processes recorded: 1, or with --children the target and each child followed. */
  processes: number;
}

const PROGRESS_MS = 250;

export function recordProcess(pid: number, options: RecordOptions, sink: RecordSink, version: string, hooks: RecordHooks = {}): Promise<RecordResult> {
  // A recording stays: through SIGUSR1 it moves to the relay's socket and closes the port.
  return withAttached(pid, options.timeoutMs, (target) => recordAttached(target, options, sink, version, hooks), undefined, { longLived: true });
}

/** How long recording waits for the target's lease to be armed before its first sample (a blocked main thread arms it later). */
const LEASE_WAIT_MS = 1000;

async function recordAttached({ attachment, threads }: AttachedProcess, options: RecordOptions, sink: RecordSink, version: string, hooks: RecordHooks): Promise<RecordResult> {
  // Before the samplers start, so its reads never fall inside a sample's stop.
  await attachment.holdLease(LEASE_WAIT_MS);
  let mainStoppedMs = 0;
  const recording = new Recording(sink, options, {
    admit(thread, captured) {
      // A capture cut short by the target's exit is not a sample.
      if (attachment.gone) return undefined;
      if (thread.isMain && captured.state === 'idle') attachment.noteIdle();
      if (thread.isMain) mainStoppedMs += captured.stoppedMs;
      return withoutUnaskedNote(captured, options.limits);
    },
  });
  recording.start({
    tripod: version,
    node: attachment.node,
    script: attachment.script,
    argv: attachment.argv,
    ppid: options.ppid,
    attached: { pid: attachment.pid, via: attachment.route, durationMs: options.durationMs },
  });
  hooks.started?.();
  let threadsSeen = 0;
  // Workers join as the main thread reports them, now and later.
  joinThreads(threads, recording, (thread) => {
    debug('thread %s joins (%s), sampled every %s ms', thread.name, thread.isMain ? 'main' : 'worker', options.intervalMs);
    threadsSeen++;
    return remoteCapturer(thread, attachment.pid, options, thread.isMain && options.requests ? new SocketRequests(thread.client) : undefined);
  }, 'all');
  const children = hooks.children ? followChildren(attachment.pid, options, version, hooks.children) : undefined;

  const started = performance.now();
  const progress = setInterval(() => hooks.progress?.(performance.now() - started, recording.samples), PROGRESS_MS);
  const detached = await until(options.durationMs, attachment, hooks.abort);
  clearInterval(progress);
  await recording.stopSampling();
  // The children's end records come before the target's, which counts them.
  const tree = await children?.stop(detached);
  hooks.progress?.(performance.now() - started, recording.samples + (tree?.samples ?? 0));
  debug('ended: %s samples, %s', recording.samples, detached);
  const counts = { processes: 1 + (tree?.processes ?? 0), threads: threadsSeen + (tree?.threads ?? 0) };
  recording.end({}, { detached, ...(tree ? counts : {}) });
  return { samples: recording.samples + (tree?.samples ?? 0), detached, mainStoppedMs, ...counts };
}

/** Records each Node child as it is found, each through its own attach; `stop` ends them all and says what they recorded. */
function followChildren(root: number, options: RecordOptions, version: string, hooks: ChildHooks) {
  const abort = new AbortController();
  const runs: Array<Promise<void>> = [];
  const tree = { processes: 0, threads: 0, samples: 0 };
  const childOptions: RecordOptions = { ...options, durationMs: undefined };
  // A process that exec's (sh, then what it runs) is looked at again; what is not Node is said once per pid.
  const leftAlone = new Set<number>();
  const watch = new ChildWatch(root, (child) => {
    const found = nodeChild(child);
    if ('why' in found) {
      if (!leftAlone.has(child.pid)) hooks.onChild?.({ kind: 'skipped', child, why: found.why });
      leftAlone.add(child.pid);
      return;
    }
    debug('child %s of %s found: %s', child.pid, child.ppid, found.argv.join(' '));
    const started = () => hooks.onChild?.({ kind: 'followed', child, argv: found.argv });
    const run = recordProcess(child.pid, { ...childOptions, ppid: child.ppid }, hooks.sinkFor(child.pid), version, { abort: abort.signal, started }).then(
      (result) => {
        tree.processes++;
        tree.threads += result.threads;
        tree.samples += result.samples;
        hooks.onChild?.({ kind: 'ended', child, samples: result.samples, threads: result.threads });
      },
      (error: unknown) => hooks.onChild?.({ kind: 'skipped', child, why: whyNotFollowed(error) }),
    );
    runs.push(run);
  });
  watch.start();
  return {
    async stop(why: Detached) {
      watch.stop();
      // A child lives on when the target exits or is let go: its recording was stopped, not ended by it.
      abort.abort(why === 'duration' ? 'duration' : 'interrupted');
      await Promise.all(runs);
      return tree;
    },
  };
}

/** A child's attach failure in words: one that exited first ended before it could be followed. */
function whyNotFollowed(error: unknown): string {
  if (error instanceof UserError && (error.exitCode === ATTACH_EXIT.targetExited || error.exitCode === ATTACH_EXIT.noSuchProcess)) return 'it ended before it could be followed';
  return String((error as Error)?.message ?? error).replace(/^tripod: /, '');
}

function until(durationMs: number | undefined, attachment: AttachedProcess['attachment'], abort?: AbortSignal): Promise<Detached> {
  return new Promise((resolve) => {
    const timer = durationMs ? setTimeout(() => finish('duration'), durationMs) : undefined;
    const onAbort = () => finish(abort?.reason === 'duration' ? 'duration' : 'interrupted');
    function finish(why: Detached) {
      clearTimeout(timer);
      abort?.removeEventListener('abort', onAbort);
      resolve(why);
    }
    if (abort?.aborted) return onAbort();
    abort?.addEventListener('abort', onAbort, { once: true });
    // A session cut while the target lives on is not its exit (a process that ends takes a moment to go).
    attachment.onGone(() => void exitsWithin(attachment.pid, EXITING_WAIT_MS).then((exited) => finish(exited ? 'target exited' : 'connection lost')));
  });
}
