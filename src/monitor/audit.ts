/**
 * --audit FILE: every command sent to the process, appended with its time, the
 * user and the pid, to a file only its owner can read (0600; an existing file
 * that others can read is refused).
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { UserError } from '../errors';

export class AuditLog {
  private constructor(private readonly fd: number) {}

  static open(file: string): AuditLog {
    let fd: number;
    try {
      fd = openSync(file, 'a', 0o600);
    } catch (error) {
      throw new UserError(`tripod monitor: cannot open the audit file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a file you can write`);
    }
    const mode = fstatSync(fd).mode & 0o777;
    if (mode & 0o077) {
      closeSync(fd);
      throw new UserError(`tripod monitor: the audit file ${file} is mode ${mode.toString(8)}, readable by others; chmod 600 it or give another file`);
    }
    return new AuditLog(fd);
  }

  write(pid: number, command: string): void {
    const line = `${new Date().toISOString()} pid=${pid} user=${userName()} ${JSON.stringify(command)}\n`;
    writeSync(this.fd, line);
  }

  close(): void {
    closeSync(this.fd);
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '?');
  }
}
