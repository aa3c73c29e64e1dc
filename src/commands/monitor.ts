/** `tripod monitor PID`: the command's front end (monitor/monitor.ts is the console). */
import { enableDebugLogFromEnv } from '../diagnostics/debug-log';
import { abortOnSignals, interruptedAsUserError } from './attach-lifecycle';
import { printHelp } from './help';

export async function execute(argv: string[]): Promise<void> {
  const { parseMonitorCommand } = await import('../options/monitor');
  const config = parseMonitorCommand(argv, process.env);
  if (config === 'help') return printHelp('monitor');
  enableDebugLogFromEnv(config.debug);
  const { monitorProcess } = await import('../monitor/monitor');
  const { findTarget } = await import('../attach/target-process');
  const { refuseUnlessNode } = await import('../attach/attachment');
  refuseUnlessNode(findTarget(config.pid));
  try {
    // Ctrl-C at a terminal is the console's own (readline); a signal otherwise detaches cleanly, as dump's does.
    const abort = abortOnSignals();
    const io = { input: process.stdin, output: process.stdout, errors: process.stderr, env: process.env };
    const ok = await monitorProcess(config, io, abort.signal).catch(interruptedAsUserError(config.pid));
    if (!ok) process.exitCode = 1;
  } finally {
    // The console is done, however it ended: standard input must not keep tripod waiting.
    process.stdin.destroy();
  }
}
