/**
 * `tripod --children`: the Node children a worker thread starts are followed as the main thread's are,
 * in the first process (its workers held at their start by the sampler) and in a followed child (its
 * workers get tripod from the child's preload); their code sees the environment it sees under node.
 */
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, type LogRecord, readLog, run, samplesOf, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const PROGRAM = path.join(FIXTURES, 'children-from-worker.js');
const HOSTILE = path.join(FIXTURES, 'children-hostile-worker.js');

const startsOf = (records: LogRecord[]) => records.filter((r) => r.event === 'start');
const spunIn = (records: LogRecord[], pid: number) => samplesOf(records).some((s) => s.pid === pid && s.frames.some((f: { function: string }) => f.function === 'spinInChild'));

describe.each(nodes)('children of worker threads under tripod --children, $label', ({ bin }) => {
  it("follows a child forked by the first process's worker with --threads: its samples are in the one log, with its pid and ppid", async () => {
    const plain = await run(bin, [PROGRAM]);
    expect(plain.code, plain.stderr).toBe(5);
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--children', '--threads', '--interval', '0.2', '--log', log, PROGRAM], { env: { CHILD_LOG: log, SPIN_MS: '300' } });
    expect(result.code, result.stderr).toBe(plain.code);
    expect(result.stdout).toBe(plain.stdout);
    const records = readLog(log);
    const starts = startsOf(records);
    expect(starts.length).toBe(2);
    const [top, child] = [starts.find((r) => r.ppid === undefined)!, starts.find((r) => r.ppid !== undefined)!];
    expect(child.ppid).toBe(top.pid);
    expect(child.argv.slice(1)).toEqual([PROGRAM, 'child']);
    expect(spunIn(records, child.pid)).toBe(true);
    expect(records.find((r) => r.event === 'end' && r.pid === child.pid)).toMatchObject({ exitCode: 0 });
    expect(records.at(-1)).toMatchObject({ event: 'end', pid: top.pid, exitCode: 5, processes: 2 });
  });

  it("follows a grandchild forked by a child's worker", async () => {
    const plain = await run(bin, [PROGRAM, 'via-child']);
    expect(plain.code, plain.stderr).toBe(0);
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--children', '--interval', '0.2', '--log', log, PROGRAM, 'via-child'], { env: { CHILD_LOG: log, SPIN_MS: '300' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(plain.stdout);
    const records = readLog(log);
    const starts = startsOf(records);
    expect(starts.length).toBe(3);
    const top = starts.find((r) => r.ppid === undefined)!;
    const middle = starts.find((r) => r.ppid === top.pid)!;
    const grandchild = starts.find((r) => r.ppid === middle.pid)!;
    expect(grandchild.argv.slice(1)).toEqual([PROGRAM, 'child']);
    expect(spunIn(records, grandchild.pid)).toBe(true);
    expect(records.at(-1)).toMatchObject({ event: 'end', pid: top.pid, processes: 3 });
  });

  it("calls none of the built-ins a worker replaced when it adds itself to the worker's children (each call counted)", async () => {
    for (const [args, processes] of [[[], 3], [['via-child'], 4]] as const) {
      const plain = await run(bin, [HOSTILE, ...args]);
      expect(plain.stdout).toMatch(/^true true \[0(,0)*\] \[[\d,]+\]\n$/);
      const log = tempLog();
      const result = await tripod(bin, ['-q', '--children', '--threads', '--log', log, HOSTILE, ...args]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout, args.join(' ')).toBe(plain.stdout);
      expect(startsOf(readLog(log)).length, args.join(' ')).toBe(processes);
    }
  });

  it("leaves a worker's children alone without --children", async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.2', '--log', log, PROGRAM]);
    expect(result.code, result.stderr).toBe(5);
    expect(result.stdout).toContain('child done; TRIPOD_FOLLOW false, NODE_OPTIONS unset');
    expect(startsOf(readLog(log)).length).toBe(1);
  });
});
