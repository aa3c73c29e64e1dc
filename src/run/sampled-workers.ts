/**
 * --threads in the runner: the program's worker_threads Workers, reached as
 * `tripod record PID` reaches them (threads/target-threads.ts), but over an
 * in-process session of the sampler's rather than a port. Each joins the
 * recording as it starts, on the main thread's schedule, and leaves it as it
 * ends; tripod's own sampler is skipped by name. Loaded only with --threads:
 * without it no NodeWorker domain is enabled. Worker sessions are relayed by
 * the main thread, so every message to or from a worker costs it a little.
 * With --watchdog each worker's own stalls are watched too (watchdog/worker-watch.ts);
 * with --profile each worker is profiled too, over its own session
 * (profile/thread-profiles.ts).
 */
import { Session } from 'node:inspector';
import { CdpConnection } from '../capture/cdp-connection';
import { sessionTransport } from '../capture/session-transport';
import type { ProfileConfig } from '../config';
import type { ThreadProfiles } from '../profile/thread-profiles';
import type { RecordSink } from '../record/sink';
import { type CaptureOptions, remoteCapturer } from '../recording/capturers';
import type { Recording } from '../recording/recording';
import { joinThreads } from '../threads/join-threads';
import { type JsThread, TargetThreads } from '../threads/target-threads';
import type { WorkerStallWatch, WorkerWatchdog } from '../watchdog/worker-watch';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('sample');

export interface SampledWorkers {
  /** Ends every worker's stall watch, its pending stall records written (before the recording's end). */
  stopWatching(): Promise<void>;
  /** Lets every worker go and disconnects the session (after the recording stopped sampling). */
  stop(): Promise<void>;
  /** With --profile: writes each worker's last profile samples (before the end record) and says how many they wrote in all. */
  stopProfiles(): Promise<number>;
}

/** --profile's rate, and where the workers' profile records go. */
export interface WorkerProfiling {
  config: ProfileConfig;
  sink: RecordSink;
}

/** What each worker gets beside its samples: a stall watch (--watchdog), a profile (--profile). */
export interface WorkerExtras {
  watchdog?: WorkerWatchdog;
  profiling?: WorkerProfiling;
}

export function sampleWorkers(recording: Recording, options: CaptureOptions, { watchdog, profiling }: WorkerExtras = {}): SampledWorkers {
  const session = new Session();
  session.connectToMainThread();
  const main = new CdpConnection(sessionTransport(session));
  // With --profile a worker starts once its profiler runs, as the main thread's script does.
  const threads = new TargetThreads(main, Boolean(profiling));
  const watches = new Map<JsThread, WorkerStallWatch>();
  const leaving = new Set<Promise<void>>();
  joinThreads(threads, recording, (thread) => {
    debug('worker %s (thread %s) joins', thread.name, thread.threadId);
    const capturer = remoteCapturer(thread, process.pid, options);
    if (watchdog) watches.set(thread, watchWorker(thread, capturer, watchdog));
    return capturer;
  }, 'workers');
  threads.watch(() => {}, (thread) => {
    const stopping = watches.get(thread)?.stop();
    watches.delete(thread);
    if (stopping) leaving.add(stopping);
  });
  const profiles = profiling ? profileWorkers(threads, profiling) : undefined;
  // The workers that already run are reported before enable is answered, and joined as they are.
  void threads.start().catch((error: unknown) => debug('NodeWorker.enable failed: %s', (error as Error).message));
  return {
    async stopWatching() {
      await Promise.all([...[...watches.values()].map((watch) => watch.stop()), ...leaving]);
      watches.clear();
    },
    async stopProfiles() {
      await profiles?.stop();
      return profiles?.samples ?? 0;
    },
    async stop() {
      await threads.stop();
      main.close();
    },
  };
}

/** Loaded only with --watchdog. */
function watchWorker(thread: JsThread, capturer: ReturnType<typeof remoteCapturer>, watchdog: WorkerWatchdog): WorkerStallWatch {
  const { WorkerStallWatch: Watch } = require('../watchdog/worker-watch') as typeof import('../watchdog/worker-watch');
  return new Watch({ threadId: thread.threadId, threadName: thread.name, threadUrl: thread.url, client: thread.client }, capturer, watchdog);
}

/** Loaded only with --profile. */
function profileWorkers(threads: TargetThreads, { config, sink }: WorkerProfiling): ThreadProfiles {
  const { ThreadProfiles: Profiles } = require('../profile/thread-profiles') as typeof import('../profile/thread-profiles');
  const profiles = new Profiles(config, sink, (thread) => threads.detach(thread));
  threads.watch((thread, held) => profiles.add(thread, held), (thread) => void profiles.remove(thread));
  return profiles;
}
