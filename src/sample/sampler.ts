/**
 * The main thread's handle on the sampler worker: start it, and at exit ask it to
 * write the end record and wait (briefly, synchronously) until it has.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunConfig } from '../config';
import type { EndInfo } from '../log/records';
import { DONE, type SamplerData, type StopMessage } from './worker-protocol';

export interface Sampler {
  /** Safe to call from an 'exit' listener: it blocks until the log is complete. */
  stop(end: EndInfo): void;
}

export function startSampler(config: RunConfig, fd: number, scriptPath: string, version: string): Sampler {
  const done = new SharedArrayBuffer(4);
  const data: SamplerData = {
    fd,
    intervalMs: config.interval * 1000,
    timeoutMs: config.timeoutMs,
    limits: config.limits,
    script: scriptPath,
    argv: [process.argv[0], scriptPath, ...config.scriptArgs],
    version,
    done,
  };
  const worker = new Worker(path.join(__dirname, 'worker.js'), { workerData: data, name: 'tripod-sampler', stdout: false, stderr: false });
  // The sampler must never keep the target alive, nor turn its exit into an error.
  worker.unref();
  worker.on('error', () => {});
  let stopped = false;
  return {
    stop(end) {
      if (stopped) return;
      stopped = true;
      worker.postMessage({ type: 'stop', end } satisfies StopMessage);
      // A capture in flight may need up to one timeout before it lets go.
      Atomics.wait(new Int32Array(done), DONE, 0, config.timeoutMs + 2000);
    },
  };
}
