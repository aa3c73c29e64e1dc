/**
 * --threads in the runner: the program's worker_threads Workers, reached as
 * `tripod record PID` reaches them (threads/target-threads.ts), but over an
 * in-process session of the sampler's rather than a port. Each joins the
 * recording as it starts, on the main thread's schedule, and leaves it as it
 * ends; tripod's own sampler is skipped by name. Loaded only with --threads:
 * without it no NodeWorker domain is enabled. Worker sessions are relayed by
 * the main thread, so every message to or from a worker costs it a little.
 */
import { Session } from 'node:inspector';
import { CdpConnection } from '../capture/cdp-connection';
import { sessionTransport } from '../capture/session-transport';
import { type CaptureOptions, remoteCapturer } from '../recording/capturers';
import type { Recording } from '../recording/recording';
import { joinThreads } from '../threads/join-threads';
import { TargetThreads } from '../threads/target-threads';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('sample');

export interface SampledWorkers {
  /** Lets every worker go and disconnects the session (after the recording stopped sampling). */
  stop(): Promise<void>;
}

export function sampleWorkers(recording: Recording, options: CaptureOptions): SampledWorkers {
  const session = new Session();
  session.connectToMainThread();
  const main = new CdpConnection(sessionTransport(session));
  const threads = new TargetThreads(main);
  joinThreads(threads, recording, (thread) => {
    debug('worker %s (thread %s) joins', thread.name, thread.threadId);
    return remoteCapturer(thread, process.pid, options);
  }, 'workers');
  // The workers that already run are reported before enable is answered, and joined as they are.
  void threads.start().catch((error: unknown) => debug('NodeWorker.enable failed: %s', (error as Error).message));
  return {
    async stop() {
      await threads.stop();
      main.close();
    },
  };
}
