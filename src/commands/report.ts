/** `tripod report [LOG]`: the command's front end (report/report.ts aggregates and writes the format). */
import { UserError } from '../errors';
import { endQuietlyWhenStdoutCloses } from './closed-stdout';
import { printHelp } from './help';

export async function execute(argv: string[]): Promise<void> {
  const { parseReportCommand } = await import('../options/report');
  const config = parseReportCommand(argv, process.env);
  if (config === 'help') return printHelp('report');
  if ((!config.logPath || config.logPath === '-') && process.stdin.isTTY) {
    throw new UserError('tripod report: no log given and nothing piped in; name a log (tripod report LOG) or pipe records (grep fn LOG | tripod report)');
  }
  endQuietlyWhenStdoutCloses();
  const { writeReport } = await import('../report/report');
  const outcome = await writeReport(config, { stdin: process.stdin, stdout: process.stdout, progress: process.stderr });
  if (config.output) process.stderr.write(`tripod: wrote ${config.format} of ${outcome.samples} samples to ${config.output}\n`);
  if (outcome.read.skipped > 0) {
    // The report above is complete for every whole record; the exit code says the log was not.
    process.stderr.write(`tripod: skipped ${outcome.read.skipped} lines that were not whole tripod records (a log cut short?); the report covers the other ${outcome.read.records}\n`);
    process.exitCode = 1;
  }
}
