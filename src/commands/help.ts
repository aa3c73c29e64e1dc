/**
 * `tripod help [COMMAND]`, and every command's --help: the text from the option
 * table (options/help.ts), loaded only when asked for.
 */
import type { Command } from '../options/table';

export async function printHelp(command: Command): Promise<void> {
  const { helpText } = await import('../options/help');
  process.stdout.write(`${helpText(command)}\n`);
}

/** `tripod help [COMMAND]`; a script named help runs as `tripod ./help`. */
export async function execute(argv: string[]): Promise<void> {
  const help = await import('../options/help');
  process.stdout.write(`${help.helpTopic(argv[0])}\n`);
}
