/**
 * The console's flags, set, clear and level commands: `tripod flags`' own code
 * (controls/flags-command.ts) on the session's process, its refusals turned into
 * the console's one-line failures. They act on the process, whichever thread the
 * console is on: flags and loggers are the process's.
 */
import { UserError } from '../errors';
import { consoleRequest, controlsOf } from '../controls/flags-command';
import { CommandFailed, type MonitorSession, type Outcome } from './session';

export async function controlCommand(session: MonitorSession, name: string, args: string): Promise<Outcome> {
  const words = args.trim() === '' ? [] : args.trim().split(/\s+/);
  const request = consoleRequest(name, words);
  if (!request) throw new CommandFailed(`${name}: not a controls command`);
  if (name === 'set' && words.length === 0) throw new CommandFailed('set: say what to set, as set NAME=VALUE (flags lists the names)');
  if (name === 'level' && words.length === 0) throw new CommandFailed('level: say a level, as level debug, level pino{module:"db"}=trace or level debug PATTERNS');
  try {
    const result = await controlsOf(session.target, request);
    return { text: [...result.lines, ...result.warnings].join('\n'), stoppedMs: result.stoppedMs };
  } catch (error) {
    if (error instanceof UserError) throw new CommandFailed(error.message.replace(/^tripod flags: /, `${name}: `));
    throw error;
  }
}
