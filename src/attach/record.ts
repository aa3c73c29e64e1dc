/**
 * `tripod record PID`: samples every JavaScript thread of a running process at a
 * fixed interval into a log of the runner's format (start, sample…, end), so
 * `tripod show` reads it as it reads the runner's. Each thread has its own
 * schedule (the runner's PeriodicSampler); workers that start later join in.
 */
import type { Capturer } from '../capture/capturer';
import type { SampleLog } from '../log/logger';
import { type EndRecord, LOG_FORMAT } from '../log/records';
import { PeriodicSampler } from '../sample/periodic';
import type { Sample } from '../sample/types';
import { type CaptureOptions, capturerFor, tagged, withoutUnaskedNote } from './dump';
import { type AttachedProcess, EXITING_WAIT_MS, exitsWithin, withAttached } from './session';
import type { JsThread } from './threads';
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

export function recordProcess(pid: number, options: RecordOptions, log: SampleLog, version: string, hooks: RecordHooks = {}): Promise<RecordResult> {
  return withAttached(pid, options.timeoutMs, (target) => recordAttached(target, options, log, version, hooks));
}

/** How long recording waits for the target's lease to be armed before its first sample (a blocked main thread arms it later). */
const LEASE_WAIT_MS = 1000;

async function recordAttached({ attachment, threads }: AttachedProcess, options: RecordOptions, log: SampleLog, version: string, hooks: RecordHooks): Promise<RecordResult> {
  // Before the samplers start, so its reads never fall inside a sample's stop.
  await attachment.holdLease(LEASE_WAIT_MS);
  log.start({
    format: LOG_FORMAT,
    tripod: version,
    node: attachment.node ?? 'unknown',
    script: attachment.script,
    argv: attachment.argv,
    interval: options.intervalMs / 1000,
    timeoutMs: options.timeoutMs,
    localsBudget: options.localsBudget,
    limits: options.limits,
    attached: { pid: attachment.pid, via: attachment.route, ...(options.durationMs ? { duration: options.durationMs / 1000 } : {}) },
  });
  let seq = 0;
  const running = new Map<JsThread, { sampler: PeriodicSampler; capturer: Capturer }>();
  const write = (thread: JsThread) => (captured: Omit<Sample, 'seq'>) => {
    // A capture cut short by the target's exit is not a sample.
    if (attachment.gone) return;
    if (thread.isMain && captured.state === 'idle') attachment.noteIdle();
    const sample = withoutUnaskedNote(captured, options.limits);
    if (thread.isMain) log.sample({ seq: ++seq, ...sample });
    else log.sample({ ...tagged(thread, sample), seq: ++seq });
  };
  const begin = (thread: JsThread) => {
    const capturer = capturerFor(thread, attachment.pid, options);
    const sampler = new PeriodicSampler(capturer, options.intervalMs, write(thread));
    running.set(thread, { sampler, capturer });
    debug('thread %s joins (%s), sampled every %s ms', thread.name, thread.isMain ? 'main' : 'worker', options.intervalMs);
    sampler.start();
  };
  const end = async (thread: JsThread) => {
    const entry = running.get(thread);
    running.delete(thread);
    await entry?.sampler.stop();
    entry?.capturer.dispose();
  };
  // Workers join as the main thread reports them, now and later.
  threads.list().forEach(begin);
  threads.watch(begin, (thread) => void end(thread));

  const started = performance.now();
  const progress = setInterval(() => hooks.progress?.(performance.now() - started, seq), PROGRESS_MS);
  const detached = await until(options.durationMs, attachment, hooks.abort);
  clearInterval(progress);
  await Promise.all([...running.keys()].map(end));
  hooks.progress?.(performance.now() - started, seq);
  debug('ended: %s samples, %s', seq, detached);
  log.end({ samples: seq, detached });
  return { samples: seq, detached };
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
