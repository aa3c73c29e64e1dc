/**
 * The command line: parse, dispatch, and turn errors into one line and an exit
 * code. The only module that prints or exits.
 */
import type { ChildEvent } from './attach/child-watch';
import type { DumpConfig, RecordConfig, RunConfig } from './config';
import { debugSettingOf, enableDebugLog } from './diagnostics/debug-log';
import { UserError } from './errors';
import { isDebug, parseRunCommand } from './options/run';
import type { Command } from './options/table';
import { terminalSafe } from './report/terminal-text';
import { sayOnStderr } from './run/stderr-line';
import { tripodVersion } from './version';
import { builtFile } from './package-layout';

export function main(argv: string[]): void {
  const env = process.env;
  try {
    if (argv[0] === 'show') {
      void show(argv.slice(1)).catch((error) => fail(error, isDebug(argv, env)));
      return;
    }
    if (argv[0] === 'dump' || argv[0] === 'record') {
      void (argv[0] === 'dump' ? dump : record)(argv.slice(1)).catch((error) => fail(error, isDebug(argv, env)));
      return;
    }
    if (argv[0] === 'flags') {
      // Its --debug names debug namespaces: tripod's own traces come with TRIPOD_DEBUG there.
      void flags(argv.slice(1)).catch((error) => fail(error, isDebug([], env)));
      return;
    }
    if (argv[0] === 'logs') {
      void logs(argv.slice(1)).catch((error) => fail(error, isDebug(argv, env)));
      return;
    }
    if (argv[0] === 'monitor') {
      void monitor(argv.slice(1)).catch((error) => fail(error, isDebug(argv, env)));
      return;
    }
    if (argv[0] === 'report') {
      void report(argv.slice(1)).catch((error) => fail(error, isDebug(argv, env)));
      return;
    }
    if (argv[0] === 'help') return void helpTopic(argv[1]).catch((error) => fail(error, isDebug(argv, env)));
    run(argv);
  } catch (error) {
    fail(error, isDebug(argv, env));
  }
}

function run(argv: string[]): void {
  const command = parseRunCommand(argv, process.env);
  if (command.kind === 'help') return void printHelp('run').catch((error) => fail(error, isDebug(argv, process.env)));
  if (command.kind === 'version') return void process.stdout.write(`${tripodVersion()}\n`);
  if (command.kind === 'agent-path') return void process.stdout.write(`${agentPath()}\n`);
  debugOn(command.config.debug);
  // Loaded here, not at the top: the other commands need none of the runner.
  const { prepareRun, startRun } = require('./run/runner') as typeof import('./run/runner');
  const prepared = prepareRun(command.config);
  // stderr, so the target's stdout stays exactly its own; straight to fd 2, since creating process.stderr
  // would make a pipe behind it non-blocking (for stdout too, under 2>&1) before the program runs.
  if (!command.config.quiet) sayOnStderr(banner(command.config, prepared.logPath));
  startRun(prepared);
}

// Help and the other commands' parsers are loaded when asked for: `tripod script` loads only its own.
async function printHelp(command: Command): Promise<void> {
  const { helpText } = await import('./options/help');
  process.stdout.write(`${helpText(command)}\n`);
}

/** `tripod help [COMMAND]`; a script named help runs as `tripod ./help`. */
async function helpTopic(topic: string | undefined): Promise<void> {
  const help = await import('./options/help');
  process.stdout.write(`${help.helpTopic(topic)}\n`);
}

/** The preload agent beside this file (dist/attach/agent.js), for node --require from a global install. */
function agentPath(): string {
  return builtFile('attach/agent.js');
}

function banner(config: RunConfig, logPath: string): string {
  const lines: string[] = [];
  if (config.profile) lines.push(`Profiling stacks at ${config.profile.rateHz} Hz`);
  if (config.interval > 0) lines.push(`Sampling every ${config.interval.toFixed(6)} seconds${includedInBanner(config)}`);
  if (config.watchdog) lines.push(`Watching for event-loop stalls over ${config.watchdog.thresholdMs} ms`);
  if (config.requests.slow) lines.push(`Logging requests slower than ${config.requests.slow.thresholdMs} ms`);
  if (config.crash) lines.push(`Capturing uncaught exceptions${config.crash.rejections ? ' and unhandled rejections' : ''} with their locals`);
  lines.push(`Writing output to: ${logPath}`);
  return lines.map((line) => `[tripod] ${line}\n`).join('');
}

function includedInBanner(config: RunConfig): string {
  if (config.threads && config.children) return ', worker threads and child processes included';
  if (config.threads) return ', worker threads included';
  return config.children ? ', child processes included' : '';
}

async function show(argv: string[]): Promise<void> {
  const { parseShowCommand } = await import('./options/show');
  const config = parseShowCommand(argv, process.env, Boolean(process.stdout.isTTY));
  if (config === 'help') return printHelp('show');
  if (!config.last && (!config.logPath || config.logPath === '-') && process.stdin.isTTY) {
    throw new UserError('tripod show: no log given and nothing piped in; name a log (tripod show LOG), pick the newest with tripod show --last, or pipe records (grep fn LOG | tripod show)', 1);
  }
  // `tripod show LOG | head` closes the pipe early: that is the reader being done, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  // Loaded here, not at the top: pino-pretty would add ~15 ms to every `tripod script` start.
  const { showLog } = await import('./report/show');
  const stats = await showLog(config, process.stdin, process.stdout);
  if (stats.picked) process.stderr.write(`tripod: showed ${stats.picked}\n`);
  if (stats.skipped > 0) process.stderr.write(`tripod: skipped ${stats.skipped} lines that were not tripod records\n`);
}

// ---- tripod dump PID / tripod record PID ----

async function dump(argv: string[]): Promise<void> {
  const { parseDumpCommand } = await import('./options/attach');
  const config = parseDumpCommand(argv, process.env);
  if (config === 'help') return printHelp('dump');
  debugOn(config.debug);
  const { dumpProcess, dumpTree } = await import('./attach/dump');
  const abort = abortOnSignals();
  const started = performance.now();
  const tree = config.children
    ? await dumpTree(config.pid, config, tripodVersion(), abort.signal).catch(interruptedAsUserError(config.pid))
    : { root: await dumpProcess(config.pid, config, tripodVersion(), abort.signal).catch(interruptedAsUserError(config.pid)), children: [] };
  await writeDumpTree(config, tree);
  // What the target's main thread was stopped (the workers' captures stop their own threads, children their own).
  const main = tree.root.threads.find((thread) => thread.threadId === 0);
  if (!config.quiet) await timing(started, main && main.stoppedMs > 0 ? main.stoppedMs : undefined);
}

/** The line every attach command ends with, on stderr. */
async function timing(startedAt: number, stoppedMs: number | undefined): Promise<void> {
  const { timingLine } = await import('./report/command-timing');
  process.stderr.write(`${timingLine({ wallMs: performance.now() - startedAt, stoppedMs })}\n`);
}

// ---- tripod flags PID ----

async function flags(argv: string[]): Promise<void> {
  const { parseFlagsCommand } = await import('./options/flags');
  const config = parseFlagsCommand(argv, process.env);
  if (config === 'help') return printHelp('flags');
  debugOn(config.debug);
  const { flagsCommand } = await import('./controls/flags-command');
  const started = performance.now();
  const result = await flagsCommand(config, abortOnSignals().signal).catch(interruptedAsUserError(config.pid));
  if (result.lines.length > 0) process.stdout.write(`${terminalSafe(result.lines.join('\n'))}\n`);
  for (const warning of result.warnings) process.stderr.write(`${terminalSafe(warning)}\n`);
  if (!config.quiet) await timing(started, result.stoppedMs);
}

/** The dump as text (with --children, the tree), or one dump record per process (a child that has none is said on stderr). */
async function writeDumpTree(config: DumpConfig, tree: Awaited<ReturnType<typeof import('./attach/dump').dumpTree>>): Promise<void> {
  if (!config.json) return void process.stdout.write(`${(await import('./report/render-dump')).renderDumpTree(tree.root, tree.children)}\n`);
  const { SampleLog } = await import('./log/logger');
  new SampleLog(1, config.pid).dump(tree.root);
  for (const child of tree.children) {
    if ('dump' in child) new SampleLog(1, child.pid).dump(child.dump);
    else process.stderr.write(`tripod: process ${child.pid} (child of ${child.ppid}): ${terminalSafe(child.why)}\n`);
  }
}

async function record(argv: string[]): Promise<void> {
  const { parseRecordCommand } = await import('./options/attach');
  const config = parseRecordCommand(argv, process.env);
  if (config === 'help') return printHelp('record');
  debugOn(config.debug);
  const [{ recordProcess }, { openExistingLog, openLogFile }, { SampleLog }, { findTarget }, { refuseUnlessNode }] = await Promise.all([
    import('./attach/record'),
    import('./log/log-file'),
    import('./log/logger'),
    import('./attach/target-process'),
    import('./attach/attachment'),
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

async function monitor(argv: string[]): Promise<void> {
  const { parseMonitorCommand } = await import('./options/monitor');
  const config = parseMonitorCommand(argv, process.env);
  if (config === 'help') return printHelp('monitor');
  debugOn(config.debug);
  const { monitorProcess } = await import('./monitor/monitor');
  const { findTarget } = await import('./attach/target-process');
  const { refuseUnlessNode } = await import('./attach/attachment');
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

/** Ctrl-C (or a polite kill) detaches cleanly instead of leaving the target's inspector open. */
function abortOnSignals(): AbortController {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => controller.abort());
  return controller;
}

function interruptedAsUserError(pid: number) {
  return (error: unknown): never => {
    if ((error as Error)?.name === 'Interrupted') throw new UserError(`tripod: interrupted; process ${pid} was let go as it was`, 130);
    throw error;
  };
}

async function report(argv: string[]): Promise<void> {
  const { parseReportCommand } = await import('./options/report');
  const config = parseReportCommand(argv, process.env);
  if (config === 'help') return printHelp('report');
  if ((!config.logPath || config.logPath === '-') && process.stdin.isTTY) {
    throw new UserError('tripod report: no log given and nothing piped in; name a log (tripod report LOG) or pipe records (grep fn LOG | tripod report)');
  }
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const { writeReport } = await import('./report/report');
  const outcome = await writeReport(config, { stdin: process.stdin, stdout: process.stdout, progress: process.stderr });
  if (config.output) process.stderr.write(`tripod: wrote ${config.format} of ${outcome.samples} samples to ${config.output}\n`);
  if (outcome.read.skipped > 0) {
    // The report above is complete for every whole record; the exit code says the log was not.
    process.stderr.write(`tripod: skipped ${outcome.read.skipped} lines that were not whole tripod records (a log cut short?); the report covers the other ${outcome.read.records}\n`);
    process.exitCode = 1;
  }
}

// ---- tripod logs ----

async function logs(argv: string[]): Promise<void> {
  const { parseLogsCommand } = await import('./options/logs');
  const config = parseLogsCommand(argv, process.env);
  if (config === 'help') return printHelp('logs');
  const { listLogs } = await import('./report/logs');
  await listLogs(config, process.stdout);
}

/** tripod's debug lines (TRIPOD_DEBUG sections; --debug for all), on before anything else runs. */
function debugOn(debugFlag: boolean): void {
  enableDebugLog(debugSettingOf(process.env.TRIPOD_DEBUG, debugFlag));
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
