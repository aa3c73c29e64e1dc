/**
 * Where a main thread blocked in native code waits, from /proc (Linux only).
 * The main thread's task id is the process id.
 */
import { readFileSync } from 'node:fs';
import type { NativeWait } from '../record/sample';

export function nativeWait(pid = process.pid): NativeWait | undefined {
  const wchan = readProc(`/proc/${pid}/task/${pid}/wchan`);
  const syscall = readProc(`/proc/${pid}/task/${pid}/syscall`);
  if (wchan === undefined && syscall === undefined) return undefined;
  return { wchan, syscall };
}

/**
 * Whether the main thread sleeps in the kernel (state S or D in /proc/.../stat).
 * Running JS, it is R. Asleep it is either idle in the event loop or blocked in
 * a synchronous call; the caller knows which from whether the loop turns.
 */
export function isAsleepInKernel(pid = process.pid): boolean {
  const stat = readProc(`/proc/${pid}/task/${pid}/stat`);
  return stat !== undefined && isAsleepStat(stat);
}

/** Whether a /proc/.../stat line says the thread sleeps (S) or waits uninterruptibly (D). */
export function isAsleepStat(stat: string): boolean {
  // The command name in parentheses may hold spaces: the state follows its closing parenthesis.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'S' || state === 'D';
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
