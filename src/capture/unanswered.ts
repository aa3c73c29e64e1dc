/**
 * What a capture gives, and the samples it gives when the thread gave no stack:
 * the capture failed, or the thread is blocked in a native call and has not
 * answered yet (or never did before tripod stopped).
 */
import type { CapturedSample, NativeWait } from '../record/sample';

export type Capture =
  | { kind: 'sample'; sample: CapturedSample }
  /** The main thread did not answer in time; `late` settles when it does. */
  | { kind: 'blocked'; started: number; native?: NativeWait; late: Promise<CapturedSample> };

/** A blocked sample for a thread still blocked when tripod stops. */
export function stillBlockedSample(capture: Extract<Capture, { kind: 'blocked' }>): CapturedSample {
  const blockedMs = Date.now() - capture.started;
  return {
    capturedAt: capture.started,
    state: 'blocked',
    stoppedMs: 0,
    captureMs: blockedMs,
    blockedMs,
    stillBlocked: true,
    ...(capture.native ? { native: capture.native } : {}),
    frames: [],
    stack: '    (blocked in a native call)',
  };
}


export function failedSample(error: unknown): CapturedSample {
  return { capturedAt: Date.now(), state: 'running', stoppedMs: 0, captureMs: 0, frames: [], localsSkipped: `capture failed: ${(error as Error).message}`, stack: '' };
}

/**
 * A blocked thread as it stands, while the process goes on (a dump, a stall):
 * not `stillBlocked`, which says the process ended with it blocked.
 */
export function blockedAsItStands(capture: Extract<Capture, { kind: 'blocked' }>, detail: { blockedMs?: number; stack?: string } = {}): CapturedSample {
  const { stillBlocked: _atExit, ...blocked } = stillBlockedSample(capture);
  return { ...blocked, ...detail };
}
