/**
 * Reads files that frames and source maps name, which the target (or a log
 * edited by anyone) chooses: only a regular file is read, and only up to a size.
 * A device (/dev/zero never ends), a FIFO (blocks until a writer comes) or a
 * socket is never read; it is not even opened when the path already shows it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** The whole text of `file` if it is a regular file of at most `maxBytes`; undefined otherwise. */
export function readRegularFile(file: string, maxBytes: number): string | undefined {
  try {
    // Opening some devices has effects of its own (a tape rewinds, a terminal becomes ours): look first.
    if (!statSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO swapped in after the look opens at once instead of waiting for a writer; fstat then refuses it.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > maxBytes) return undefined;
    return readUpTo(fd, stat.size).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** At most `size` bytes: a file that grows while it is read is cut at the size it had. */
function readUpTo(fd: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const read = readSync(fd, buffer, filled, size - filled, filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}
