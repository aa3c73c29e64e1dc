/**
 * What tripod says on stderr while the program runs (the banner; from the sampler
 * worker, a log that failed), written to fd 2 directly: creating process.stderr
 * would make a pipe behind it non-blocking (for stdout too, under 2>&1).
 */
import { bytesOf, writeWhole } from '../log/whole-write';

/** How long a full stderr (non-blocking: the program's own doing, or shared) is waited on before the line is dropped. */
const STDERR_STUCK_MS = 1000;

/** Best effort: a full or closed stderr must not stop the program. */
export function sayOnStderr(text: string): void {
  try {
    writeWhole(2, bytesOf(text), STDERR_STUCK_MS);
  } catch {
    // Dropped: the program runs on as it would without tripod.
  }
}
