/** `tripod logs`: the command's front end (report/logs.ts lists them). */
import { printHelp } from './help';

export async function execute(argv: string[]): Promise<void> {
  const { parseLogsCommand } = await import('../options/logs');
  const config = parseLogsCommand(argv, process.env);
  if (config === 'help') return printHelp('logs');
  const { listLogs } = await import('../report/logs');
  await listLogs(config, process.stdout);
}
