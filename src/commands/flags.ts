/** `tripod flags PID`: the command's front end (controls/flags-command.ts lists and sets). */
import { enableDebugLogFromEnv } from '../diagnostics/debug-log';
import { terminalSafe } from '../report/terminal-text';
import { abortOnSignals, interruptedAsUserError, timing } from './attach-lifecycle';
import { printHelp } from './help';

export async function execute(argv: string[]): Promise<void> {
  const { parseFlagsCommand } = await import('../options/flags');
  const config = parseFlagsCommand(argv, process.env);
  if (config === 'help') return printHelp('flags');
  enableDebugLogFromEnv(config.debug);
  const { flagsCommand } = await import('../controls/flags-command');
  const started = performance.now();
  const result = await flagsCommand(config, abortOnSignals().signal).catch(interruptedAsUserError(config.pid));
  if (result.lines.length > 0) process.stdout.write(`${terminalSafe(result.lines.join('\n'))}\n`);
  for (const warning of result.warnings) process.stderr.write(`${terminalSafe(warning)}\n`);
  if (!config.quiet) await timing(started, result.stoppedMs);
}
