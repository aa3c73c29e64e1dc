/**
 * `tripod monitor PID`: attaches as `tripod dump` does, prints the banner, and
 * runs the console — interactive on a terminal, else the -e commands or the
 * lines of standard input — until quit, Ctrl-D, or the target's exit (exit 8).
 * The attach layer lets the process go on as it was, whatever ends the session.
 */
import type { Readable, Writable } from 'node:stream';
import type { MonitorConfig } from '../config';
import { UserError } from '../errors';
import { withAttached } from '../attach/session';
import { ATTACH_EXIT } from '../attach/exit-codes';
import type { Attachment } from '../attach/attachment';
import { terminalSafe } from '../report/terminal-text';
import { AuditLog } from './audit';

export interface MonitorIo {
  input: Readable & { isTTY?: boolean };
  output: Writable & { isTTY?: boolean };
  errors: Writable;
  env: Record<string, string | undefined>;
}

const ROUTE_WORDS: Record<Attachment['route'], string> = {
  agent: 'through the tripod agent, no port open',
  signal: 'through SIGUSR1 (the port could not be handed over: the inspector port it opened is closed when the console ends)',
  inspector: 'through its open inspector (left open, as it was)',
};

/**
 * The console and its commands: some 15 ms of modules to load, loaded while the target answers the
 * attach (the first turn of the event loop after it began) rather than before it, so the first prompt
 * comes sooner.
 */
function consoleModules() {
  return {
    ...(require('./console') as typeof import('./console')),
    ...(require('./run-line') as typeof import('./run-line')),
    ...(require('./scripted') as typeof import('./scripted')),
    ...(require('./session') as typeof import('./session')),
  };
}

/** Resolves true when every command succeeded. */
export async function monitorProcess(config: MonitorConfig, io: MonitorIo, abort?: AbortSignal): Promise<boolean> {
  const audit = config.auditPath ? AuditLog.open(config.auditPath) : undefined;
  setImmediate(consoleModules);
  try {
    return await withAttached(config.pid, config.timeoutMs, async (target) => {
      const { MonitorSession, runConsole, runScripted, stdinLines, TargetGone } = consoleModules();
      const session = new MonitorSession(target, config);
      const interactive = config.execute.length === 0 && Boolean(io.input.isTTY) && !config.json;
      (interactive ? io.output : io.errors).write(`${banner(target.attachment)}\n`);
      const untilGone = goneGuard(target.attachment);
      try {
        if (interactive) return await runConsole(session, io, untilGone, audit);
        if (config.execute.length > 0) return !(await runScripted(session, config.execute, io, untilGone, audit));
        const stdin = stdinLines(io.input);
        try {
          return !(await runScripted(session, stdin.lines, io, untilGone, audit));
        } finally {
          stdin.close();
        }
      } catch (error) {
        if (error instanceof TargetGone) throw new UserError(`tripod monitor: process ${config.pid} exited; the console ends`, ATTACH_EXIT.targetExited);
        throw error;
      }
    }, abort, { longLived: true });
  } finally {
    audit?.close();
  }
}

function banner(attachment: Attachment): string {
  const node = attachment.node ? ` (node ${attachment.node.startsWith('v') ? attachment.node : `v${attachment.node}`})` : '';
  return terminalSafe(`tripod monitor: process ${attachment.pid}${node} ${attachment.script} — ${routeWords(attachment)}`);
}

/** A session SIGUSR1 opened that moved to the relay's socket holds no port any more: say so, and for how long it had one. */
function routeWords(attachment: Attachment): string {
  if (attachment.route === 'signal' && attachment.upgrade) {
    return `through SIGUSR1, moved to tripod's 0600 socket: the inspector port was open ${Math.round(attachment.upgrade.portOpenMs)} ms, none is open now`;
  }
  return ROUTE_WORDS[attachment.route];
}

/** Races work against the target's going: a command or a prompt waiting when it exits ends with TargetGone. */
function goneGuard(attachment: Attachment): <T>(work: Promise<T>) => Promise<T> {
  const { TargetGone } = consoleModules();
  const gone = new Promise<never>((_, reject) => attachment.onGone(() => reject(new TargetGone())));
  gone.catch(() => {});
  return (work) => Promise.race([work, gone]);
}
