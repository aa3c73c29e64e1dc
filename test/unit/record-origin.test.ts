/**
 * Unit tests, in-process: which process and thread a record is of (report/record-origin.ts), and the
 * report's stacks kept per process and thread (report/stack-groups.ts), on canned records.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SourceMaps } from '../../src/frames/source-maps';
import { collectStacks } from '../../src/report/collect-stacks';
import { SampleFilter } from '../../src/report/filters';
import { commandLine, LogOrigins, processOf } from '../../src/report/record-origin';
import { frameLabel, ReportFrames } from '../../src/report/report-frames';
import type { StackGrouping } from '../../src/report/stack-groups';

const start = (pid: number, script: string, extra: object = {}) => ({ pid, event: 'start', tripod: '0.1.0', script, argv: ['/usr/bin/node', script], interval: 0.1, time: 1000, ...extra });
const sample = (pid: number, fn: string, extra: object = {}) => ({ pid, event: 'sample', seq: 1, state: 'running', stoppedMs: 1, capturedAt: 1100, time: 1100, frames: [{ function: fn, url: 'file:///app/a.js', line: 1, column: 1 }], ...extra });

/** A runner's log of a parent (100) with a worker, and a child (101); then a `record PID --children` log of 300 that followed its child 301. */
const RECORDS = [
  start(100, '/app/parent.js'),
  start(101, '/app/child.js', { ppid: 100 }),
  sample(100, 'main'),
  sample(100, 'hash', { threadId: 2, threadName: 'pool worker' }),
  sample(100, 'hash', { threadId: 2, threadName: 'pool worker' }),
  sample(101, 'crunch'),
  start(300, '/srv/server.js', { attached: { pid: 300, via: 'signal' } }),
  start(301, '/srv/job.js', { attached: { pid: 301, via: 'signal' }, ppid: 300 }),
  sample(300, 'serve'),
  sample(301, 'job'),
];

async function collect(by?: StackGrouping, filters: { pid?: number; thread?: number } = {}) {
  const frames = new ReportFrames(new SourceMaps());
  const input = Readable.from(RECORDS.map((r) => `${JSON.stringify(r)}\n`));
  const summary = await collectStacks(input, 'canned', frames, new SampleFilter(filters, frames), { by });
  return { summary, frames };
}

/** Each stack of the tree (rooted with --by), root first, as "a;b;c count"; code frames by name alone. */
function folded({ summary, frames }: Awaited<ReturnType<typeof collect>>): string[] {
  const lines: string[] = [];
  const rooted = summary.groups ? summary.groups.rootedTree(frames) : summary.tree;
  for (let node = 1; node < rooted.size; node++) {
    if (rooted.self[node] > 0) lines.push(`${rooted.pathTo(node).map((f) => (frames.frames[f].group ? frameLabel(frames.frames[f]) : frames.frames[f].name)).join(';')} ${rooted.self[node]}`);
  }
  return lines.sort();
}

describe('processOf', () => {
  it("reads pino's pid, or a dump's attached process when a line has none (grep's output of a dump)", () => {
    expect(processOf({ pid: 100 })).toBe(100);
    expect(processOf({ event: 'dump', attached: { pid: 55, via: 'agent' } })).toBe(55);
    expect(processOf({ event: 'sample' })).toBeUndefined();
  });

  it("names processes by their start records' command lines and threads by their names", () => {
    const origins = new LogOrigins();
    for (const record of RECORDS) origins.note(record);
    expect(origins.originOf(sample(300, 'serve'))).toEqual({ pid: 300, threadId: 0 });
    expect(origins.processLabel(301)).toBe('process 301 (node job.js)');
    expect(origins.processLabel(999)).toBe('process 999');
    expect(origins.threadLabel({ pid: 100, threadId: 2 })).toBe('thread 2 (pool worker)');
    expect(origins.threadLabel({ pid: 100, threadId: 0 })).toBe('main thread');
  });

  it('names a command by its executable and script, cut when long, control characters escaped', () => {
    expect(commandLine(['/usr/bin/node', '/app/build.js', '--watch'])).toBe('node build.js --watch');
    expect(commandLine(['/usr/bin/node', '--inspect-port=0', '/app/build.js', 'child', '0'])).toBe('node build.js child 0');
    expect(commandLine(['/usr/bin/node', '-e'])).toBe('node -e');
    expect(commandLine(['node', `/x/${'a'.repeat(80)}.js`])).toHaveLength(60);
    expect(commandLine(['node', '/x/\u001b[31mred.js'])).not.toContain('\u001b');
  });
});

describe('report --by on canned records', () => {
  it('adds no root frame without --by', async () => {
    expect(folded(await collect())).toEqual(['crunch 1', 'hash 2', 'job 1', 'main 1', 'serve 1']);
  });

  it('roots each stack at its process with --by process', async () => {
    expect(folded(await collect('process'))).toEqual([
      'process 100 (node parent.js);hash 2',
      'process 100 (node parent.js);main 1',
      'process 101 (node child.js);crunch 1',
      'process 300 (node server.js);serve 1',
      'process 301 (node job.js);job 1',
    ]);
  });

  it('roots each stack at its process and thread with --by thread, the process left out when the log holds one', async () => {
    expect(folded(await collect('thread'))).toContain('process 100 (node parent.js);thread 2 (pool worker);hash 2');
    expect(folded(await collect('thread'))).toContain('process 100 (node parent.js);main thread;main 1');
    expect(folded(await collect('thread', { pid: 100 }))).toEqual(['main thread;main 1', 'thread 2 (pool worker);hash 2']);
  });

  it('keeps sections in process then thread order, with their own counts', async () => {
    const { summary } = await collect('thread');
    const groups = summary.groups!.sorted();
    expect(groups.map((g) => [g.origin.pid, g.origin.threadId, g.samples])).toEqual([[100, 0, 1], [100, 2, 2], [101, 0, 1], [300, 0, 1], [301, 0, 1]]);
    expect(summary.samples).toBe(6);
  });

  it('filters by --pid and --thread, counting what it leaves out as seen', async () => {
    const byPid = await collect(undefined, { pid: 301 });
    expect([byPid.summary.samples, byPid.summary.seen]).toEqual([1, 6]);
    const byThread = await collect(undefined, { thread: 2 });
    expect(folded(byThread)).toEqual(['hash 2']);
    const main = await collect(undefined, { pid: 100, thread: 0 });
    expect(folded(main)).toEqual(['main 1']);
  });
});
