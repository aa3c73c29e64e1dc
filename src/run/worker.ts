/**
 * The sampler worker, the runner's adapter over the one Recording: captures the
 * main thread through an in-process inspector session — every interval, when the
 * watchdog sees a stall, at an uncaught throw — and writes each record to the log
 * itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureSession } from '../capture/capture-session';
import { enableDebugLog } from '../diagnostics/debug-log';
import { Capturer } from '../capture/capturer';
import { InspectorClient } from '../capture/inspector-client';
import { redactCredentials, secretNameTest } from '../capture/redact';
import { startCrashCapture } from '../crash/crash-capture';
import { SampleLog } from '../log/logger';
import { type LogFailure, logFailedLine } from '../log/record-writer';
import type { ProfileRecorder } from '../profile/recorder';
import type { SampledWorkers } from './sampled-workers';
import type { FollowSettings } from './follow-children';
import type { WorkerChildren } from './worker-children';
import type { EndInfo } from '../record/records';
import type { RecordSink } from '../record/sink';
import type { RecordedThread } from '../recording/capturers';
import { Recording } from '../recording/recording';
import type { SlowWatch } from '../requests/slow-watch';
import { takeCensus } from './process-census';
import { StallCapture } from '../watchdog/stall-capture';
import { StallWatch } from '../watchdog/stall-watch';
import { ARMED, DONE, runHeader, type SamplerData, type SamplerMessage, type SamplerTarget, signal, stopRequested, takeRun, WORKER_RUN } from './worker-protocol';

const data = workerData as SamplerData;
enableDebugLog(data.debug);
const isSecret = secretNameTest(data.limits.redactKeys);

/** What runs once the main thread has handed over the log and the script. */
interface Run {
  recording: Recording;
  client: InspectorClient | CaptureSession;
  stallCapture?: StallCapture;
  watch?: StallWatch;
  crashReady: Promise<void>;
  profiler?: ProfileRecorder;
  profiling: Promise<void>;
  workers?: SampledWorkers;
  workerChildren?: WorkerChildren;
  slowWatch?: SlowWatch;
  /** --children, in the run's top process: where the log stood when the run began, to count its processes at the end. */
  census?: { logPath: string; fd: number; from: number };
}

const MAIN_THREAD = { threadId: 0, name: 'main', isMain: true } as const;

let run: Run | undefined;
let stopping = false;
/** The stop request, when it came before 'begin' was read (the two travel apart: a short script ends at once). */
let endBeforeBegin: EndInfo | undefined;
parentPort!.on('message', (message: SamplerMessage) => {
  if (message.type !== 'begin') return;
  // The program may have ended already, and the main thread written the run's two records itself.
  if (!takeRun(new Int32Array(data.control), WORKER_RUN)) return;
  run = begin(message.target);
  if (endBeforeBegin) void stop(run, endBeforeBegin);
});
void stopRequested(data.control, data.endBuffer).then((end) => {
  if (run) void stop(run, end);
  else endBeforeBegin = end;
});
// The worker's own loop must stay alive: pending inspector calls do not keep it.
setInterval(() => {}, 2 ** 30);
// A worker that dies of its own error must not leave the main thread waiting for it, at the script's start
// (ARMED) or at its exit (DONE): the program starts and ends as it would without tripod.
process.on('uncaughtExceptionMonitor', () => {
  signal(data.control, ARMED);
  signal(data.control, DONE);
});

function begin(target: SamplerTarget): Run {
  // Every producer below writes to this one sink: a live console would be a FanOutSink of it and the console.
  const census = target.census ? { logPath: target.logPath, fd: target.fd, from: target.census.from } : undefined;
  const sink: RecordSink = new SampleLog(target.fd, process.pid, (failure) => sayLogFailed(target.logPath, failure));
  const recording = new Recording(sink, { intervalMs: data.intervalMs, timeoutMs: data.timeoutMs, localsBudget: data.localsBudget, limits: data.limits });
  // The main thread wrote it at 'begin' (unbegun-run.ts), unless that write failed.
  if (!target.startWritten) recording.start(runHeader(data, target));

  // Crash capture and the profiler hold a domain for the whole run; without them the session comes and goes with
  // each capture, so that a program's own debugger is not kept paused by it (capture-session.ts).
  const lease = data.crash || data.profile ? undefined : new CaptureSession();
  const client = lease ?? connectedClient();
  const capturer = new Capturer(client, { timeoutMs: data.timeoutMs, limits: data.limits, holdDebugger: Boolean(data.crash), localsBudget: data.localsBudget, lease, holderInstalled: true });
  const main: RecordedThread = { ...MAIN_THREAD, client };
  recording.join(main, capturer);
  const workers = data.threads ? startSampledWorkers(recording, sink) : undefined;
  const workerChildren = target.follow ? startWorkerChildren(target.follow) : undefined;

  const stallCapture = data.watchdog ? new StallCapture(capturer, sink) : undefined;
  const watch =
    data.watchdog && stallCapture
      ? new StallWatch(data.watchdog.heartbeat, data.watchdog.config, data.watchdog.periodMs, stallCapture)
      : undefined;
  const crashReady = data.crash ? startCrashCapture(client, capturer, data.crash, sink, isSecret).catch(() => {}) : Promise.resolve();

  const profiler = data.profile ? newProfileRecorder(data.profile, client, sink) : undefined;
  const profiling = startProfiler(profiler);

  const slowWatch = data.slow ? startSlowWatch(data.slow, capturer, sink) : undefined;
  watch?.start();
  // The script starts once crash capture is armed and the profiler runs (or failed to start: it starts anyway).
  void Promise.all([crashReady, profiling, workerChildren?.ready]).finally(() => signal(data.control, ARMED));
  return { recording, client, stallCapture, watch, crashReady, profiler, profiling, workers, workerChildren, slowWatch, census };
}

async function stop(run: Run, end: EndInfo): Promise<void> {
  if (stopping) return;
  stopping = true;
  const { recording, profiler } = run;
  const ongoing = run.watch?.stop();
  // Each worker's last profile samples are written before the end record, as the main thread's are.
  const workerProfiles = run.workers?.stopProfiles();
  await Promise.all([recording.stopSampling(), run.slowWatch?.stop(), run.stallCapture?.stop(ongoing), run.workers?.stopWatching(), run.crashReady, run.profiling.then(() => profiler?.stop()), workerProfiles]);
  const workerProfileSamples = (await workerProfiles) ?? 0;
  // The end's error message is the program's text: redacted as the crash record's is.
  const error = end.error ? { error: { ...end.error, message: redactCredentials(end.error.message, isSecret) } } : {};
  const counted = run.census ? takeCensus(run.census.logPath, run.census.fd, run.census.from, Boolean(data.threads)) : undefined;
  recording.end({ ...end, ...error }, { ...(profiler ? { profileSamples: profiler.samples + workerProfileSamples } : {}), ...counted });
  run.client.disconnect();
  run.workerChildren?.stop();
  // Before DONE: a worker session left attached could hold the exit.
  await run.workers?.stop();
  signal(data.control, DONE);
  // The worker stays up until the process ends and stops it: a worker that ended on its own while
  // the main thread was still handling the disconnect made Node abort (seen with the profiler on).
}

/**
 * Said at once, from this thread, so a long-running program's user learns it while it runs; the program
 * itself is not told (that would run JS on its thread) and runs on without a log.
 */
function sayLogFailed(logPath: string, failure: LogFailure): void {
  // Loaded only on this rare path.
  const { sayOnStderr } = require('../run/stderr-line') as typeof import('../run/stderr-line');
  sayOnStderr(logFailedLine(logPath, failure));
}

function connectedClient(): InspectorClient {
  const client = new InspectorClient();
  client.connectToMainThread();
  return client;
}

/** Loaded only with --slow. */
function startSlowWatch(slow: NonNullable<SamplerData['slow']>, capturer: Capturer, sink: RecordSink): SlowWatch {
  const { SlowWatch: Watch } = require('../requests/slow-watch') as typeof import('../requests/slow-watch');
  const { slotViews } = require('../requests/slow-slots') as typeof import('../requests/slow-slots');
  const watch = new Watch(slotViews(slow), slow.config, capturer, sink);
  watch.start();
  return watch;
}

/** Loaded only with --threads, as the profiler is; with --watchdog each worker's stalls are watched, with --profile each is profiled. */
function startSampledWorkers(recording: Recording, sink: RecordSink): SampledWorkers {
  const { sampleWorkers } = require('./sampled-workers') as typeof import('./sampled-workers');
  const watchdog = data.watchdog ? { config: data.watchdog.config, periodMs: data.watchdog.periodMs, sink } : undefined;
  const profiling = data.profile ? { config: data.profile, sink } : undefined;
  return sampleWorkers(recording, { timeoutMs: data.timeoutMs, limits: data.limits, localsBudget: data.localsBudget }, { watchdog, profiling });
}

/** Loaded only with --children. */
function startWorkerChildren(settings: FollowSettings): WorkerChildren {
  const { followWorkerChildren } = require('./worker-children') as typeof import('./worker-children');
  return followWorkerChildren(settings);
}

/** Loaded only when asked for: the sampler's start delays the exit of a short script. */
function newProfileRecorder(config: NonNullable<SamplerData['profile']>, client: InspectorClient | CaptureSession, sink: RecordSink): ProfileRecorder {
  const { ProfileRecorder: Recorder } = require('../profile/recorder') as typeof import('../profile/recorder');
  return new Recorder(client, config, sink);
}

/** A profiler that fails to start leaves the run without a profile, not without the script. */
function startProfiler(recorder: ProfileRecorder | undefined): Promise<void> {
  if (!recorder) return Promise.resolve();
  return recorder.start().catch(() => {});
}
