/**
 * `tripod --children`: a child's start record is written by its preload, before its code runs, so a
 * child killed by SIGKILL at once still leaves it (and loses only its end record).
 */
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, run, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const PROGRAM = path.join(FIXTURES, 'children-killed-at-start.js');

describe.each(nodes)('a child killed at its start under tripod --children, $label', ({ bin }) => {
  it('leaves its start record, with its ppid, as the first process writes its own', async () => {
    const plain = await run(bin, [PROGRAM]);
    expect(plain.stdout).toMatch(/^child \d+: code null, signal SIGKILL\n$/);
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--children', '--max-string', '300', '--log', log, PROGRAM]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^child \d+: code null, signal SIGKILL\n$/);
    const pid = Number(/^child (\d+)/.exec(result.stdout)![1]);
    const records = readLog(log);
    const top = records.find((r) => r.event === 'start' && r.ppid === undefined)!;
    const child = records.find((r) => r.event === 'start' && r.pid === pid)!;
    expect(child).toBeDefined();
    expect(child.ppid).toBe(top.pid);
    expect(child.argv.slice(1, 2)).toEqual(['-e']);
    // Written on the child's own thread, it says what the sampler's start record would.
    const { time: _t, pid: _p, argv: _a, script: _s, ppid: _pp, ...childRest } = child;
    const { time: _t2, pid: _p2, argv: _a2, script: _s2, ...topRest } = top;
    expect(childRest).toEqual(topRest);
    expect(records.filter((r) => r.pid === pid).map((r) => r.event)).toEqual(['start']);
    expect(records.at(-1)).toMatchObject({ event: 'end', pid: top.pid, processes: 2 });
  });
});
