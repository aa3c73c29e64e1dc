/**
 * What tripod writes down about the processes it attaches to, in its private
 * runtime directory (0700, files 0600), keyed by pid and the process's start time
 * (so a reused pid never matches):
 *
 * - the attach lock: one tripod at a time per target, so one attach's close can
 *   never cut another's session. Its holders (a tripod and its guardian) are
 *   named by pid and start time: a lock whose holders are all gone is stale.
 * - the marker: "tripod opened this process's inspector with SIGUSR1". Written
 *   before the signal and removed only once the inspector is closed for good, so
 *   an inspector left behind (tripod and its guardian killed) is known for
 *   tripod's, and the next attach closes it instead of taking it for the
 *   program's own.
 */
import { closeSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { ensurePrivateDir, runtimeDir } from './agent-protocol';
import { ATTACH_EXIT } from './exit-codes';

const LOCK_POLL_MS = 20;

/** A process as the lock names it: pid and start time (clock ticks since boot, /proc/<pid>/stat field 22). */
export interface ProcessId {
  pid: number;
  startTime: string;
}

export function processId(pid: number): ProcessId | undefined {
  const startTime = startTimeOf(pid);
  return startTime === undefined ? undefined : { pid, startTime };
}

/** Whether the process named is still the one running under that pid (and not a zombie). */
export function isRunning(id: ProcessId): boolean {
  const stat = readStat(id.pid);
  return stat !== undefined && stat.fields[19] === id.startTime && stat.fields[0] !== 'Z';
}

export class AttachLock {
  private constructor(
    readonly file: string,
    private holders: ProcessId[],
    /** It was taken only after waiting for another holder. */
    readonly waited = false,
  ) {}

  /** Waits up to `waitMs` for the target's lock; an attach that cannot get it says who has it. */
  static async acquire(target: ProcessId, waitMs: number, dir = claimsDir()): Promise<AttachLock> {
    const file = path.join(dir, `attach-${key(target)}.lock`);
    const me = processId(process.pid)!;
    const deadline = performance.now() + waitMs;
    for (let waited = false; ; waited = true) {
      if (tryCreate(file, [me])) return new AttachLock(file, [me], waited);
      const holders = readHolders(file);
      if (holders !== undefined && !holders.some(isRunning)) removeIfUnchanged(file, holders);
      else if (performance.now() > deadline) {
        const holder = holders?.[0]?.pid;
        throw new UserError(
          `tripod: another tripod${holder ? ` (pid ${holder})` : ''} is attached to process ${target.pid}; wait until it is done (a record runs until its --duration or Ctrl-C), then retry`,
          ATTACH_EXIT.portInUse,
        );
      } else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  /** The lock now, or undefined if a live holder has it (a stale one is taken over). */
  static tryAcquire(target: ProcessId, dir = claimsDir()): AttachLock | undefined {
    const file = path.join(dir, `attach-${key(target)}.lock`);
    const me = processId(process.pid)!;
    if (tryCreate(file, [me])) return new AttachLock(file, [me]);
    const holders = readHolders(file);
    if (holders !== undefined && holders.some(isRunning)) return undefined;
    if (holders !== undefined) removeIfUnchanged(file, holders);
    return tryCreate(file, [me]) ? new AttachLock(file, [me]) : undefined;
  }

  /** The guardian holds it too: the lock stays taken while either lives. */
  addHolder(holder: ProcessId): void {
    this.holders = [...this.holders, holder];
    replaceFile(this.file, serialise(this.holders));
  }

  release(): void {
    removeIfUnchanged(this.file, this.holders);
  }
}

/** Another tripod holds the target's lock now (not `self`, not a stale one). */
export function lockHeldByOther(target: ProcessId, self: ProcessId, dir = claimsDir()): boolean {
  const holders = readHolders(path.join(dir, `attach-${key(target)}.lock`));
  return holders !== undefined && holders.some(isRunning) && !holders.some((h) => h.pid === self.pid && h.startTime === self.startTime);
}

/** The guardian, left alone with a target whose tripod died, takes the lock over. */
export function takeOverLock(target: ProcessId, self: ProcessId, dir = claimsDir()): void {
  replaceFile(path.join(dir, `attach-${key(target)}.lock`), serialise([self]));
}

export function releaseLockOf(target: ProcessId, self: ProcessId, dir = claimsDir()): void {
  removeIfUnchanged(path.join(dir, `attach-${key(target)}.lock`), [self]);
}

export function writeMarker(target: ProcessId, port?: number, dir = claimsDir()): void {
  replaceFile(markerFile(target, dir), `${JSON.stringify({ port })}\n`);
}

export function hasMarker(target: ProcessId, dir = claimsDir()): boolean {
  try {
    readFileSync(markerFile(target, dir));
    return true;
  } catch {
    return false;
  }
}

export function removeMarker(target: ProcessId, dir = claimsDir()): void {
  removeFile(markerFile(target, dir));
}

/** Markers and locks of processes that have ended are of no use to anyone. */
export function pruneClaims(dir = claimsDir()): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    // A writer killed between write and rename leaves its .tmp beside: it goes with the rest.
    const match = /^(?:attach|inspector)-(\d+)-(\d+)\.(?:lock|json)(?:\.\d+\.tmp)?$/.exec(name);
    if (match && !isRunning({ pid: Number(match[1]), startTime: match[2] })) removeFile(path.join(dir, name));
  }
}

export function claimsDir(): string {
  const dir = runtimeDir();
  try {
    ensurePrivateDir(dir);
  } catch (error) {
    throw new UserError(
      `tripod: its runtime directory ${dir} is not usable (${(error as Error).message}); it must be a directory of this user only — remove it, or set XDG_RUNTIME_DIR to one`,
      ATTACH_EXIT.inspectorUnavailable,
    );
  }
  return dir;
}

function markerFile(target: ProcessId, dir: string): string {
  return path.join(dir, `inspector-${key(target)}.json`);
}

function key(target: ProcessId): string {
  return `${target.pid}-${target.startTime}`;
}

function tryCreate(file: string, holders: ProcessId[]): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, serialise(holders));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** undefined: no lock there. A lock being written (empty for an instant) counts as held by nobody yet alive: wait for it. */
function readHolders(file: string): ProcessId[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const holders = text
    .split('\n')
    .map((line) => /^(\d+) (\d+)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), startTime: m[2] }));
  // An empty file is one being created this instant: treat its writer as alive.
  return holders.length > 0 ? holders : [processId(process.pid)!];
}

/** Removes the lock only if it still names these holders (someone else may have taken a stale one meanwhile). */
function removeIfUnchanged(file: string, holders: ProcessId[]): void {
  const now = readHolders(file);
  if (now && serialise(now) === serialise(holders)) removeFile(file);
}

function serialise(holders: ProcessId[]): string {
  return holders.map((h) => `${h.pid} ${h.startTime}\n`).join('');
}

/** Written beside and renamed over, so a reader never sees half a file. */
function replaceFile(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, file);
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already
  }
}

function startTimeOf(pid: number): string | undefined {
  return readStat(pid)?.fields[19];
}

/** /proc/<pid>/stat after the command name (which may hold spaces and parentheses): fields[0] is the state, fields[19] the start time. */
function readStat(pid: number): { fields: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return { fields: stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ') };
  } catch {
    return undefined;
  }
}
