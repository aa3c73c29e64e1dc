/**
 * `tripod monitor PID`: the process id, the console's own options (-e, --json,
 * --read-only, --eval-timeout, --audit) and the capture bounds dump shares.
 */
import type { MonitorConfig } from '../config';
import { type Env, parseCommandLine } from './parse';
import { processIdOf } from './attach';

export function parseMonitorCommand(argv: string[], env: Env): MonitorConfig | 'help' {
  const { values, positionals } = parseCommandLine('monitor', argv, env, true);
  if (values.has('help')) return 'help';
  const auditPath = values.text('audit');
  return {
    pid: processIdOf('monitor', positionals),
    timeoutMs: values.number('timeout') * 1000,
    // The console has no --locals: mainwhoall and whoall read values, main and who do not.
    limits: {
      depth: values.number('depth'),
      maxElements: values.number('max-elements'),
      maxString: values.number('max-string'),
      maxFrames: values.number('max-frames'),
      locals: false,
      redactKeys: values.keys('redact'),
    },
    execute: values.list('execute'),
    json: values.switch('json'),
    readOnly: values.switch('read-only'),
    evalTimeoutMs: values.number('eval-timeout') * 1000,
    ...(auditPath ? { auditPath } : {}),
    debug: values.debugTraces(),
  };
}
