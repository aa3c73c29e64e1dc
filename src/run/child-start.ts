/**
 * A --children child's start record, written by its preload on the child's own thread before its script
 * runs, rather than by its sampler once that has booted (some hundreds of ms later on a loaded machine): a
 * child killed by SIGKILL right after its start still leaves its start record. The line is the one the
 * sampler's pino would write (level, time, pid, the record, msg), made by hand so the child does not load
 * pino before its script; the header is log/header.ts's, from the run's settings as the sampler's is.
 */
import { writeSync } from 'node:fs';
import { startHeader } from '../log/header';
import type { FollowSettings } from './follow-children';
import { requestsHeaderOf } from './worker-protocol';

/** pino's level number for info, which the sampler writes the start record at. */
const INFO = 30;

export interface ChildTarget {
  script: string;
  argv: string[];
  ppid: number;
}

/** Writes the start record with one write; false if it could not be written (the sampler then writes it). */
export function writeChildStart(fd: number, settings: FollowSettings, version: string, target: ChildTarget): boolean {
  try {
    const line = Buffer.from(childStartLine(settings, version, target));
    return writeSync(fd, line) === line.length;
  } catch {
    return false;
  }
}

export function childStartLine(settings: FollowSettings, version: string, target: ChildTarget): string {
  const header = startHeader({
    tripod: version,
    node: process.version,
    ...target,
    intervalMs: settings.interval * 1000,
    timeoutMs: settings.timeoutMs,
    localsBudget: settings.localsBudget,
    limits: settings.limits,
    watchdog: settings.watchdog,
    crash: settings.crash,
    profile: settings.profile,
    requests: requestsHeaderOf(settings.requests),
  });
  const record = JSON.stringify({ event: 'start', ...header, msg: 'start' });
  return `{"level":${INFO},"time":${Date.now()},"pid":${process.pid},${record.slice(1)}\n`;
}
