/**
 * Where a change is written as a `control` record: the runner's log (through its
 * hook in the registry, so its lines and the sampler's never overlap), or a tripod
 * log the process holds open for appending (found through /proc/PID/fd and
 * fdinfo's O_APPEND: tripod appends whole lines beside the program's).
 */
import { closeSync, constants, openSync, readFileSync, readlinkSync, readSync, readdirSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { PINO_INFO, pinoLine } from '../log/pino-line';
import type { ControlRecord } from '../record/records';
import type { ControlChange } from './logger-control';

/** A change as a `control` record's fields; pino's own (level, time, pid, msg) are pinoLine's. */
function controlFields(change: ControlChange): ControlRecord & { hostname: string } {
  return {
    hostname: hostname(),
    event: 'control',
    kind: change.kind,
    control: change.name,
    old: change.old,
    new: change.new,
    ...(change.module ? { module: change.module } : {}),
    ...(change.errors?.length ? { errors: change.errors } : {}),
    by: 'tripod flags',
  };
}

export function controlLines(pid: number, changes: ControlChange[]): string {
  return changes.map((change) => pinoLine(PINO_INFO, pid, controlFields(change), 'control')).join('');
}

/** A tripod log (its first line a start record) that `pid` has open with O_APPEND; undefined when none. */
export function appendableLogOf(pid: number): string | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  for (const fd of fds) {
    let file: string;
    try {
      file = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (!file.startsWith('/') || !file.endsWith('.log') || !appending(pid, fd)) continue;
    } catch {
      continue;
    }
    if (isTripodLog(file)) return file;
  }
  return undefined;
}

function appending(pid: number, fd: string): boolean {
  const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
  return flags !== undefined && (parseInt(flags, 8) & constants.O_APPEND) !== 0;
}

function isTripodLog(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const head = Buffer.alloc(4096);
    const line = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8').split('\n')[0];
    const record = JSON.parse(line) as { event?: unknown; tripod?: unknown };
    return record.event === 'start' && typeof record.tripod === 'string';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whole lines in one write, O_APPEND: they land after whatever the program wrote, never inside a line of it. */
export function appendToLog(file: string, lines: string): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
  try {
    writeSync(fd, lines);
  } finally {
    closeSync(fd);
  }
}
