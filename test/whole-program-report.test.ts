/**
 * The whole program in reports: `tripod report --by process|thread`, `--pid`, `--thread`, and `tripod show`'s
 * heading per record, on a real piscina pool under `tripod --threads` and on a canned log of a process tree
 * (a parent with a worker thread and two children, as the runner's --children writes them). A log of one
 * process and thread reads as before: no heading, no root frame.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, run, samplesOf, tempDir, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const TREE = path.join(FIXTURES, 'logs', 'process-tree.ndjson');
const POOL = path.join(FIXTURES, 'threads-piscina.js');

/** The headlines of show's records (the line after each timestamp), in order. */
function headlines(out: string): string[] {
  return [...out.matchAll(/^\[[\d-]+ [\d:.]+\] \w+: (.*)$/gm)].map((m) => m[1]);
}

const headings = (out: string) => out.split('\n').filter((line) => line.startsWith('── '));

/** "thread 2", or "thread 2 (WorkerThread)" where Node names its workers (24 does), sorted by id. */
function workerLabels(log: string): string[] {
  const workers = new Map<number, string>();
  for (const s of samplesOf(readLog(log))) if (s.threadId !== undefined) workers.set(s.threadId, s.threadName ? `thread ${s.threadId} (${s.threadName})` : `thread ${s.threadId}`);
  return [...workers].sort(([a], [b]) => a - b).map(([, label]) => label);
}

describe.each(nodes)('a piscina pool under tripod --threads, $label', ({ bin }) => {
  let log: string;
  beforeAll(async () => {
    const plain = await run(bin, [POOL]);
    expect(plain.code, plain.stderr).toBe(0);
    log = tempLog();
    const result = await tripod(bin, ['-q', '--threads', '--interval', '0.05', '--log', log, POOL]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(plain.stdout);
  });

  it("shows the workers' hot function in a section per thread, and only there", async () => {
    const workers = workerLabels(log);
    expect(workers.length).toBe(2);
    const result = await tripod(bin, ['report', '--by', 'thread', log]);
    expect(result.code, result.stderr).toBe(0);
    const sections = result.stdout.split('\n== ').slice(1);
    expect(sections.map((s) => s.split(':')[0])).toEqual(['main thread', ...workers]);
    // Each worker runs tasks; on a loaded machine one may be sampled only a few times, so the hot function is asked of the pool.
    const hot = sections.slice(1).filter((section) => / {2}hashTask \(.*threads-piscina-task\.js:4\)\n/.test(section));
    expect(hot.length).toBeGreaterThanOrEqual(1);
    expect(sections[0]).not.toContain('hashTask');
  });

  it('reports one worker with --thread, and roots the flame graph formats at each thread', async () => {
    const inHashTask = (s: { frames: Array<{ function: string }> }) => s.frames.some((f) => f.function === 'hashTask');
    const worker = samplesOf(readLog(log)).find((s) => s.threadId !== undefined && inHashTask(s))!.threadId;
    const one = await tripod(bin, ['report', '--thread', String(worker), log]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/hashTask/);
    expect(one.stdout).toMatch(/^\d+ samples \(of \d+ in the log\)/);
    const collapsed = await tripod(bin, ['report', '--by', 'thread', '-f', 'collapsed', log]);
    const roots = new Set(collapsed.stdout.split('\n').filter(Boolean).map((line) => line.split(';')[0]));
    expect([...roots].sort()).toEqual(['main thread', ...workerLabels(log)].sort());
    expect(collapsed.stdout).toMatch(new RegExp(`^thread ${worker}( \\(WorkerThread\\))?;.*hashTask \\(`, 'm'));
  });
});

describe.each(nodes)('report and show on a log of a process tree, $label', ({ bin }) => {
  it('makes a table section per process, then per process and thread', async () => {
    const byProcess = await tripod(bin, ['report', '--by', 'process', TREE]);
    expect(byProcess.code, byProcess.stderr).toBe(0);
    const [headline, states] = byProcess.stdout.split('\n');
    expect(headline).toMatch(/^16 samples at 10 per second from /);
    expect(states).toBe('running 75.0%, idle 25.0%, blocked 0.0%');
    expect(byProcess.stdout.match(/^== .*$/gm)).toEqual([
      '== process 100 (node build.js): 8 samples (50.0%); running 50.0%, idle 50.0%, blocked 0.0%',
      '== process 101 (node compile.js): 4 samples (25.0%); running 100.0%, idle 0.0%, blocked 0.0%',
      '== process 102 (node lint.js): 4 samples (25.0%); running 100.0%, idle 0.0%, blocked 0.0%',
    ]);
    const byThread = await tripod(bin, ['report', '--by', 'thread', TREE]);
    expect(byThread.stdout.match(/^== [^:]*/gm)).toEqual(['== process 100 (node build.js), main thread', '== process 100 (node build.js), thread 1 (pool)', '== process 101 (node compile.js), main thread', '== process 102 (node lint.js), main thread']);
    expect(byThread.stdout).toMatch(/== process 100 \(node build\.js\), thread 1 \(pool\): 4 samples \(25\.0%\); running 100\.0%.*\n.*\n {2}100\.0% {3}100\.0% {6}4 {6}4 {2}hashChunk \(\/app\/pool\.js:7\)\n/);
  });

  it('puts a root frame per process and thread in collapsed, speedscope, pprof, cpuprofile and svg', async () => {
    const collapsed = await tripod(bin, ['report', '--by', 'thread', '-f', 'collapsed', TREE]);
    expect(collapsed.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'process 100 (node build.js);main thread;(idle) 4',
      'process 100 (node build.js);thread 1 (pool);onTask (/app/pool.js:20);hashChunk (/app/pool.js:7) 4',
      'process 101 (node compile.js);main thread;compileAll (/app/compile.js:30);parse (/app/compile.js:12) 4',
      'process 102 (node lint.js);main thread;checkRule (/app/lint.js:9) 4',
    ]);
    const dir = tempDir();
    await tripod(bin, ['report', '--by', 'process', TREE, '-o', path.join(dir, 'p.speedscope.json')]);
    const speedscope = JSON.parse(readFileSync(path.join(dir, 'p.speedscope.json'), 'utf8'));
    const names: string[] = speedscope.shared.frames.map((f: { name: string }) => f.name);
    const [profile] = speedscope.profiles;
    const rootsOf = new Set(profile.samples.map((stack: number[]) => names[stack[0]]));
    expect([...rootsOf].sort()).toEqual(['process 100 (node build.js)', 'process 101 (node compile.js)', 'process 102 (node lint.js)']);

    await tripod(bin, ['report', '--by', 'process', TREE, '-o', path.join(dir, 'p.pb.gz')]);
    const pprof = Profile.decode(gunzipSync(readFileSync(path.join(dir, 'p.pb.gz'))));
    const strings = pprof.stringTable.strings;
    const fnName = new Map(pprof.function.map((f) => [Number(f.id), strings[Number(f.name)]]));
    const locFn = new Map(pprof.location.map((l) => [Number(l.id), Number(l.line[0].functionId)]));
    const pprofRoots = pprof.sample.map((s) => fnName.get(locFn.get(Number(s.locationId.at(-1)))!));
    expect(new Set(pprofRoots)).toEqual(new Set(['process 100 (node build.js)', 'process 101 (node compile.js)', 'process 102 (node lint.js)']));

    await tripod(bin, ['report', '--by', 'process', TREE, '-o', path.join(dir, 'p.cpuprofile')]);
    const cpuprofile = JSON.parse(readFileSync(path.join(dir, 'p.cpuprofile'), 'utf8'));
    const root = cpuprofile.nodes[0];
    const rootChildren = cpuprofile.nodes.filter((n: any) => root.children.includes(n.id)).map((n: any) => n.callFrame.functionName);
    expect(rootChildren.sort()).toEqual(['process 100 (node build.js)', 'process 101 (node compile.js)', 'process 102 (node lint.js)']);

    await tripod(bin, ['report', '--by', 'thread', TREE, '-o', path.join(dir, 'p.svg')]);
    const svg = readFileSync(path.join(dir, 'p.svg'), 'utf8');
    expect(svg).toContain('<title>process 100 (node build.js)\n8 samples (50.00%)');
    expect(svg).toContain('<title>thread 1 (pool)\n4 samples (25.00%)');
  });

  it('filters by --pid and --thread, and refuses what matches nothing in one line', async () => {
    const child = await tripod(bin, ['report', '--pid', '101', TREE]);
    expect(child.stdout).toMatch(/^4 samples \(of 16 in the log\)/);
    expect(child.stdout).toContain('parse (/app/compile.js:12)');
    expect(child.stdout).not.toContain('hashChunk');
    const pool = await tripod(bin, ['report', '--pid', '100', '--thread', '1', '-f', 'collapsed', TREE]);
    expect(pool.stdout).toBe('onTask (/app/pool.js:20);hashChunk (/app/pool.js:7) 4\n');
    const none = await tripod(bin, ['report', '--pid', '999', TREE]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`tripod report: none of the 16 samples in ${TREE} match --since/--until/--state/--grep/--pid/--thread; widen them\n`);
    const bad = await tripod(bin, ['report', '--thread', 'main', TREE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('tripod: --thread="main" is not a whole number from 0 to 2147483647; use e.g. 2\n');
    // A log of no server says so above the functions' table, rather than a table of nothing.
    const route = await tripod(bin, ['report', '--by', 'route', TREE]);
    expect(route.code, route.stderr).toBe(0);
    expect(route.stdout).toMatch(/^no requests in the 16 samples \(tripod lists the requests of the servers it runs; --slow adds slow ones\)\n/);
    expect(route.stdout).toContain('hashChunk (/app/pool.js:7)');
  });

  it("heads each record with its process and thread, shows the parent's counts, and filters by --pid/--thread", async () => {
    const all = await tripod(bin, ['show', '--no-color', TREE]);
    expect(all.code, all.stderr).toBe(0);
    expect(headings(all.stdout)).toHaveLength(headlines(all.stdout).length);
    expect(headings(all.stdout).slice(0, 4)).toEqual(['── process 100 (node build.js), main thread', '── process 101 (node compile.js), main thread', '── process 102 (node lint.js), main thread', '── process 100 (node build.js), main thread']);
    expect(all.stdout).toContain('── process 100 (node build.js), thread 1 (pool)\n');
    expect(headlines(all.stdout)).toContain('tripod 0.1.0 started /app/compile.js (child of process 100) on Node v20.20.2, sampling every 0.1 s');
    expect(headlines(all.stdout).at(-1)).toBe('ended (exit code 0), 8 samples, 3 processes and 4 threads seen');

    const pool = await tripod(bin, ['show', '--no-color', '--thread', '1', TREE]);
    expect(headlines(pool.stdout)).toEqual([1, 2, 3, 4].map((i) => `sample #${2 * i} thread 1 "pool": running, thread stopped 1.5 ms`));
    const lint = await tripod(bin, ['show', '--no-color', '--pid', '102', TREE]);
    expect(headings(lint.stdout).every((h) => h === '── process 102 (node lint.js), main thread')).toBe(true);
    expect(headlines(lint.stdout)).toHaveLength(6);
    // Piped in, the heading starts with the record that shows a second process.
    const piped = await tripod(bin, ['show', '--no-color'], { input: readFileSync(TREE, 'utf8') });
    expect(headings(piped.stdout)).toHaveLength(headlines(piped.stdout).length - 1);
  });

  it('reads a log of one process and thread as before: no heading, no root frame', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.1', '--log', log, path.join(FIXTURES, 'timers.js'), '25']);
    expect(result.code, result.stderr).toBe(0);
    const shown = await tripod(bin, ['show', '--no-color', log]);
    expect(headings(shown.stdout)).toEqual([]);
    const collapsed = await tripod(bin, ['report', '-f', 'collapsed', log]);
    expect(collapsed.stdout).not.toMatch(/^(process|main thread)/m);
    const byThread = await tripod(bin, ['report', '-f', 'collapsed', '--by', 'thread', log]);
    expect(byThread.stdout.split('\n').filter(Boolean).every((line) => line.startsWith('main thread;'))).toBe(true);
  });
});
