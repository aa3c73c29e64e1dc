/**
 * The console's commands, once: name, usage, what it does, whether it runs the
 * program's code (--read-only refuses those), and how it runs. help, tab
 * completion and the dispatcher all read this table.
 */
import { controlCommand } from './control-commands';
import { debugText } from './debug-command';
import { evalCommand, importCommand, reloadCommand, type RunControl } from './code-commands';
import { listCommand, modulesCommand, whoCommand } from './module-commands';
import { CommandFailed, type MonitorSession, type Outcome } from './session';
import { requestsCommand, stackCommand, threadCommand, threadsCommand } from './stack-commands';

export interface ConsoleCommand {
  name: string;
  usage: string;
  summary: string;
  /** Runs code in the program: refused under --read-only. */
  runsCode?: boolean;
  /** What it completes after its name: module paths, or property names of the program's globals. */
  completes?: 'module' | 'expression';
  run(session: MonitorSession, args: string, control: RunControl): Promise<Outcome>;
}

export const CONSOLE_COMMANDS: readonly ConsoleCommand[] = [
  { name: 'main', usage: 'main', summary: "the current thread's stack, now (as tripod dump)", run: (s) => stackCommand(s, false) },
  { name: 'mainwhoall', usage: 'mainwhoall', summary: 'the same with arguments and local variables, bounded and redacted', run: (s) => stackCommand(s, true) },
  { name: 'requests', usage: 'requests [--heap]', summary: "the main thread's HTTP requests in flight (a process tripod did not start: those on its sockets; --heap: dump --requests's heap walk)", run: (s, a) => requestsCommand(s, a) },
  { name: 'threads', usage: 'threads', summary: 'every JavaScript thread; * marks the one commands apply to', run: (s) => threadsCommand(s) },
  { name: 'thread', usage: 'thread N', summary: 'make the next commands apply to thread N (0: the main thread)', run: (s, a) => threadCommand(s, a) },
  { name: 'modules', usage: 'modules [--all]', summary: "loaded modules, the program's own (--all: node_modules too)", run: (s, a) => modulesCommand(s, a) },
  { name: 'who', usage: 'who MODULE', summary: "names at a module's top level (functions, variables, exports) and their kinds", completes: 'module', run: (s, a) => whoCommand(s, a, false) },
  { name: 'whoall', usage: 'whoall MODULE', summary: 'the same with their values, bounded and redacted', completes: 'module', run: (s, a) => whoCommand(s, a, true) },
  { name: 'list', usage: 'list MODULE:LINE | list FUNCTION', summary: 'source lines of a loaded module around LINE, or around a function of the program', completes: 'module', run: (s, a) => listCommand(s, a) },
  { name: 'eval', usage: 'eval EXPRESSION', summary: 'evaluate in the program (runs its code) and print the result as util.inspect does', runsCode: true, completes: 'expression', run: (s, a, c) => evalCommand(s, a, c, false) },
  { name: 'exec', usage: 'exec STATEMENTS', summary: 'run statements in the program (runs its code); prints only a failure or a result', runsCode: true, completes: 'expression', run: (s, a, c) => evalCommand(s, a, c, true) },
  { name: 'import', usage: 'import MODULE [as NAME]', summary: 'load a module (built-in, package or file) by name for later eval and exec', runsCode: true, completes: 'module', run: (s, a, c) => importCommand(s, a, c) },
  { name: 'reload', usage: 'reload MODULE [as NAME]', summary: 'drop a CommonJS module from the require cache, so the next require loads it anew; an ES module: a fresh instance as NAME', runsCode: true, completes: 'module', run: (s, a, c) => reloadCommand(s, a, c) },
  { name: 'flags', usage: 'flags [GLOB]', summary: "the program's tripod/flags flags, its pino loggers' levels and debug's namespaces (as tripod flags --ls)", run: (s, a) => controlCommand(s, 'flags', a) },
  { name: 'set', usage: 'set NAME=VALUE...', summary: "set flags, all or none (runs the flags' onChange listeners)", runsCode: true, run: (s, a) => controlCommand(s, 'set', a) },
  { name: 'clear', usage: 'clear [NAME...]', summary: 'put flags and levels back as tripod found them (all that tripod changed, without a NAME)', runsCode: true, run: (s, a) => controlCommand(s, 'clear', a) },
  { name: 'level', usage: 'level LEVEL | pino{BINDING}=LEVEL | debug PATTERNS', summary: "set every pino logger's level, the matching ones', or enable debug namespaces", runsCode: true, run: (s, a) => controlCommand(s, 'level', a) },
  { name: 'debug', usage: 'debug', summary: 'how to hand over to a real debugger (node inspect, Chrome DevTools)', run: async (s) => ({ text: debugText(s.pid, s.target.attachment.route) }) },
  { name: 'timing', usage: 'timing on|off', summary: 'show or hide the cost line after each command', run: unreachable },
  { name: 'help', usage: 'help [COMMAND]', summary: 'the commands, or one of them', run: unreachable },
  { name: 'quit', usage: 'quit', summary: 'leave the console; the program goes on (also exit, Ctrl-D)', run: unreachable },
];

async function unreachable(): Promise<Outcome> {
  throw new Error('answered by the console itself');
}

export function commandNamed(name: string): ConsoleCommand | undefined {
  if (name === 'exit') return commandNamed('quit');
  return CONSOLE_COMMANDS.find((command) => command.name === name);
}

/** `help` or `help CMD`. */
export function helpFor(topic: string, readOnly: boolean): string {
  if (topic) {
    const command = commandNamed(topic);
    if (!command) throw new CommandFailed(unknownCommand(topic));
    const refused = command.runsCode && readOnly ? ' (refused: this console is --read-only)' : '';
    return `${command.usage}\n  ${command.summary}${refused}`;
  }
  const width = Math.max(...CONSOLE_COMMANDS.map((command) => command.usage.length));
  const lines = CONSOLE_COMMANDS.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}${command.runsCode && readOnly ? ' [refused: --read-only]' : ''}`);
  return [
    'Commands (main, mainwhoall, requests, threads, modules, who, whoall and list never run the program\'s code):',
    ...lines,
    'MODULE: a path suffix (cache.js), ./relative to the program\'s directory, or absolute. Tab completes commands, modules and names.',
  ].join('\n');
}

export function unknownCommand(name: string): string {
  const close = CONSOLE_COMMANDS.map((command) => command.name).filter((candidate) => candidate.startsWith(name.slice(0, 2)) || name.startsWith(candidate));
  const hint = close.length > 0 ? `did you mean ${close.join(' or ')}? ` : '';
  return `tripod monitor: no command ${JSON.stringify(name)}; ${hint}help lists them`;
}
