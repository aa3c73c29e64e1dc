/**
 * The samples a capture gives when the thread gave no stack: the capture failed,
 * or the thread is blocked in a native call and has not answered yet.
 */
import type { CapturedSample } from '../record/sample';
import { type Capture, stillBlockedSample } from './capturer';

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
