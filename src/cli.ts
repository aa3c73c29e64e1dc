/**
 * The command line: parse, dispatch, and turn errors into one line and an exit
 * code. The only module that prints or exits.
 */
import { isDebug, parseReportCommand, parseRunCommand, parseShowCommand, type RunConfig } from './config';
import { UserError } from './errors';
import { REPORT_HELP, RUN_HELP, SHOW_HELP } from './help';
import { prepareRun, startRun } from './run/runner';
import { tripodVersion } from './version';

export function main(argv: string[]): void {
  const env = process.env;
  try {
    if (argv[0] === 'show') {
      void show(argv.slice(1)).catch((error) => fail(error, isDebug(argv, env)));
      return;
    }
    if (argv[0] === 'report') {
      void report(argv.slice(1)).catch((error) => fail(error, isDebug(argv, env)));
      return;
    }
    run(argv);
  } catch (error) {
    fail(error, isDebug(argv, env));
  }
}

function run(argv: string[]): void {
  const command = parseRunCommand(argv, process.env);
  if (command.kind === 'help') return void process.stdout.write(`${RUN_HELP}\n`);
  if (command.kind === 'version') return void process.stdout.write(`${tripodVersion()}\n`);
  const prepared = prepareRun(command.config);
  // stderr, so the target's stdout stays exactly its own.
  if (!command.config.quiet) process.stderr.write(banner(command.config, prepared.logPath));
  startRun(prepared);
}

function banner(config: RunConfig, logPath: string): string {
  const lines: string[] = [];
  if (config.profile) lines.push(`Profiling stacks at ${config.profile.rateHz} Hz`);
  if (config.interval > 0) lines.push(`Sampling every ${config.interval.toFixed(6)} seconds`);
  if (config.watchdog) lines.push(`Watching for event-loop stalls over ${config.watchdog.thresholdMs} ms`);
  if (config.crash) lines.push(`Capturing uncaught exceptions${config.crash.rejections ? ' and unhandled rejections' : ''} with their locals`);
  lines.push(`Writing output to: ${logPath}`);
  return lines.map((line) => `[tripod] ${line}\n`).join('');
}

async function show(argv: string[]): Promise<void> {
  const config = parseShowCommand(argv, process.env, Boolean(process.stdout.isTTY));
  if (config === 'help') return void process.stdout.write(`${SHOW_HELP}\n`);
  // `tripod show LOG | head` closes the pipe early: that is the reader being done, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  // Loaded here, not at the top: pino-pretty would add ~15 ms to every `tripod script` start.
  const { showLog } = await import('./report/show');
  const stats = await showLog(config, process.stdin, process.stdout);
  if (stats.skipped > 0) process.stderr.write(`tripod: skipped ${stats.skipped} lines that were not tripod records\n`);
}

async function report(argv: string[]): Promise<void> {
  const config = parseReportCommand(argv, process.env);
  if (config === 'help') return void process.stdout.write(`${REPORT_HELP}\n`);
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

function fail(error: unknown, debug: boolean): void {
  if (error instanceof UserError) {
    process.stderr.write(`${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error.exitCode;
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tripod: internal error: ${message}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 70;
}
