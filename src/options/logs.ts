/**
 * `tripod logs [--clean DAYS]`: the temp logs tripod left in $TMPDIR, and how old
 * the ones to remove are.
 */
import type { LogsConfig } from '../config';
import { type Env, parseCommandLine } from './parse';

export function parseLogsCommand(argv: string[], env: Env): LogsConfig | 'help' {
  const { values } = parseCommandLine('logs', argv, env, false);
  if (values.has('help')) return 'help';
  const cleanDays = values.optionalNumber('clean');
  return cleanDays === undefined ? {} : { cleanDays };
}
