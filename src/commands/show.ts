/** `tripod show [LOG]`: the command's front end (report/show.ts renders). */
import { UserError } from '../errors';
import { endQuietlyWhenStdoutCloses } from './closed-stdout';
import { printHelp } from './help';

export async function execute(argv: string[]): Promise<void> {
  const { parseShowCommand } = await import('../options/show');
  const config = parseShowCommand(argv, process.env, Boolean(process.stdout.isTTY));
  if (config === 'help') return printHelp('show');
  if (!config.last && (!config.logPath || config.logPath === '-') && process.stdin.isTTY) {
    throw new UserError('tripod show: no log given and nothing piped in; name a log (tripod show LOG), pick the newest with tripod show --last, or pipe records (grep fn LOG | tripod show)', 1);
  }
  endQuietlyWhenStdoutCloses();
  // Loaded here, not at the top: pino-pretty would add ~15 ms to every `tripod script` start.
  const { showLog } = await import('../report/show');
  const stats = await showLog(config, process.stdin, process.stdout);
  if (stats.picked) process.stderr.write(`tripod: showed ${stats.picked}\n`);
  if (stats.skipped > 0) process.stderr.write(`tripod: skipped ${stats.skipped} lines that were not tripod records\n`);
}
