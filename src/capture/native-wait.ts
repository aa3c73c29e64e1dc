/**
 * Where a main thread blocked in native code waits, from /proc (Linux only).
 * The main thread's task id is the process id.
 */
import { readdirSync, readFileSync } from 'node:fs';
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

/** Kernel clock ticks per second in /proc's times (USER_HZ: 100 on every Linux architecture Node runs on). */
const CLOCK_TICKS = 100;

/**
 * How long ago the call the main thread is blocked in began, when /proc can
 * tell: a thread waiting in epoll outside its event loop is in execSync or
 * spawnSync (their own libuv loop), and the call began when its child did, the
 * youngest child of the process (the blocked thread starts no other). Undefined
 * for any other wait (sync fs, a FIFO, a lock), whose start nothing records.
 * Read by the sampler thread, never by the target; to /proc's 10 ms.
 */
export function nativeCallAgeMs(pid: number, wait: NativeWait | undefined): number | undefined {
  if (!wait?.wchan || !/epoll/.test(wait.wchan)) return undefined;
  const uptime = readProc('/proc/uptime');
  if (uptime === undefined) return undefined;
  let youngest: number | undefined;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const started = childStartTicks(readProc(`/proc/${entry}/stat`), pid);
    if (started !== undefined && (youngest === undefined || started > youngest)) youngest = started;
  }
  if (youngest === undefined) return undefined;
  const ageMs = Number(uptime.split(' ')[0]) * 1000 - (youngest * 1000) / CLOCK_TICKS;
  return Number.isFinite(ageMs) && ageMs >= 0 ? ageMs : undefined;
}

/** When (performance.now()) the blocked call began, if /proc can tell (nativeCallAgeMs); else `seen`, when the sample found it blocked. */
export function nativeCallStart(wait: NativeWait | undefined, seen: number, pid = process.pid): number {
  const age = nativeCallAgeMs(pid, wait);
  return age === undefined ? seen : Math.min(seen, performance.now() - age);
}

/** A /proc/<pid>/stat line's start time (field 22, in clock ticks since boot) if its parent (field 4) is `parent`. */
export function childStartTicks(stat: string | undefined, parent: number): number | undefined {
  if (stat === undefined) return undefined;
  // The command name in parentheses may hold spaces and parentheses: the fields follow its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (Number(fields[1]) !== parent) return undefined;
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
