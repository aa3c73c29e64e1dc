/**
 * Where samples go: a fresh temp file named after the script (mode 0600, made
 * with tmp), or a file the user named, appended to.
 */
import { openSync } from 'node:fs';
import * as path from 'node:path';
import * as tmp from 'tmp';
import { UserError } from '../errors';

export interface LogFile {
  fd: number;
  path: string;
}

export function openLogFile(scriptPath: string, requested?: string): LogFile {
  return requested ? openNamed(requested) : openTemp(scriptPath);
}

function openNamed(requested: string): LogFile {
  const file = path.resolve(requested);
  try {
    return { fd: openSync(file, 'a', 0o600), path: file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`tripod: cannot write the log ${file} (${code}); choose a writable path with --log or TRIPOD_LOG`);
  }
}

function openTemp(scriptPath: string): LogFile {
  const name = path.basename(scriptPath).replace(/\.[cm]?[jt]sx?$/, '').replace(/[^\w.-]/g, '_') || 'script';
  try {
    const file = tmp.fileSync({ template: `tripod-${name}-XXXXXX.log`, mode: 0o600, keep: true });
    return { fd: file.fd, path: file.name };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`tripod: cannot create a log in the temp folder (${code}); set TMPDIR to a writable folder or name a log with --log`);
  }
}
