/**
 * Where samples go: a fresh temp file named after the script (mode 0600, made
 * with tmp), or a file the user named, appended to — only if it is the caller's
 * own and closed to other users, since samples hold the program's data.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('log');

export interface LogFile {
  fd: number;
  path: string;
}

export function openLogFile(scriptPath: string, requested?: string): LogFile {
  const log = requested ? openNamed(requested) : openTemp(scriptPath);
  debug('opened %s (%s, fd %s)', log.path, requested ? 'named by --log or TRIPOD_LOG' : 'a new temp file', log.fd);
  return log;
}

/**
 * A named log that is there already, opened and checked as openLogFile does; undefined for a temp log or
 * a path with nothing at it yet, so that a command can refuse a bad log first and still make no file
 * before it knows the rest of its input is good.
 */
export function openExistingLog(requested: string | undefined): LogFile | undefined {
  if (!requested) return undefined;
  try {
    lstatSync(path.resolve(requested));
  } catch {
    return undefined;
  }
  return openNamed(requested);
}

/**
 * O_NOFOLLOW: a symlink planted at the path is refused, not followed to a file of its maker's choosing.
 * O_NONBLOCK: opening a FIFO nobody reads fails at once (ENXIO) instead of hanging before the script runs.
 */
const NAMED_LOG_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function openNamed(requested: string): LogFile {
  const file = path.resolve(requested);
  let fd: number;
  try {
    fd = openSync(file, NAMED_LOG_FLAGS, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    // Only to word the refusal (ELOOP, or EACCES for another user's link in a sticky folder): the open decided.
    if (code === 'ELOOP' || isSymlink(file)) throw new UserError(`tripod: the log ${file} is a symbolic link, which tripod does not follow; name the file itself or another path with --log or TRIPOD_LOG`);
    throw new UserError(`tripod: cannot write the log ${file} (${code}); choose a writable path with --log or TRIPOD_LOG`);
  }
  // Checked on what was opened, not on the path, so the file cannot be swapped between the check and the open.
  const refusal = refusalOf(fstatSync(fd), file);
  if (refusal) {
    closeSync(fd);
    throw new UserError(refusal);
  }
  return { fd, path: file };
}

function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Why an opened log must not be written, if it must not: a file (new ones are made 0600) must be the
 * caller's and closed to group and others; a device must be the caller's or the system's (/dev/null).
 */
function refusalOf(stats: Stats, file: string): string | undefined {
  const me = process.geteuid?.() ?? stats.uid;
  const fix = 'choose another path with --log or TRIPOD_LOG';
  if (stats.isCharacterDevice()) {
    return stats.uid === me || stats.uid === 0 ? undefined : `tripod: the log ${file} is a device of user ${stats.uid}, not yours (uid ${me}); ${fix}`;
  }
  if (!stats.isFile() && !stats.isFIFO()) return `tripod: the log ${file} is not a file; ${fix}`;
  if (stats.uid !== me) return `tripod: the log ${file} belongs to user ${stats.uid}, not to you (uid ${me}), and samples hold the program's data; remove it or ${fix}`;
  const openToOthers = stats.mode & 0o066;
  if (openToOthers) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
    return `tripod: the log ${file} can be read or written by other users (mode ${mode}), and samples hold the program's data; chmod 600 it or ${fix}`;
  }
  return undefined;
}

function openTemp(scriptPath: string): LogFile {
  const name = path.basename(scriptPath).replace(/\.[cm]?[jt]sx?$/, '').replace(/[^\w.-]/g, '_') || 'script';
  try {
    // Only for a temp log: tmp and the node:crypto it loads cost a --children child's start ~3 ms, and a child opens the log by name.
    const tmp = require('tmp') as typeof import('tmp');
    const file = tmp.fileSync({ template: `tripod-${name}-XXXXXX.log`, mode: 0o600, keep: true });
    return { fd: file.fd, path: file.name };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`tripod: cannot create a log in the temp folder (${code}); set TMPDIR to a writable folder or name a log with --log`);
  }
}
