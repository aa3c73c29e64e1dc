/**
 * `tripod logs` and `tripod show --last`: the temp logs tripod made (with `tmp`,
 * as log-file.ts names them: tripod-<script>-XXXXXX.log in $TMPDIR). Only the
 * caller's own regular files whose first line is a tripod start record count: a
 * symbolic link is never followed, another user's file never read or removed.
 */
import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, realpathSync, unlinkSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors';
import { localTime } from './local-time';
import { plain } from './terminal-text';

export interface TempLog {
  path: string;
  script: string;
  pid: number;
  /** Epoch ms of its start record. */
  startedAt: number;
  size: number;
  /** Epoch ms of its last write. */
  modifiedAt: number;
  dev: number;
  ino: number;
}

export interface LogsOutcome {
  folder: string;
  logs: TempLog[];
  removed: TempLog[];
}

/** tmp's template tripod-<name>-XXXXXX.log: the name made of [\w.-], six letters or digits. */
const TEMP_LOG_NAME = /^tripod-[\w.-]+-[0-9A-Za-z]{6}\.log$/;
/** A start record is one line of a few KB (argv is the longest part); past this the file is not taken for a log. */
const LONGEST_START_LINE = 1024 * 1024;
const DAY_MS = 86_400_000;

/** Lists the caller's temp logs, oldest first; with `cleanDays`, removes those last written over that many days ago. */
export async function listLogs(config: { cleanDays?: number }, out: NodeJS.WritableStream): Promise<LogsOutcome> {
  const folder = tempFolder();
  const logs = tempLogs(folder);
  if (config.cleanDays === undefined) {
    out.write(logs.length === 0 ? `no tripod log of yours in ${folder}\n` : listing(logs, folder));
    return { folder, logs, removed: [] };
  }
  const before = Date.now() - config.cleanDays * DAY_MS;
  const removed = logs.filter((log) => log.modifiedAt < before && remove(log));
  const kept = logs.length - removed.length;
  for (const log of removed) out.write(`removed ${plain(log.path)} (${plain(log.script)}, pid ${log.pid}, ${size(log.size)})\n`);
  const total = removed.reduce((sum, log) => sum + log.size, 0);
  out.write(
    removed.length === 0
      ? `no tripod log of yours in ${folder} was last written over ${config.cleanDays} days ago; ${kept} kept\n`
      : `removed ${removed.length} log${removed.length === 1 ? '' : 's'} (${size(total)}); ${kept} newer kept\n`,
  );
  return { folder, logs, removed };
}

/** The most recently started of the caller's temp logs. */
export async function newestLog(): Promise<{ folder: string; log?: string }> {
  const folder = tempFolder();
  const logs = tempLogs(folder);
  return { folder, log: logs.at(-1)?.path };
}

/** The folder tmp makes logs in: os.tmpdir() ($TMPDIR), resolved as tmp resolves it. */
function tempFolder(): string {
  try {
    return realpathSync(tmpdir());
  } catch (error) {
    throw new UserError(`tripod: cannot read the temp folder ${tmpdir()} (${(error as NodeJS.ErrnoException).code ?? 'error'}); set TMPDIR to the folder tripod wrote its logs in`, 1);
  }
}

/** The caller's temp logs in `folder`, oldest start first. */
function tempLogs(folder: string): TempLog[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    throw new UserError(`tripod: cannot list the temp folder ${folder} (${(error as NodeJS.ErrnoException).code ?? 'error'}); set TMPDIR to the folder tripod wrote its logs in`, 1);
  }
  const logs = names.filter((name) => TEMP_LOG_NAME.test(name)).flatMap((name) => readTempLog(path.join(folder, name)) ?? []);
  return logs.sort((a, b) => a.startedAt - b.startedAt || a.modifiedAt - b.modifiedAt || a.path.localeCompare(b.path));
}

/**
 * The log at `file` if it is one of the caller's: opened without following a link and without waiting
 * on a FIFO, checked on what was opened (a regular file of the caller's), its first line a start record.
 */
function readTempLog(file: string): TempLog | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.uid !== (process.geteuid?.() ?? stats.uid)) return undefined;
    const start = startRecord(firstLine(fd));
    if (!start) return undefined;
    return { path: file, ...start, size: stats.size, modifiedAt: stats.mtimeMs, dev: stats.dev, ino: stats.ino };
  } finally {
    closeSync(fd);
  }
}

function firstLine(fd: number): string {
  const chunks: Buffer[] = [];
  let read = 0;
  while (read < LONGEST_START_LINE) {
    const chunk = Buffer.alloc(64 * 1024);
    const n = readSync(fd, chunk, 0, chunk.length, read);
    if (n === 0) break;
    const part = chunk.subarray(0, n);
    const newline = part.indexOf(0x0a);
    chunks.push(newline >= 0 ? part.subarray(0, newline) : part);
    if (newline >= 0) break;
    read += n;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function startRecord(line: string): Pick<TempLog, 'script' | 'pid' | 'startedAt'> | undefined {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record.event !== 'start' || typeof record.tripod !== 'string' || typeof record.time !== 'number' || typeof record.pid !== 'number') return undefined;
    return { script: typeof record.script === 'string' ? record.script : '?', pid: record.pid, startedAt: record.time };
  } catch {
    return undefined;
  }
}

/** Unlinks the log if the path still names the file that was read (unlink removes a link, never what it points to). */
function remove(log: TempLog): boolean {
  try {
    const now = lstatSync(log.path);
    if (now.isSymbolicLink() || now.dev !== log.dev || now.ino !== log.ino) return false;
    unlinkSync(log.path);
    return true;
  } catch {
    return false;
  }
}

function listing(logs: TempLog[], folder: string): string {
  const rows = logs.map((log) => [localTime(log.startedAt), String(log.pid), size(log.size), plain(log.script), plain(log.path)]);
  const header = ['started', 'pid', 'size', 'script', 'log'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i]) : i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ');
  const total = logs.reduce((sum, log) => sum + log.size, 0);
  return `${[line(header), ...rows.map(line)].join('\n')}\n${logs.length} log${logs.length === 1 ? '' : 's'}, ${size(total)} in ${folder}; tripod logs --clean DAYS removes those older than DAYS\n`;
}

function size(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
