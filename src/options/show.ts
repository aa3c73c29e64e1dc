/**
 * `tripod show [options] [LOG]`: which log (LOG, standard input, or --last), which
 * of its records (the filters report takes, and --event), and whether in colour.
 */
import type { ShowConfig } from '../config';
import { UserError } from '../errors';
import { logFilters } from './filters';
import { type Env, type OptionValues, parseCommandLine } from './parse';

export function parseShowCommand(argv: string[], env: Env, stdoutIsTTY: boolean): ShowConfig | 'help' {
  const { values, positionals } = parseCommandLine('show', argv, env, true);
  if (values.has('help')) return 'help';
  if (positionals.length > 1) throw new UserError(`tripod show: one log at a time, got ${positionals.length}; run it once per file`);
  const last = values.switch('last');
  if (last && positionals.length > 0) {
    throw new UserError(`tripod show: --last shows the newest tripod log in $TMPDIR, and ${JSON.stringify(positionals[0])} names a log too; give one of them`);
  }
  return {
    logPath: positionals[0],
    ...logFilters(values),
    events: values.choices('event'),
    last,
    color: colour(values, env, stdoutIsTTY),
    debug: values.debugTraces(),
  };
}

/**
 * --no-color, then --color, then FORCE_COLOR (as Node reads it: set to anything but
 * 0 or false forces colour on, 0 or false forces it off), then NO_COLOR, then
 * whether standard output is a terminal.
 */
function colour(values: OptionValues, env: Env, stdoutIsTTY: boolean): boolean {
  if (values.switch('no-color')) return false;
  if (values.switch('color')) return true;
  if (env.FORCE_COLOR !== undefined) return !/^(0|false)$/i.test(env.FORCE_COLOR);
  return stdoutIsTTY && !env.NO_COLOR;
}
