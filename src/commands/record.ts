/** `tripod record PID`: the command's front end (attach/record.ts records): its banner, progress and child lines on stderr. */
import type { ChildEvent } from '../attach/child-watch';
import type { RecordConfig } from '../config';
import { enableDebugLogFromEnv } from '../diagnostics/debug-log';
import { terminalSafe } from '../report/terminal-text';
import { tripodVersion } from '../version';
import { abortOnSignals, interruptedAsUserError, timing } from './attach-lifecycle';
import { printHelp } from './help';

export async function execute(argv: string[]): Promise<void> {
  const { parseRecordCommand } = await import('../options/attach');
  const config = parseRecordCommand(argv, process.env);
  if (config === 'help') return printHelp('record');
  enableDebugLogFromEnv(config.debug);
  const [{ recordProcess }, { openExistingLog, openLogFile }, { SampleLog }, { findTarget }, { refuseUnlessNode }] = await Promise.all([
    import('../attach/record'),
    import('../log/log-file'),
    import('../log/logger'),
    import('../attach/target-process'),
    import('../attach/attachment'),
  ]);
  // A process tripod may not attach to, or that is not Node, gets no banner and no log; a bad log is
  // refused first, and a new one is made only once the process passed.
  const target = findTarget(config.pid);
  const existing = openExistingLog(config.logPath);
  refuseUnlessNode(target);
  const log = existing ?? openLogFile(String(config.pid), config.logPath);
  if (!config.quiet) process.stderr.write(recordBanner(config, log.path));
  const abort = abortOnSignals();
  const started = performance.now();
  const showProgress = !config.quiet && process.stderr.isTTY;
  const progress = (elapsedMs: number, samples: number) =>
    showProgress && process.stderr.write(`\r[tripod] ${(elapsedMs / 1000).toFixed(1)} s${config.duration ? ` of ${config.duration} s` : ''}, ${samples} samples `);
  const say = (line: string) => !config.quiet && process.stderr.write(`${showProgress ? '\n' : ''}[tripod] ${terminalSafe(line)}\n`);
  const children = config.children ? { sinkFor: (pid: number) => new SampleLog(log.fd, pid), onChild: (event: ChildEvent) => say(childLine(event)) } : undefined;
  const result = await recordProcess(
    config.pid,
    { timeoutMs: config.timeoutMs, limits: config.limits, localsBudget: config.localsBudget, intervalMs: config.interval * 1000, durationMs: config.duration ? config.duration * 1000 : undefined, requests: config.requests },
    new SampleLog(log.fd, config.pid),
    tripodVersion(),
    { abort: abort.signal, progress, children },
  ).catch(interruptedAsUserError(config.pid));
  if (showProgress) process.stderr.write('\n');
  if (!config.quiet) process.stderr.write(`[tripod] ${result.samples} samples (${result.detached}) in ${log.path}\n`);
  if (!config.quiet) await timing(started, result.mainStoppedMs > 0 ? result.mainStoppedMs : undefined);
}

function recordBanner(config: RecordConfig, logPath: string): string {
  const until = config.duration ? `for ${config.duration} s` : 'until Ctrl-C';
  const children = config.children ? ', and the Node processes it starts,' : '';
  return `[tripod] Recording process ${config.pid}${children} every ${config.interval} s ${until}\n[tripod] Writing output to: ${logPath}\n`;
}

/** What record --children says of a child, on stderr. */
function childLine(event: ChildEvent): string {
  const { pid, ppid } = event.child;
  if (event.kind === 'followed') return `following process ${pid} (child of ${ppid}): ${event.argv.join(' ')}`;
  if (event.kind === 'ended') return `process ${pid} done: ${event.samples} samples`;
  return `process ${pid} (child of ${ppid}) not followed: ${event.why}`;
}
