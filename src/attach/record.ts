/**
 * `tripod record PID`: samples every JavaScript thread of a running process at a
 * fixed interval into a log of the runner's format (start, sample…, end), so
 * `tripod show` reads it as it reads the runner's. A thin adapter over the one
 * Recording: each thread has its own schedule; workers that start later join in.
 */
import type { EndRecord } from '../record/records';
import type { RecordSink } from '../record/sink';
import { type CaptureOptions, remoteCapturer, withoutUnaskedNote } from '../recording/capturers';
import { Recording } from '../recording/recording';
import { type AttachedProcess, EXITING_WAIT_MS, exitsWithin, withAttached } from './session';
import { joinThreads } from '../threads/join-threads';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('record');

export interface RecordOptions extends CaptureOptions {
  intervalMs: number;
  /** Absent: until aborted or the target exits. */
  durationMs?: number;
}

export interface RecordHooks {
  /** Ctrl-C: stop, write the end record, detach. */
  abort?: AbortSignal;
  /** Called a few times a second while recording. */
  progress?(elapsedMs: number, samples: number): void;
}

export type Detached = NonNullable<EndRecord['detached']>;

export interface RecordResult {
  samples: number;
  detached: Detached;
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
  const recording = new Recording(sink, options, {
    admit(thread, captured) {
      // A capture cut short by the target's exit is not a sample.
      if (attachment.gone) return undefined;
      if (thread.isMain && captured.state === 'idle') attachment.noteIdle();
      return withoutUnaskedNote(captured, options.limits);
    },
  });
  recording.start({
    tripod: version,
    node: attachment.node,
    script: attachment.script,
    argv: attachment.argv,
    attached: { pid: attachment.pid, via: attachment.route, durationMs: options.durationMs },
  });
  // Workers join as the main thread reports them, now and later.
  joinThreads(threads, recording, (thread) => {
    debug('thread %s joins (%s), sampled every %s ms', thread.name, thread.isMain ? 'main' : 'worker', options.intervalMs);
    return remoteCapturer(thread, attachment.pid, options);
  }, 'all');

  const started = performance.now();
  const progress = setInterval(() => hooks.progress?.(performance.now() - started, recording.samples), PROGRESS_MS);
  const detached = await until(options.durationMs, attachment, hooks.abort);
  clearInterval(progress);
  await recording.stopSampling();
  hooks.progress?.(performance.now() - started, recording.samples);
  debug('ended: %s samples, %s', recording.samples, detached);
  recording.end({}, { detached });
  return { samples: recording.samples, detached };
}

function until(durationMs: number | undefined, attachment: AttachedProcess['attachment'], abort?: AbortSignal): Promise<Detached> {
  return new Promise((resolve) => {
    const timer = durationMs ? setTimeout(() => finish('duration'), durationMs) : undefined;
    const onAbort = () => finish('interrupted');
    function finish(why: Detached) {
      clearTimeout(timer);
      abort?.removeEventListener('abort', onAbort);
      resolve(why);
    }
    if (abort?.aborted) return finish('interrupted');
    abort?.addEventListener('abort', onAbort, { once: true });
    // A session cut while the target lives on is not its exit (a process that ends takes a moment to go).
    attachment.onGone(() => void exitsWithin(attachment.pid, EXITING_WAIT_MS).then((exited) => finish(exited ? 'target exited' : 'connection lost')));
  });
}
