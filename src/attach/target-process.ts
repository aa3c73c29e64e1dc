/**
 * Who the target is, checked from /proc before anything is sent to it: it must
 * exist, we must be allowed to signal it (its owner or root: the kernel's own
 * rule for SIGUSR1), and it must be Node.js — SIGUSR1 kills a process that does
 * not handle it.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { ATTACH_EXIT } from './exit-codes';
import { type InspectorFlags, inspectorFlags } from './node-flags';

export interface TargetProcess {
  pid: number;
  /** The executable, from /proc/<pid>/exe. */
  exe: string;
  /** Its command line (what `process.argv` started as, before any process.title change). */
  argv: string[];
  flags: InspectorFlags;
  /** Whether a handler is installed for SIGUSR1 (Node's inspector trigger). */
  catchesSigusr1: boolean;
}

const SIGUSR1_BIT = 10n - 1n;

export function findTarget(pid: number): TargetProcess {
  const argv = readCommandLine(pid);
  checkSignalPermission(pid);
  const exe = readExe(pid);
  const status = readProc(pid, 'status');
  if (status === undefined) throw exitedError(pid);
  return {
    pid,
    exe,
    argv,
    flags: inspectorFlags(argv, environOf(pid).NODE_OPTIONS),
    catchesSigusr1: catches(status, SIGUSR1_BIT),
  };
}

/** A Node binary is called node (nodejs on Debian, node20 and the like elsewhere). */
export function looksLikeNode(target: TargetProcess): boolean {
  return /^node(js)?[-_.\d]*$/i.test(path.basename(target.exe));
}

export function notNodeError(target: TargetProcess): UserError {
  return new UserError(
    `tripod: process ${target.pid} (${path.basename(target.exe)}) is not a Node.js process, so tripod sent it nothing; give the pid of a node process (pgrep -a node)`,
    ATTACH_EXIT.notNode,
  );
}

/** Its working directory, which ./relative names in its output are relative to; undefined once it is gone (or hidden from us). */
export function workingDirectoryOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** Running or sleeping; a zombie has exited already. */
export function isAlive(pid: number): boolean {
  const stat = readProc(pid, 'stat');
  return stat !== undefined && !/\) Z /.test(stat);
}

export function exitedError(pid: number): UserError {
  return new UserError(`tripod: process ${pid} exited during the dump; nothing more to read from it`, ATTACH_EXIT.targetExited);
}

function readCommandLine(pid: number): string[] {
  const raw = readProc(pid, 'cmdline');
  if (raw === undefined) throw new UserError(`tripod: no such process ${pid}; check the pid (pgrep -a node lists Node.js processes)`, ATTACH_EXIT.noSuchProcess);
  return raw.split('\0').filter((word, i, all) => word !== '' || i < all.length - 1);
}

/** Signal 0 checks the right to signal without sending anything. */
function checkSignalPermission(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw exitedError(pid);
    if (code === 'EPERM') throw permissionError(pid);
    throw error;
  }
}

function permissionError(pid: number): UserError {
  return new UserError(
    `tripod: permission denied for process ${pid}: only its owner or root may attach (the right to send it SIGUSR1); run tripod as the user who started it`,
    ATTACH_EXIT.permissionDenied,
  );
}

/** The kernel shows another user's executable only to those who may ptrace it. */
function readExe(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw permissionError(pid);
    throw exitedError(pid);
  }
}

function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of (readProc(pid, 'environ') ?? '').split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

/** SigCgt in /proc/<pid>/status is a hex mask of the signals with handlers, bit n-1 for signal n. */
function catches(status: string, bit: bigint): boolean {
  const mask = /^SigCgt:\s*([0-9a-f]+)$/im.exec(status)?.[1];
  return mask !== undefined && ((BigInt(`0x${mask}`) >> bit) & 1n) === 1n;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}
