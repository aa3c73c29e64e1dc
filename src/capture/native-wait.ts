/**
 * Where a main thread blocked in native code waits, from /proc (Linux only).
 * The main thread's task id is the process id.
 */
import { readFileSync } from 'node:fs';
import type { NativeWait } from '../sample/types';

export function nativeWait(pid = process.pid): NativeWait | undefined {
  const wchan = readProc(`/proc/${pid}/task/${pid}/wchan`);
  const syscall = readProc(`/proc/${pid}/task/${pid}/syscall`);
  if (wchan === undefined && syscall === undefined) return undefined;
  return { wchan, syscall };
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
