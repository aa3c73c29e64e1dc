/**
 * The capture set-up every producer shares: which threads a recording or a dump
 * captures, the capture options in milliseconds, a capturer for a thread of
 * another process, and how a thread's capture is tagged and trimmed for the log.
 */
import { Capturer, type RequestReader } from '../capture/capturer';
import type { CdpClient } from '../capture/cdp';
import type { CaptureLimits } from '../config';
import type { ThreadCapture } from '../record/records';
import type { CapturedSample } from '../record/sample';

/** A JavaScript thread to capture: its own CDP client, and who it is. */
export interface RecordedThread {
  /** worker_threads' threadId: 0 for the main thread. */
  threadId: number;
  /** The Worker's `name` option; "main" for the main thread. */
  name: string;
  /** The worker's script URL, when it has one. */
  url?: string;
  isMain: boolean;
  client: CdpClient;
}

export interface CaptureOptions {
  /** How long a capture may wait for the thread. */
  timeoutMs: number;
  limits: CaptureLimits;
  /** Share of the time periodic captures may stop a thread to read locals; undefined (a dump): no limit. */
  localsBudget?: number;
}

/**
 * The in-process runner calls a probe answered after 50 ms a native call. From
 * another process, answers also wait for the target's IO thread and, for a
 * worker, for the main thread's relay; on a loaded machine a JS answer can take
 * that long, so the line is drawn later.
 */
const REMOTE_SLOW_ANSWER_MS = 250;

/** A capturer for a thread of process `pid`, reached through its inspector; `requests`: what lists its requests in flight. */
export function remoteCapturer(thread: RecordedThread, pid: number, options: CaptureOptions, requests?: RequestReader): Capturer {
  return new Capturer(thread.client, {
    timeoutMs: options.timeoutMs,
    limits: options.limits,
    pid,
    mainThread: thread.isMain,
    slowAnswerMs: REMOTE_SLOW_ANSWER_MS,
    localsBudget: options.localsBudget,
    ...(requests ? { requests } : {}),
  });
}

/** Locals are opt-in when attached (--locals): a stack without them needs no note that they are missing. */
export function withoutUnaskedNote(sample: CapturedSample, limits: CaptureLimits): CapturedSample {
  if (limits.locals || sample.localsSkipped === undefined) return sample;
  const { localsSkipped: _notAsked, ...rest } = sample;
  return rest;
}

export function tagged(thread: RecordedThread, sample: CapturedSample): ThreadCapture {
  return { threadId: thread.threadId, threadName: thread.name, ...(thread.url ? { threadUrl: thread.url } : {}), ...sample };
}
