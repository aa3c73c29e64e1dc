/**
 * `tripod report [LOG]`: folds a log's stacks and writes them as a table of the
 * hottest functions or as a file that a profile viewer opens; with --by, a
 * table section or a root frame per process or thread.
 */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { SourceMaps } from '../frames/source-maps';
import type { ReportConfig, ReportFormat } from '../config';
import { UserError } from '../errors';
import { collectStacks } from './collect-stacks';
import { originFilters, SampleFilter } from './filters';
import { renderCollapsed } from './formats/collapsed';
import { renderCpuprofile } from './formats/cpuprofile';
import { renderPprof } from './formats/pprof';
import type { ReportData } from './formats/report-data';
import { renderSpeedscope } from './formats/speedscope';
import { renderSvgFlamegraph } from './formats/svg-flamegraph';
import { renderTable } from './formats/table';
import { noSamplesMessage } from './no-samples';
import { Progress, type ProgressTerminal } from './progress';
import { openLogInput, type ReadStats } from './read-log';
import { ReportFrames } from './report-frames';
import { RouteStats } from './routes';

/** A whole text or file, or (for outputs that can be large) text in chunks. */
type Rendered = string | Uint8Array | Iterable<string>;

const RENDERERS: Record<ReportFormat, (data: ReportData) => Rendered> = {
  table: renderTable,
  svg: renderSvgFlamegraph,
  speedscope: renderSpeedscope,
  cpuprofile: renderCpuprofile,
  pprof: renderPprof,
  collapsed: renderCollapsed,
};

export interface ReportStreams {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
  /** Where the progress line goes (a terminal, or nothing is shown). */
  progress: ProgressTerminal;
}

export interface ReportOutcome {
  read: ReadStats;
  samples: number;
}

export async function writeReport(config: ReportConfig, streams: ReportStreams): Promise<ReportOutcome> {
  const name = config.logPath ?? 'standard input';
  if (config.format === 'pprof' && !config.output && streams.stdout.isTTY) {
    throw new UserError('tripod report: pprof is binary and would garble the terminal; write it to a file with -o FILE (or pipe it)');
  }
  const input = openLogInput(config.logPath, streams.stdin);
  const frames = new ReportFrames(new SourceMaps());
  const meter = new Progress(streams.progress, sizeOf(config.logPath));
  const routes = config.by === 'route' ? new RouteStats(config.format !== 'table') : undefined;
  const progress = { meter, bytesRead: () => (input as { bytesRead?: number }).bytesRead ?? 0 };
  const by = config.by === 'route' ? undefined : config.by;
  const summary = await collectStacks(input, name, frames, new SampleFilter(config, frames), { progress, by, routes });
  if (summary.read.records === 0) {
    const why = summary.read.skipped > 0 ? `no record in ${summary.read.skipped} lines` : 'it is empty';
    throw new UserError(`tripod: ${name} is not a tripod log (${why}); give a log written by tripod`, 1);
  }
  if (summary.seen === 0) {
    throw new UserError(noSamplesMessage(name, summary.facts), 1);
  }
  if (summary.samples === 0) {
    throw new UserError(`tripod report: none of the ${summary.seen} samples in ${name} match --since/--until/--state/--grep${originFilters(config)}; widen them`, 1);
  }
  // A flame graph shows the groups as root frames; the table renders them as sections.
  if (summary.groups && config.format !== 'table') summary.tree = summary.groups.rootedTree(frames);
  const title = summary.script ? path.basename(summary.script) : path.basename(config.logPath ?? 'tripod');
  const data = { summary, frames: frames.frames, title, limit: config.limit, minWidth: config.minWidth };
  // The table by route is the route table, then the functions' table (whose stacks carry no route frames).
  const rendered = routes && config.format === 'table' ? `${routes.render(config.limit)}\n${renderTable(data)}` : RENDERERS[config.format](data);
  await writeOutput(rendered, config.output, streams.stdout);
  return { read: summary.read, samples: summary.samples };
}

function sizeOf(file: string | undefined): number | undefined {
  if (!file || file === '-') return undefined;
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

async function writeOutput(rendered: Rendered, output: string | undefined, stdout: Writable): Promise<void> {
  const chunks = typeof rendered === 'string' || rendered instanceof Uint8Array ? [rendered] : rendered;
  if (!output) {
    for (const chunk of chunks) await new Promise<void>((resolve, reject) => stdout.write(chunk, (error) => (error ? reject(error) : resolve())));
    return;
  }
  let fd: number | undefined;
  try {
    fd = openSync(output, 'w');
    for (const chunk of chunks) writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`tripod report: cannot write ${output} (${code}); choose another path with -o`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
