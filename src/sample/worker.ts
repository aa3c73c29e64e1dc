/**
 * The sampler worker: wakes every interval, captures the main thread through an
 * in-process inspector session, and writes each sample to the log itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Capture, Capturer, stillBlockedSample } from '../capture/capturer';
import { withDeadline } from '../capture/cdp';
import { InspectorClient } from '../capture/inspector-client';
import { SampleLog } from '../log/logger';
import type { EndInfo } from '../log/records';
import type { Sample } from './types';
import { DONE, type SamplerData, type StopMessage } from './worker-protocol';

const data = workerData as SamplerData;
const LATE_ANSWER_GRACE_MS = 100;
const log = new SampleLog(data.fd);
log.start({
  format: 1,
  tripod: data.version,
  node: process.version,
  script: data.script,
  argv: data.argv,
  interval: data.intervalMs / 1000,
  timeoutMs: data.timeoutMs,
  limits: data.limits,
});

const client = new InspectorClient();
client.connectToMainThread();
const capturer = new Capturer(client, { timeoutMs: data.timeoutMs, limits: data.limits });

let seq = 0;
let stopping = false;
let inFlight: Promise<void> | undefined;
let blocked: Extract<Capture, { kind: 'blocked' }> | undefined;
const firstTick = performance.now();
let ticks = 0;
let timer = schedule();

function schedule(): NodeJS.Timeout {
  // Fixed rate: a slow capture skips the ticks it overran instead of bursting.
  const now = performance.now();
  ticks = Math.max(ticks + 1, Math.ceil((now - firstTick) / data.intervalMs));
  return setTimeout(tick, firstTick + ticks * data.intervalMs - now);
}

function tick(): void {
  if (stopping) return;
  if (!inFlight) inFlight = sampleOnce().finally(() => (inFlight = undefined));
  timer = schedule();
}

async function sampleOnce(): Promise<void> {
  try {
    const capture = await capturer.capture();
    if (capture.kind === 'sample') return write(capture.sample);
    blocked = capture;
    const sample = await capture.late;
    if (blocked === capture && !stopping) write(sample);
    blocked = undefined;
  } catch (error) {
    if (!stopping) write(failedSample(error));
  }
}

function write(sample: Omit<Sample, 'seq'>): void {
  log.sample({ seq: ++seq, ...sample });
}

function failedSample(error: unknown): Omit<Sample, 'seq'> {
  return { capturedAt: Date.now(), state: 'running', stoppedMs: 0, captureMs: 0, frames: [], localsSkipped: `capture failed: ${(error as Error).message}`, stack: '' };
}

/**
 * The thread usually answered just before it exited (the answer and the stop
 * request race); one still in native code cannot be waited for, so its sample is
 * written as it stands.
 */
async function writeBlockedAtStop(stuck: Extract<Capture, { kind: 'blocked' }>): Promise<void> {
  const answer = await withDeadline(stuck.late, LATE_ANSWER_GRACE_MS);
  write(answer.answered ? answer.value : stillBlockedSample(stuck));
}

parentPort!.on('message', (message: StopMessage) => {
  if (message.type === 'stop') void stop(message.end);
});

async function stop(end: EndInfo): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearTimeout(timer);
  const stuck = blocked;
  blocked = undefined;
  if (stuck) await writeBlockedAtStop(stuck);
  else if (inFlight) await inFlight;
  log.end({ ...end, samples: seq });
  capturer.dispose();
  client.disconnect();
  const done = new Int32Array(data.done);
  Atomics.store(done, DONE, 1);
  Atomics.notify(done, DONE);
  parentPort!.close();
}
