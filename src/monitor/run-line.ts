/**
 * One console line, run: split into command and arguments, written to the
 * audit file, refused under --read-only when it runs code, timed, and turned
 * into a result (a failure is one line; the console goes on).
 */
import { ConnectionClosed } from '../capture/cdp-connection';
import { type AuditLog } from './audit';
import type { RunControl } from './code-commands';
import { commandNamed, helpFor, unknownCommand } from './command-table';
import { CommandFailed, type MonitorSession } from './session';

export interface LineResult {
  command: string;
  ok: boolean;
  result?: string;
  error?: string;
  wallMs: number;
  stoppedMs?: number;
  /** The thread the command applied to, as the timing line names it. */
  thread: string;
  /** quit, exit or Ctrl-D. */
  quit?: boolean;
  /** timing on|off. */
  timing?: boolean;
}

/** The target went away under a command: the console ends (exit 8). */
export class TargetGone extends Error {
  constructor() {
    super('the target is gone');
    this.name = 'TargetGone';
  }
}

export async function runLine(session: MonitorSession, line: string, control: RunControl, audit?: AuditLog): Promise<LineResult> {
  const command = line.trim();
  const started = performance.now();
  const [name, args] = splitCommand(command);
  audit?.write(session.pid, command);
  const done = (fields: Partial<LineResult>): LineResult => ({ command, ok: true, wallMs: performance.now() - started, thread: session.threadLabel, ...fields });
  try {
    if (name === 'quit' || name === 'exit') return done({ quit: true, result: '' });
    if (name === 'help') return done({ result: helpFor(args.trim(), session.config.readOnly) });
    if (name === 'timing') return done(timingSwitch(args.trim()));
    const chosen = commandNamed(name);
    if (!chosen) throw new CommandFailed(unknownCommand(name));
    if (chosen.runsCode && session.config.readOnly) {
      throw new CommandFailed(`${name}: refused, this console is --read-only (TRIPOD_MONITOR_READONLY): ${name} runs code in the program`);
    }
    const outcome = await chosen.run(session, args, control);
    return done({ result: outcome.text, ...(outcome.stoppedMs !== undefined ? { stoppedMs: outcome.stoppedMs } : {}) });
  } catch (error) {
    if (session.target.attachment.gone || error instanceof ConnectionClosed) throw new TargetGone();
    if (error instanceof CommandFailed) return done({ ok: false, error: error.message, ...(error.stoppedMs !== undefined ? { stoppedMs: error.stoppedMs } : {}) });
    throw error;
  }
}

export function splitCommand(line: string): [string, string] {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(line);
  return match ? [match[1], match[2]] : ['', ''];
}

function timingSwitch(value: string): Partial<LineResult> {
  if (value !== 'on' && value !== 'off') throw new CommandFailed('timing: say timing on or timing off');
  return { timing: value === 'on', result: `cost lines ${value}` };
}
