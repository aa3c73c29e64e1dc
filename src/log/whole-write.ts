/**
 * Writing bytes to a file descriptor whole. Only built-ins captured when tripod
 * loads are used: the main thread writes at the program's exit (a short run's
 * end record, a failed log's line), after the program may have replaced them.
 */
import { writeSync as fsWriteSync } from 'node:fs';

// Read once here, as the value it is now (a named import is read again at each call).
const writeSync = fsWriteSync;
const BufferClass = Buffer;
const bufferFrom = Buffer.from;
const dateNow = Date.now;
const atomicsWait = Atomics.wait;
const { apply } = Reflect;

const PAUSE = new Int32Array(new SharedArrayBuffer(4));
const ROOM_WAIT_MS = 5;

export function bytesOf(text: string): Buffer {
  return apply(bufferFrom, BufferClass, [text]) as Buffer;
}

/**
 * Writes all of `bytes` to `fd`, or throws the write's error. A descriptor left
 * non-blocking (a pipe shared with the program) is waited on for room, until
 * `stuckMs` pass without any: then its EAGAIN is thrown. `onWritten` hears each
 * part written, so a caller knows where a failed write stopped.
 */
export function writeWhole(fd: number, bytes: Buffer, stuckMs: number, onWritten?: (bytes: number) => void): void {
  let stuckSince: number | undefined;
  for (let offset = 0; offset < bytes.length; ) {
    try {
      const written = writeSync(fd, bytes, offset);
      offset += written;
      onWritten?.(written);
      stuckSince = undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      stuckSince ??= dateNow();
      if (dateNow() - stuckSince > stuckMs) throw error;
      atomicsWait(PAUSE, 0, 0, ROOM_WAIT_MS);
    }
  }
}
