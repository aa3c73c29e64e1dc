/**
 * The command line: a script to run, or a command (src/commands/, one front end
 * each, loaded when named); errors become one line and an exit code. This file
 * and src/commands/ are the only modules that print or exit.
 */
import { enableDebugLogFromEnv } from './diagnostics/debug-log';
import { UserError } from './errors';
import { isDebug, parseRunCommand } from './options/run';
import { builtFile } from './package-layout';
import { terminalSafe } from './report/terminal-text';
import { runBanner } from './run/banner';
import { sayOnStderr } from './run/stderr-line';
import type { Subcommand } from './subcommands';
import { tripodVersion } from './version';

interface FrontEnd {
  execute(argv: string[]): Promise<void>;
}

/**
 * Each command's front end, imported only when it is named: `tripod script` loads none of them
 * (the runner's bundle leaves ./commands/* out). `ownDebug`: its --debug is its own option, so
 * tripod's traces come with TRIPOD_DEBUG only.
 */
export const COMMANDS: Record<Subcommand, { load: () => Promise<FrontEnd>; ownDebug?: true }> = {
  show: { load: () => import('./commands/show') },
  dump: { load: () => import('./commands/dump') },
  record: { load: () => import('./commands/record') },
  flags: { load: () => import('./commands/flags'), ownDebug: true },
  logs: { load: () => import('./commands/logs') },
  monitor: { load: () => import('./commands/monitor') },
  report: { load: () => import('./commands/report') },
  help: { load: () => import('./commands/help') },
};

export function main(argv: string[]): void {
  const command = Object.hasOwn(COMMANDS, argv[0]) ? COMMANDS[argv[0] as Subcommand] : undefined;
  const debug = isDebug(command?.ownDebug ? [] : argv, process.env);
  try {
    if (!command) return run(argv);
    void command
      .load()
      .then((frontEnd) => frontEnd.execute(argv.slice(1)))
      .catch((error) => fail(error, debug));
  } catch (error) {
    fail(error, debug);
  }
}

function run(argv: string[]): void {
  const command = parseRunCommand(argv, process.env);
  if (command.kind === 'help') return void import('./commands/help').then(({ printHelp }) => printHelp('run')).catch((error) => fail(error, isDebug(argv, process.env)));
  if (command.kind === 'version') return void process.stdout.write(`${tripodVersion()}\n`);
  // The preload agent beside this file (dist/attach/agent.js), for node --require from a global install.
  if (command.kind === 'agent-path') return void process.stdout.write(`${builtFile('attach/agent.js')}\n`);
  enableDebugLogFromEnv(command.config.debug);
  // Loaded here, not at the top: the other commands need none of the runner.
  const { prepareRun, startRun } = require('./run/runner') as typeof import('./run/runner');
  const prepared = prepareRun(command.config);
  // stderr, so the target's stdout stays exactly its own; straight to fd 2, since creating process.stderr
  // would make a pipe behind it non-blocking (for stdout too, under 2>&1) before the program runs.
  if (!command.config.quiet) sayOnStderr(runBanner(command.config, prepared.logPath));
  startRun(prepared);
}

function fail(error: unknown, debug: boolean): void {
  if (error instanceof UserError) {
    // Messages quote what the target controls (its executable's name, its answers): escaped for the terminal.
    process.stderr.write(`${terminalSafe(error.message)}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error.exitCode;
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tripod: internal error: ${terminalSafe(message)}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 70;
}
