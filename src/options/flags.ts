/**
 * `tripod flags PID --ls [GLOB] | --set NAME=VALUE... | --clear [NAME...] | --debug PATTERNS`:
 * the process id, what to do, and the names after it (a glob for --ls, flags for --clear).
 */
import type { FlagsConfig } from '../config';
import { tracesWanted } from '../diagnostics/debug-log';
import { UserError } from '../errors';
import { processIdOf } from './attach';
import { type Env, parseCommandLine } from './parse';

export function parseFlagsCommand(argv: string[], env: Env): FlagsConfig | 'help' {
  const { values, positionals } = parseCommandLine('flags', argv, env, true);
  if (values.has('help')) return 'help';
  const [pidText, ...names] = positionals;
  const pid = processIdOf('flags', pidText === undefined ? [] : [pidText]);
  const list = values.switch('ls');
  const clear = values.switch('clear');
  const sets = values.list('set');
  const debugNamespaces = values.text('debug');
  if (!list && !clear && sets.length === 0 && debugNamespaces === undefined) {
    throw new UserError(`tripod flags: say what to do: --ls, --set NAME=VALUE, --clear [NAME...] or --debug PATTERNS; e.g. tripod flags ${pid} --ls`);
  }
  if (list && clear) throw new UserError('tripod flags: --ls and --clear take the names after the pid each their own way; give one of them');
  if (names.length > 0 && !list && !clear) throw new UserError(`tripod flags: ${JSON.stringify(names[0])} after the pid goes with --ls (a glob) or --clear (flag names); to set a flag write --set NAME=VALUE`);
  if (list && names.length > 1) throw new UserError('tripod flags: --ls takes one glob after the pid (quote it: --ls "debug*")');
  return {
    pid,
    timeoutMs: values.number('timeout') * 1000,
    ...(list ? { list: names[0] === undefined ? {} : { glob: names[0] } } : {}),
    sets,
    ...(clear ? { clear: names } : {}),
    ...(debugNamespaces !== undefined ? { debugNamespaces } : {}),
    deep: values.switch('deep'),
    quiet: values.switch('quiet'),
    debug: tracesWanted(env.TRIPOD_DEBUG),
  };
}
