/**
 * The main thread's handle on the sampler worker: start it as early as possible
 * (Node takes ~20 ms to boot a worker), hand it the log and the script once they
 * are known, and at exit ask it to write the end record and wait (briefly,
 * synchronously) until it has.
 */
import { builtFile } from '../package-layout';
import { Worker } from 'node:worker_threads';
import type { RunConfig } from '../config';
import type { EndInfo } from '../record/records';
import { heartbeatPeriodMs, startHeartbeat } from '../watchdog/heartbeat';
import { ARMED, type BeginMessage, CONTROL_SLOTS, DONE, END_BUFFER_BYTES, MAIN_RUN, requestsHeaderOf, requestStop, type SamplerData, type SamplerTarget, takeRun, waitFor } from './worker-protocol';
import { endsWithoutWorker, type UnbegunRun, unbegunRun, writeRunStart, writeUnbegunRun } from './unbegun-run';
import { debugSetting } from '../diagnostics/debug-log';
import { followedSettings } from './follow-children';

/**
 * The sampler's own flags where the process froze its intrinsics (--frozen-intrinsics
 * in execArgv or NODE_OPTIONS, or a preload that hardened them): none of the program's,
 * and intrinsics that are not frozen. Only then: a Worker given execArgv boots ~10 ms
 * later, and the script's start pays for it.
 */
function samplerExecArgv(): { execArgv?: string[] } {
  return Object.isFrozen(Array.prototype) ? { execArgv: ['--no-frozen-intrinsics'] } : {};
}

/**
 * threads/own-workers.ts's SAMPLER_WORKER_NAME, by which every list of the target's threads skips this
 * worker; written out here so that the script's start loads no module more for it.
 */
const SAMPLER_WORKER_NAME = 'tripod-sampler';

/** How long the script waits for the watchdog, crash capture or profiler to be armed before it starts anyway. */
const ARMING_WAIT_MS = 5000;

export interface Sampler {
  /** Hands the worker the log and the script: it writes the start record and starts watching. */
  begin(target: SamplerTarget): void;
  /** The run ended before it began (bad input): the worker is not needed. */
  abandon(): void;
  /** Safe to call from an 'exit' listener: it blocks until the log is complete. */
  stop(end: EndInfo): void;
  /** --slow: the slot table the main thread writes each server request's start into. */
  slowSlots?: { ints: SharedArrayBuffer; floats: SharedArrayBuffer; labels: SharedArrayBuffer };
}

/** What the sampler runs with: a run's options, or those a --children child was given. */
export type SamplerConfig = Pick<RunConfig, 'interval' | 'timeoutMs' | 'localsBudget' | 'limits' | 'watchdog' | 'crash' | 'profile' | 'threads' | 'requests'>;

export function startSampler(config: SamplerConfig, version: string): Sampler {
  const control = new SharedArrayBuffer(4 * CONTROL_SLOTS);
  const endBuffer = new SharedArrayBuffer(END_BUFFER_BYTES);
  // Made now: at the program's exit, Int32Array and Uint8Array may be the program's.
  const controlView = new Int32Array(control);
  const endBytes = new Uint8Array(endBuffer);
  const { slow } = config.requests;
  // Loaded only with --slow, as the worker loads its scanner.
  const slowSlots = slow ? (require('../requests/slow-slots') as typeof import('../requests/slow-slots')).newSlotBuffers() : undefined;
  const data: SamplerData = {
    intervalMs: config.interval * 1000,
    timeoutMs: config.timeoutMs,
    localsBudget: config.localsBudget,
    limits: config.limits,
    version,
    debug: debugSetting(),
    control,
    endBuffer,
    ...(config.watchdog ? { watchdog: startWatchdogHeartbeat(config.watchdog) } : {}),
    ...(config.crash ? { crash: config.crash } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.threads ? { threads: true } : {}),
    requests: requestsHeaderOf(config.requests),
    ...(slow && slowSlots ? { slow: { config: slow, ...slowSlots } } : {}),
  };
  // stdout/stderr true: the worker's streams stay its own. With false, this thread would pipe them into
  // process.stdout/stderr, creating those, and libuv makes a pipe behind fd 1 or 2 non-blocking: the program's
  // own fs.writeSync(1, ...) then fails with EAGAIN. The worker writes nothing to them.
  // Never frozen intrinsics in the sampler: pino assigns Error.prepareStackTrace.
  const worker = new Worker(builtFile('run/worker-boot.js'), { workerData: data, name: SAMPLER_WORKER_NAME, stdout: true, stderr: true, ...samplerExecArgv() });
  // The sampler must never keep the target alive, nor turn its exit into an error.
  worker.unref();
  worker.on('error', () => {});
  let stopped = false;
  let begun: { target: SamplerTarget; unbegun: UnbegunRun } | undefined;
  return {
    slowSlots,
    begin(target) {
      // --children --threads: the first process's workers are held at their start and followed from then on
      // (run/worker-children.ts); a child's workers get tripod from its preload, and its script does not wait.
      const follow = target.ppid === undefined && config.threads ? followedSettings() : undefined;
      // The start record, now, from this thread: a process killed before its worker booted keeps it.
      const unbegun = unbegunRun(data, target);
      const startWritten = writeRunStart(unbegun);
      begun = { target, unbegun };
      worker.postMessage({ type: 'begin', target: { ...target, follow, startWritten } } satisfies BeginMessage);
      // A stall or an exception before the worker is watching would go unseen: the script waits for it.
      // The worker's inspector calls are served during the wait, which V8 interrupts for them.
      // A profile that starts with the script sees its startup too.
      if (config.crash || config.watchdog || config.profile || follow) waitFor(control, ARMED, ARMING_WAIT_MS);
    },
    abandon() {
      stopped = true;
      void worker.terminate();
    },
    stop(end) {
      if (stopped) return;
      stopped = true;
      // A program that ended before the worker took the run: its records are written here, and nothing waits for the worker.
      if (begun && endsWithoutWorker(end, begun.target) && takeRun(controlView, MAIN_RUN)) return writeUnbegunRun(begun.unbegun, end);
      requestStop(controlView, endBytes, end);
      // A capture in flight may need up to one timeout before it lets go.
      waitFor(control, DONE, config.timeoutMs + 2000);
    },
  };
}

function startWatchdogHeartbeat(config: NonNullable<SamplerConfig['watchdog']>): NonNullable<SamplerData['watchdog']> {
  const periodMs = heartbeatPeriodMs(config.thresholdMs);
  return { config, heartbeat: startHeartbeat(periodMs), periodMs };
}
