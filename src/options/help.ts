/**
 * Each command's `--help`: its usage lines and what it does, written here, and its
 * options, generated from the table (flags, range, variable, default).
 */
import { UserError } from '../errors';
import { type Command, COMMANDS, type CommandOption, optionsOf } from './table';

const ABOUT: Record<Command, string> = {
  run: `usage: tripod [options] script.js [script args]
       tripod show [LOG]          render a log (or grep's output on stdin) for people
       tripod dump PID            every JS thread's stack of a running process, now
       tripod record PID          sample a running process into a log
       tripod monitor PID         a console into a running process: stacks, modules, values, eval
       tripod report [LOG]        hottest functions, flame graphs and profile files from a log
       tripod logs                the logs tripod left in $TMPDIR
       tripod flags PID --ls      list and set a running process's flags and log levels
       tripod help [COMMAND]      this text, or a command's (also tripod COMMAND --help)

Runs script.js in this process, exactly as \`node script.js\` would, while a worker
thread samples its stack and local variables into a log (pino NDJSON).
Options go before the script; everything after it is the script's (\`--\` also ends
them, and \`tripod -- node script.js\` is \`tripod script.js\`). Node's own flags go in
NODE_OPTIONS: NODE_OPTIONS='--max-old-space-size=4096' tripod script.js.`,
  show: `usage: tripod show [options] [LOG]
       tripod show --last [options]
Renders a tripod log for people: each sample's stack, then its full backtrace with
arguments and local variables. Reads LOG, or standard input when LOG is absent or -,
so \`grep handleRequest LOG | tripod show\` shows just the matching samples.`,
  dump: `usage: tripod dump [options] PID
Prints the stack of every JavaScript thread of the running Node.js process PID —
the main thread and each worker_threads Worker — and lets it go on. Reached
through its open inspector, through SIGUSR1 (the inspector it opens is closed
again), or through tripod's agent (node --require tripod/agent). Only the
process's owner or root may dump it: the right to send it SIGUSR1.`,
  record: `usage: tripod record [options] PID
Samples every JavaScript thread of the running Node.js process PID into a log in
the format of \`tripod script.js\` (tripod show reads it), until --duration ends,
Ctrl-C, or the process exits; then lets it go on. Reached as tripod dump reaches it.`,
  flags: `usage: tripod flags PID --ls [GLOB]
       tripod flags PID --set NAME=VALUE... [--debug PATTERNS]
       tripod flags PID --clear [NAME...]
Lists and changes, while the process runs, the flags its modules registered with
tripod/flags (flag('debugCache', 0, 'help')), the levels of its pino loggers, and
its debug namespaces. Each change prints \`set NAME OLD -> NEW (module)\` and is
written to the process's tripod log when it has one. Reached as tripod dump reaches it.`,
  monitor: `usage: tripod monitor [options] PID
Opens a console into the running Node.js process PID, reached as tripod dump
reaches it: main, mainwhoall, threads, modules, who, whoall and list read without
running the program's code or leaving a thread stopped; eval, exec, import and
reload run code in the program on purpose (--read-only refuses them). Commands
come from the terminal, from -e, or from standard input when it is not a terminal.
Only the process's owner or root may open it. Type help in the console for its commands.`,
  report: `usage: tripod report [options] [LOG]
Folds the stacks of a log (profile records of --profile, periodic samples, stall
captures) and prints the hottest functions, or writes a file for a profile viewer.
Reads LOG, or standard input when LOG is absent or -.`,
  logs: `usage: tripod logs [--clean DAYS]
Lists the logs tripod wrote to $TMPDIR (tripod-*.log), oldest first, with their
script, pid, time and size; --clean removes the older ones.`,
};

const WIDTH = 100;
const FLAG_COLUMN = 24;

export function helpText(command: Command): string {
  const options = optionsOf(command);
  // TRIPOD_DEBUG alone (show, report, logs) is said on its own line.
  const withVariables = options.some((option) => option.env !== undefined && option.key !== 'debug');
  const heading = withVariables ? 'options (TRIPOD_* variables set them too; a flag wins):' : 'options:';
  return [ABOUT[command], '', heading, ...options.flatMap(optionLines)].join('\n');
}

/** `tripod help [COMMAND]`. */
export function helpTopic(topic: string | undefined): string {
  if (topic === undefined) return helpText('run');
  if ((COMMANDS as readonly string[]).includes(topic)) return helpText(topic as Command);
  throw new UserError(`tripod help: there is no command ${JSON.stringify(topic)}; the commands are ${COMMANDS.filter((c) => c !== 'run').join(', ')} (tripod help COMMAND)`);
}

/** One option: its flags in the first column, then its help wrapped beside them. */
function optionLines(option: CommandOption): string[] {
  const flags = flagsOf(option);
  const words = describe(option).split(' ');
  const lines: string[] = [];
  let line = `  ${flags}`.padEnd(FLAG_COLUMN - 1);
  if (line.length >= FLAG_COLUMN) {
    lines.push(line);
    line = ''.padEnd(FLAG_COLUMN - 1);
  }
  for (const word of words) {
    if (line.trim().length > flags.length && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = ''.padEnd(FLAG_COLUMN - 1);
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

export function flagsOf(option: CommandOption): string {
  const value = option.value ? ` ${option.value}` : '';
  const short = option.short ? `-${option.short}, ` : '';
  const alias = option.alias ? ` (or --${option.alias})` : '';
  return `${short}--${option.flag}${value}${alias}`;
}

/** The help text with its range, then (variable, default). */
export function describe(option: CommandOption): string {
  const range = option.range ? rangeText(option) : '';
  const text = option.help.includes('{range}') ? option.help.replace('{range}', range) : range ? `${option.help}, ${range}` : option.help;
  const notes = [variableText(option), defaultText(option)].filter(Boolean);
  return notes.length ? `${text} (${notes.join(', ')})` : text;
}

function rangeText(option: CommandOption): string {
  return `${option.range!.min}-${option.range!.max}`;
}

function variableText(option: CommandOption): string {
  if (option.env === undefined) return '';
  if (option.kind !== 'switch') return option.env;
  return `${option.env}=${option.default ? 0 : 1}`;
}

function defaultText(option: CommandOption): string {
  if (option.kind === 'switch') return '';
  if (option.defaultText !== undefined) return `default ${option.defaultText}`;
  return typeof option.default === 'number' ? `default ${option.default}` : '';
}
