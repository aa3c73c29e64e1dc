/**
 * What tripod says on stderr while the program runs (the banner; from the sampler
 * worker, a log that failed), written to fd 2 directly: creating process.stderr
 * would make a pipe behind it non-blocking (for stdout too, under 2>&1).
 */
import { writeSync as fsWriteSync } from 'node:fs';

// Captured when tripod loads: the main thread may say a failed log at the program's exit, after it replaced them.
// Read once here, as the value it is now (a named import is read again at each call).
const writeSync = fsWriteSync;
const bufferFrom = Buffer.from;
const atomicsWait = Atomics.wait;
const { apply } = Reflect;

/** Best effort: a full or closed stderr must not stop the program. */
export function sayOnStderr(text: string): void {
  const bytes = apply(bufferFrom, Buffer, [text]) as Buffer;
  for (let offset = 0, attempts = 0; offset < bytes.length && attempts < 100; attempts++) {
    try {
      offset += writeSync(2, bytes, offset);
    } catch (error) {
      // fd 2 may be non-blocking (the program's own doing, or shared): wait for room, briefly.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      atomicsWait(PAUSE, 0, 0, 10);
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));
