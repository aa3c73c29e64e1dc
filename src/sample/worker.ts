/**
 * The sampler worker: captures the main thread through an in-process inspector
 * session — every interval, when the watchdog sees a stall, at an uncaught
 * throw — and writes each record to the log itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { enableDebugLog } from '../diagnostics/debug-log';
import { Capturer } from '../capture/capturer';
import { InspectorClient } from '../capture/inspector-client';
import { CaptureSession } from './capture-session';
import { type LogFailure, SampleLog } from '../log/logger';
import type { ProfileRecorder } from '../profile/recorder';
import { LOG_FORMAT, type EndInfo } from '../log/records';
import { startCrashCapture } from '../watchdog/crash-capture';
import { redactCredentials, secretNameTest } from '../capture/redact';
import { StallCapture } from '../watchdog/stall-capture';
import { StallWatch } from '../watchdog/stall-watch';
import { PeriodicSampler } from './periodic';
import { ARMED, DONE, type SamplerData, type SamplerMessage, type SamplerTarget, signal, stopRequested } from './worker-protocol';

const data = workerData as SamplerData;
enableDebugLog(data.debug);
const isSecret = secretNameTest(data.limits.redactKeys);

/** What runs once the main thread has handed over the log and the script. */
interface Run {
  log: SampleLog;
  client: InspectorClient | CaptureSession;
  capturer: Capturer;
  periodic?: PeriodicSampler;
  stallCapture?: StallCapture;
  watch?: StallWatch;
  crashReady: Promise<void>;
  profiler?: ProfileRecorder;
  profiling: Promise<void>;
  samples: () => number;
}

let run: Run | undefined;
let stopping = false;
/** The stop request, when it came before 'begin' was read (the two travel apart: a short script ends at once). */
let endBeforeBegin: EndInfo | undefined;
parentPort!.on('message', (message: SamplerMessage) => {
  if (message.type !== 'begin') return;
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
  const log = new SampleLog(target.fd, process.pid, (failure) => sayLogFailed(target.logPath, failure));
  log.start({
    format: LOG_FORMAT,
    tripod: data.version,
    node: process.version,
    script: target.script,
    argv: target.argv,
    interval: data.intervalMs / 1000,
    timeoutMs: data.timeoutMs,
    localsBudget: data.localsBudget,
    limits: data.limits,
    ...(data.watchdog ? { watchdog: data.watchdog.config } : {}),
    ...(data.crash ? { crash: data.crash } : {}),
    ...(data.profile ? { profile: data.profile } : {}),
  });

  // Crash capture and the profiler hold a domain for the whole run; without them the session comes and goes with
  // each capture, so that a program's own debugger is not kept paused by it (capture-session.ts).
  const lease = data.crash || data.profile ? undefined : new CaptureSession();
  const client = lease ?? connectedClient();
  const capturer = new Capturer(client, { timeoutMs: data.timeoutMs, limits: data.limits, holdDebugger: Boolean(data.crash), localsBudget: data.localsBudget, lease });

  let seq = 0;
  const periodic = data.intervalMs > 0 ? new PeriodicSampler(capturer, data.intervalMs, (sample) => log.sample({ seq: ++seq, ...sample })) : undefined;
  const stallCapture = data.watchdog ? new StallCapture(capturer, log) : undefined;
  const watch =
    data.watchdog && stallCapture
      ? new StallWatch(data.watchdog.heartbeat, data.watchdog.config, data.watchdog.periodMs, stallCapture)
      : undefined;
  const crashReady = data.crash ? startCrashCapture(client, capturer, data.crash, log, isSecret).catch(() => {}) : Promise.resolve();

  const profiler = data.profile ? newProfileRecorder(data.profile, client, log) : undefined;
  const profiling = startProfiler(profiler);

  periodic?.start();
  watch?.start();
  // The script starts once crash capture is armed and the profiler runs (or failed to start: it starts anyway).
  void Promise.all([crashReady, profiling]).finally(() => signal(data.control, ARMED));
  return { log, client, capturer, periodic, stallCapture, watch, crashReady, profiler, profiling, samples: () => seq };
}

async function stop(run: Run, end: EndInfo): Promise<void> {
  if (stopping) return;
  stopping = true;
  const { log, profiler } = run;
  const ongoing = run.watch?.stop();
  await Promise.all([run.periodic?.stop(), run.stallCapture?.stop(ongoing), run.crashReady, run.profiling.then(() => profiler?.stop())]);
  // The end's error message is the program's text: redacted as the crash record's is.
  const error = end.error ? { error: { ...end.error, message: redactCredentials(end.error.message, isSecret) } } : {};
  log.end({ ...end, ...error, samples: run.samples(), ...(profiler ? { profileSamples: profiler.samples } : {}) });
  run.capturer.dispose();
  run.client.disconnect();
  signal(data.control, DONE);
  // The worker stays up until the process ends and stops it: a worker that ended on its own while
  // the main thread was still handling the disconnect made Node abort (seen with the profiler on).
}

/**
 * Said at once, from this thread, so a long-running program's user learns it while it runs; the program
 * itself is not told (that would run JS on its thread) and runs on without a log.
 */
function sayLogFailed(logPath: string, failure: LogFailure): void {
  const where = failure.records === 0 ? 'before its first record' : `after ${failure.records} records (${failure.bytes} bytes)`;
  // Loaded only on this rare path.
  const { sayOnStderr } = require('../run/stderr-line') as typeof import('../run/stderr-line');
  sayOnStderr(`tripod: cannot write the log ${logPath} (${failure.code}); it stops ${where}, and the program runs on without it\n`);
}

function connectedClient(): InspectorClient {
  const client = new InspectorClient();
  client.connectToMainThread();
  return client;
}

/** Loaded only when asked for: the sampler's start delays the exit of a short script. */
function newProfileRecorder(config: NonNullable<SamplerData['profile']>, client: InspectorClient | CaptureSession, log: SampleLog): ProfileRecorder {
  const { ProfileRecorder: Recorder } = require('../profile/recorder') as typeof import('../profile/recorder');
  return new Recorder(client, config, (record) => log.profile(record));
}

/** A profiler that fails to start leaves the run without a profile, not without the script. */
function startProfiler(recorder: ProfileRecorder | undefined): Promise<void> {
  if (!recorder) return Promise.resolve();
  return recorder.start().catch(() => {});
}
