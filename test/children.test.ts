/**
 * `tripod --children script.js`: every Node.js child process, at any depth, runs under tripod into the
 * same log (records whole, each process's start with its ppid), while every child's streams, exit code,
 * signal, IPC, execArgv and NODE_OPTIONS are what they are under plain node; children that are not Node
 * run untouched, and without --children nothing is touched.
 */
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, type LogRecord, finish, readLog, run, samplesOf, start, tempDir, tempLog, tripod, TRIPOD, waitForOutput } from './helpers/cli';

const nodes = inject('nodes');
const fixture = (name: string) => path.join(FIXTURES, `children-${name}.js`);

const startsOf = (records: LogRecord[]) => records.filter((r) => r.event === 'start');
const endOf = (records: LogRecord[], pid: number) => records.find((r) => r.event === 'end' && r.pid === pid);

describe.each(nodes)('tripod --children, $label', ({ bin }) => {
  it('follows a parent that forks 3 children that fork one each: 7 processes in one log, records whole', async () => {
    const plain = await run(bin, [fixture('tree')]);
    const log = tempLog();
    // Long records (a 50,000-character local) from 7 processes at once, 20 samples a second each.
    const result = await tripod(bin, ['--children', '--interval', '0.05', '--max-string', '60000', '--log', log, fixture('tree')], { env: { TREE_LOG: log } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(plain.stdout);
    expect(result.stderr).toContain('[tripod] Sampling every 0.050000 seconds, child processes included\n');
    // Every line is one whole record (readLog parses each).
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const records = readLog(log);
    expect(records.length).toBe(lines.length);
    const starts = startsOf(records);
    expect(starts.length).toBe(7);
    const top = starts.find((r) => r.argv.length === 2)!;
    expect(top.ppid).toBeUndefined();
    const children = starts.filter((r) => r.ppid === top.pid);
    expect(children.length).toBe(3);
    const grandchildren = starts.filter((r) => children.some((child) => child.pid === r.ppid));
    expect(grandchildren.length).toBe(3);
    for (const child of [...children, ...grandchildren]) {
      expect(child.script).toBe(fixture('tree'));
      expect(child.argv).toEqual([realpathSync(bin), fixture('tree'), child.ppid === top.pid ? '1' : '2']);
    }
    // Each process numbers its own samples, ends with its own end record and exit code, and was sampled in its long local.
    for (const process of starts) {
      const own = samplesOf(records).filter((s) => s.pid === process.pid);
      expect(own.map((s) => s.seq)).toEqual(own.map((_, i) => i + 1));
      const depth = process.pid === top.pid ? 0 : children.some((c) => c.pid === process.pid) ? 1 : 2;
      expect(endOf(records, process.pid), `end of ${process.pid}`).toMatchObject({ exitCode: depth === 0 ? 0 : 10 + depth, samples: own.length });
      // Each stays busy until it is sampled so (the fixture reads the log).
      expect(own.some((s) => s.frames[0]?.function === 'busyWithLongLocal' && s.frames[0].locals?.blob?.length === 50_001), `${process.pid} sampled with its local`).toBe(true);
    }
    expect(records.at(-1)).toMatchObject({ event: 'end', pid: top.pid, processes: 7 });
    expect(records.at(-1)!.threads).toBeUndefined();
  });

  it('leaves each child its streams, exit code and signal as under plain node; one killed by SIGKILL loses only its end record', async () => {
    const plain = await run(bin, [fixture('outcomes')]);
    expect(plain.stdout).toContain('SIGKILL: code null, signal SIGKILL');
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--children', '--interval', '0.1', '--log', log, fixture('outcomes')], { env: { OUTCOMES_LOG: log } });
    expect(result.code, result.stderr).toBe(plain.code);
    expect(result.stdout).toBe(plain.stdout);
    expect(result.stderr).toBe(plain.stderr);
    const records = readLog(log);
    const starts = startsOf(records);
    const child = (marker: string) => starts.find((r) => r.argv.some((word: string) => word.includes(marker)));
    expect(child('exitCode = 3') && endOf(records, child('exitCode = 3')!.pid)).toMatchObject({ exitCode: 3 });
    expect(child('thrown by the child') && endOf(records, child('thrown by the child')!.pid)).toMatchObject({ exitCode: 1, error: { name: 'TypeError', message: 'thrown by the child' } });
    expect(child('process.exit(5)') && endOf(records, child('process.exit(5)')!.pid)).toMatchObject({ exitCode: 5 });
    // Killed by a signal tripod does not listen for: the child dies at once, and its end record is all it loses.
    for (const marker of ["})('start')", "})('sample')"]) {
      const killed = child(marker);
      expect(killed, marker).toBeDefined();
      expect(endOf(records, killed!.pid)).toBeUndefined();
    }
    expect(samplesOf(records).some((s) => s.pid === child("})('sample')")!.pid)).toBe(true);
    expect(records.at(-1)).toMatchObject({ event: 'end', exitCode: 0, processes: 6 });
  });

  it('follows exec("node ...") through a shell, spawn of process.execPath, execFileSync and a grandchild; a shell runs untouched; no child sees tripod', async () => {
    const plain = await run(bin, [fixture('kinds')]);
    expect(plain.stdout).toContain('sh: from sh\nab\n');
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--children', '--log', log, fixture('kinds')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(plain.stdout);
    expect(result.stderr).toBe(plain.stderr);
    const starts = startsOf(readLog(log));
    // The program, exec, spawn, execFileSync, the middle child and its grandchild; the shells write nothing.
    expect(starts.length).toBe(6);
    expect(starts.filter((r) => r.argv.at(-1) === 'sees').length).toBe(4);
    expect(starts.every((r) => r.script === fixture('kinds'))).toBe(true);
  });

  it('follows an ES module child, whose unsettled top-level await ends it with 13 as under node', async () => {
    const script = path.join(FIXTURES, 'children-esm.mjs');
    const plain = await run(bin, [script]);
    expect(plain.stdout).toMatch(/^child exited 13: child sees its url: true /);
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--children', '--log', log, script]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(plain.stdout);
    const records = readLog(log);
    const child = startsOf(records).find((r) => r.argv.at(-1) === 'child')!;
    expect(child.script).toBe(script);
    expect(endOf(records, child.pid)).toMatchObject({ exitCode: 13 });
  });

  it("keeps IPC, the program's execArgv for a fork and the NODE_OPTIONS it gives a child (merged, not replaced)", async () => {
    const plain = await run(bin, [fixture('ipc')]);
    expect(JSON.parse(plain.stdout.split('\n')[0])).toEqual({
      echo: 'hello', title: 'tripod-ipc-child', execArgv: ['--max-old-space-size=64'], nodeOptions: '--title=tripod-ipc-child --no-deprecation', follow: null, extra: 'only this',
    });
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--children', '--log', log, fixture('ipc')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(plain.stdout);
    expect(result.stderr).toBe(plain.stderr);
    // A child started with an environment of the program's own making is followed too.
    expect(startsOf(readLog(log)).map((r) => r.argv.slice(-2))).toContainEqual([fixture('ipc'), 'child']);
  });

  it('calls none of the built-ins a program replaced when it adds itself to a child (each call counted)', async () => {
    const plain = await run(bin, [fixture('hostile')]);
    expect(plain.stdout).toMatch(/^true true \[0(,0)*\] \[[\d,]+\]\n$/);
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--children', '--log', log, fixture('hostile')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(plain.stdout);
    expect(startsOf(readLog(log)).length).toBe(3);
  });

  it('leaves the environment of the program and its children exactly as it was, with --children and without', async () => {
    const plain = await run(bin, [fixture('env')]);
    expect(plain.stdout).toMatch(/^parent .*\nchild .*\n$/);
    for (const flags of [[], ['--children']]) {
      const log = tempLog();
      const result = await tripod(bin, ['-q', ...flags, '--log', log, fixture('env')]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout, flags.join(' ')).toBe(plain.stdout);
      expect(startsOf(readLog(log)).length).toBe(flags.length === 0 ? 1 : 2);
    }
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--log', log, fixture('tree')]);
    expect(result.code).toBe(0);
    const records = readLog(log);
    expect(new Set(records.map((r) => r.pid)).size).toBe(1);
    expect(records.at(-1)!.processes).toBeUndefined();
  });

  it('samples the worker threads of a child with --threads, and the parent counts every thread seen', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['--children', '--threads', '--interval', '0.2', '--log', log, fixture('threads')], { env: { POOL_LOG: log } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('pool exited 3\n');
    expect(result.stderr).toContain('[tripod] Sampling every 0.200000 seconds, worker threads and child processes included\n');
    const records = readLog(log);
    const pool = startsOf(records).find((r) => r.argv.at(-1) === 'pool')!;
    const workerSamples = samplesOf(records).filter((s) => s.pid === pool.pid && s.threadId !== undefined);
    expect([...new Set(workerSamples.map((s) => s.threadName))].sort()).toEqual(['spinner', 'waiter']);
    expect(workerSamples.some((s) => s.threadName === 'spinner' && s.frames[0]?.function === 'spinInWorker')).toBe(true);
    expect(JSON.stringify(records)).not.toContain('tripod-sampler');
    expect(endOf(records, pool.pid)).toMatchObject({ exitCode: 3 });
    // Two main threads and the pool's two workers.
    expect(records.at(-1)).toMatchObject({ event: 'end', processes: 2, threads: 4 });
  });

  it('samples both workers of a cluster HTTP server under load, with no failed request', async () => {
    const log = tempLog();
    const child = start(bin, [TRIPOD, '--children', '--interval', '0.1', '--log', log, fixture('cluster')]);
    const finished = finish(child);
    const port = Number(/listening (\d+)/.exec(await waitForOutput(child, 'listening'))![1]);
    const { answered, failed, servedBy } = await loadFor(port, 2000, 16);
    child.kill('SIGTERM');
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('workers disconnected');
    expect(failed).toBe(0);
    expect(answered).toBeGreaterThan(50);
    const records = readLog(log);
    const starts = startsOf(records);
    expect(starts.length).toBe(3);
    const workers = starts.filter((r) => r.ppid !== undefined);
    expect(workers.map((r) => String(r.pid)).sort()).toEqual([...servedBy].sort());
    for (const worker of workers) {
      // A loaded machine can take a second or more to start a worker's sampler: at least one sample under load.
      expect(samplesOf(records).filter((s) => s.pid === worker.pid).length, `samples of worker ${worker.pid}`).toBeGreaterThanOrEqual(1);
      expect(endOf(records, worker.pid)).toMatchObject({ exitCode: 0 });
    }
    expect(records.at(-1)).toMatchObject({ event: 'end', processes: 3 });
  });

  it('follows `npm exec` of a local bin script, npm included', async () => {
    const project = tempDir();
    mkdirSync(path.join(project, 'node_modules', 'hello', 'bin'), { recursive: true });
    mkdirSync(path.join(project, 'node_modules', '.bin'));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'project', version: '1.0.0', dependencies: { hello: '1.0.0' } }));
    writeFileSync(path.join(project, 'node_modules', 'hello', 'package.json'), JSON.stringify({ name: 'hello', version: '1.0.0', bin: { hello: 'bin/hello.js' } }));
    writeFileSync(path.join(project, 'node_modules', 'hello', 'bin', 'hello.js'), '#!/usr/bin/env node\nconsole.log(`hello from ${process.argv.slice(2).join(" ")}`);\n', { mode: 0o755 });
    symlinkSync('../hello/bin/hello.js', path.join(project, 'node_modules', '.bin', 'hello'));
    const script = path.join(project, 'main.js');
    writeFileSync(script, "process.stdout.write(require('child_process').execFileSync('npm', ['exec', '--offline', '--', 'hello', 'npm exec'], { encoding: 'utf8' }));\n");
    const plain = await run(bin, [script], { cwd: project });
    expect(plain.stdout).toBe('hello from npm exec\n');
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--children', '--log', log, script], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(plain.stdout);
    const scripts = startsOf(readLog(log)).map((r) => r.script);
    expect(scripts).toContain(script);
    expect(scripts.some((s) => /npm-cli\.js$|[/\\]npm$/.test(s))).toBe(true);
    expect(scripts).toContain(path.join(project, 'node_modules', '.bin', 'hello'));
  });
});

/** `connections` keep-alive clients asking for `ms`: what was answered, what failed, and which pids answered. */
async function loadFor(port: number, ms: number, connections: number): Promise<{ answered: number; failed: number; servedBy: Set<string> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const until = Date.now() + ms;
  const servedBy = new Set<string>();
  let answered = 0;
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, agent, path: '/' }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => {
            if (response.statusCode === 200) answered++;
            else failed++;
            servedBy.add(body.split(' ')[0]);
            resolve();
          });
        })
        .on('error', () => {
          failed++;
          resolve();
        });
    });
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < until) await one();
  }));
  agent.destroy();
  return { answered, failed, servedBy };
}
