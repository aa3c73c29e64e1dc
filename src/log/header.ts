/**
 * The log's header records, built in one place from what a recording or a dump
 * knows (durations in ms): the format's seconds are made here, once, and every
 * header field is copied by name, so an option's shape never leaks into the log.
 */
import { type AttachedInfo, type DumpRecord, LOG_FORMAT, type LimitsHeader, type StartRecord, type ThreadCapture } from '../record/records';
import type { CrashHeader, ProfileHeader, RequestsHeader, WatchdogHeader } from '../record/records';
import type { Fields } from '../record/sink';

/** The process the records are about. */
export interface TargetInfo {
  /** tripod's version. */
  tripod: string;
  /** The target's Node version; unknown when its inspector did not say. */
  node?: string;
  script: string;
  argv: string[];
  /** The parent process of a child that tripod follows (--children). */
  ppid?: number;
}

/** A process tripod attached to, rather than ran. */
export interface AttachedTarget {
  pid: number;
  via: AttachedInfo['via'];
  /** How long the recording was asked to last; absent: until stopped. */
  durationMs?: number;
}

export interface RecordingHeader extends TargetInfo {
  intervalMs: number;
  timeoutMs: number;
  localsBudget?: number;
  limits: LimitsHeader;
  watchdog?: WatchdogHeader;
  crash?: CrashHeader;
  profile?: ProfileHeader;
  requests?: RequestsHeader;
  attached?: AttachedTarget;
}

export function startHeader(header: RecordingHeader): Fields<StartRecord> {
  const { watchdog, crash, profile, attached, requests } = header;
  return {
    format: LOG_FORMAT,
    tripod: header.tripod,
    node: header.node ?? 'unknown',
    script: header.script,
    argv: header.argv,
    ...(header.ppid !== undefined ? { ppid: header.ppid } : {}),
    interval: header.intervalMs / 1000,
    timeoutMs: header.timeoutMs,
    localsBudget: header.localsBudget,
    limits: limitsHeader(header.limits),
    ...(watchdog ? { watchdog: { thresholdMs: watchdog.thresholdMs, repeatMs: watchdog.repeatMs } } : {}),
    ...(crash ? { crash: { rejections: crash.rejections } } : {}),
    ...(profile ? { profile: { rateHz: profile.rateHz } } : {}),
    ...(attached ? { attached: attachedInfo(attached) } : {}),
    ...(requests ? { requests: requestsHeader(requests) } : {}),
  };
}

function requestsHeader(requests: RequestsHeader): RequestsHeader {
  return {
    ...(requests.slowMs !== undefined ? { slowMs: requests.slowMs, repeatMs: requests.repeatMs ?? 0 } : {}),
    ...(requests.keepQuery ? { keepQuery: true } : {}),
    running: requests.running,
    ...(requests.asyncStacks ? { asyncStacks: true } : {}),
  };
}

export interface DumpHeader extends TargetInfo {
  attached: AttachedTarget;
  timeoutMs: number;
  limits: LimitsHeader;
}

export function dumpRecord(header: DumpHeader, threads: ThreadCapture[], workersKnown: boolean): Fields<DumpRecord> {
  return {
    format: LOG_FORMAT,
    tripod: header.tripod,
    ...(header.node ? { node: header.node } : {}),
    script: header.script,
    argv: header.argv,
    ...(header.ppid !== undefined ? { ppid: header.ppid } : {}),
    attached: attachedInfo(header.attached),
    timeoutMs: header.timeoutMs,
    limits: limitsHeader(header.limits),
    threads,
    ...(workersKnown ? {} : { workersUnknown: true }),
  };
}

function limitsHeader(limits: LimitsHeader): LimitsHeader {
  return {
    depth: limits.depth,
    maxElements: limits.maxElements,
    maxString: limits.maxString,
    maxFrames: limits.maxFrames,
    locals: limits.locals,
    redactKeys: limits.redactKeys,
  };
}

function attachedInfo(attached: AttachedTarget): AttachedInfo {
  return { pid: attached.pid, via: attached.via, ...(attached.durationMs ? { duration: attached.durationMs / 1000 } : {}) };
}
