/**
 * `tripod dump PID` and `tripod record PID`: the process id, and the options of
 * reaching and sampling a running process.
 */
import type { AttachConfig, DumpConfig, RecordConfig } from '../config';
import { UserError } from '../errors';
import { type Env, type OptionValues, parseCommandLine } from './parse';
import { captureLimits } from './run';

export function parseDumpCommand(argv: string[], env: Env): DumpConfig | 'help' {
  const { values, positionals } = parseCommandLine('dump', argv, env, true);
  if (values.has('help')) return 'help';
  return { ...attachConfig('dump', values, positionals), json: values.switch('json'), quiet: values.switch('quiet'), requests: values.switch('requests') };
}

export function parseRecordCommand(argv: string[], env: Env): RecordConfig | 'help' {
  const { values, positionals } = parseCommandLine('record', argv, env, true);
  if (values.has('help')) return 'help';
  const duration = values.number('duration');
  return {
    ...attachConfig('record', values, positionals),
    interval: values.number('interval'),
    localsBudget: values.number('locals-budget') / 100,
    ...(duration > 0 ? { duration } : {}),
    logPath: values.text('log'),
    quiet: values.switch('quiet'),
    requests: values.switch('requests'),
  };
}

function attachConfig(command: 'dump' | 'record', values: OptionValues, positionals: string[]): AttachConfig {
  return {
    pid: processIdOf(command, positionals),
    timeoutMs: values.number('timeout') * 1000,
    // Off unless asked (the table's default): reading locals pauses the target and copies its data out.
    limits: captureLimits(values),
    children: values.switch('children'),
    debug: values.debugTraces(),
  };
}

/** Linux pids run from 1 to 4194304 (pid_max's ceiling). */
export function processIdOf(command: string, positionals: string[]): number {
  if (positionals.length !== 1) {
    throw new UserError(`tripod ${command}: give exactly one process id, got ${positionals.length}; e.g. tripod ${command} 4242 (pgrep -a node lists them)`);
  }
  const raw = positionals[0];
  const pid = Number(raw);
  if (!/^\d+$/.test(raw) || pid < 1 || pid > 4_194_304) {
    throw new UserError(`tripod ${command}: ${JSON.stringify(raw)} is not a process id (a whole number from 1 to 4194304); e.g. tripod ${command} 4242`);
  }
  if (pid === process.pid) throw new UserError(`tripod ${command}: ${pid} is tripod itself; give the pid of the process to look at`);
  return pid;
}
