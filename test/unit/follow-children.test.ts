/**
 * The pure parts of --children: the pairs a child's environment gets and how a followed child takes them
 * back out (follow-children.ts), and the count of processes and threads read back from the log
 * (process-census.ts).
 */
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FOLLOW_VARIABLE, type FollowSettings, followedEnvPairs, takeFollowSettings } from '../../src/run/follow-children';
import { CensusCount, takeCensus } from '../../src/run/process-census';

const SETTINGS: FollowSettings = {
  interval: 5, timeoutMs: 1000, localsBudget: 0.01, debug: '', logPath: '/tmp/run.log', preload: '/opt/tripod/dist/run/child-preload.js',
  limits: { depth: 2, maxElements: 20, maxString: 200, maxFrames: 50, locals: true, redactKeys: ['password'] },
};

const asEnv = (pairs: string[]) => Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

describe('followedEnvPairs and takeFollowSettings', () => {
  it("adds the preload after the program's own NODE_OPTIONS, and the child gets back exactly what the program gave", () => {
    const pairs = followedEnvPairs(['PATH=/bin', 'NODE_OPTIONS=--title=x --no-warnings', 'A=b=c'], SETTINGS);
    const env = asEnv(pairs);
    expect(env.NODE_OPTIONS).toMatch(/^--title=x --no-warnings --require ".*[/\\]child-preload\.js"$/);
    expect(pairs.filter((pair) => pair.startsWith('NODE_OPTIONS=')).length).toBe(1);
    const child: NodeJS.ProcessEnv = { ...env };
    expect(takeFollowSettings(child)).toEqual(SETTINGS);
    expect(child).toEqual({ PATH: '/bin', NODE_OPTIONS: '--title=x --no-warnings', A: 'b=c' });
  });

  it('leaves a child that had no NODE_OPTIONS without one, and replaces a TRIPOD_FOLLOW the program passed on', () => {
    const pairs = followedEnvPairs([`${FOLLOW_VARIABLE}={"stale":1}`, 'HOME=/h'], SETTINGS);
    expect(pairs.filter((pair) => pair.startsWith(`${FOLLOW_VARIABLE}=`)).length).toBe(1);
    const child: NodeJS.ProcessEnv = asEnv(pairs);
    expect(child.NODE_OPTIONS).toMatch(/^--require "/);
    expect(takeFollowSettings(child)).toEqual(SETTINGS);
    expect(child).toEqual({ HOME: '/h' });
  });

  it('quotes the preload as NODE_OPTIONS reads it: a path with a space, a quote or a backslash stays one word', () => {
    const env = asEnv(followedEnvPairs([], SETTINGS));
    const quoted = /--require "((?:[^"\\]|\\.)*)"$/.exec(env.NODE_OPTIONS!)![1];
    expect(quoted.replace(/\\(.)/g, '$1')).toMatch(/child-preload\.js$/);
  });

  it('changes nothing in a process no tripod run started, or one whose settings are unreadable', () => {
    const plain: NodeJS.ProcessEnv = { NODE_OPTIONS: '--x' };
    expect(takeFollowSettings(plain)).toBeUndefined();
    const broken: NodeJS.ProcessEnv = { [FOLLOW_VARIABLE]: '{not json', NODE_OPTIONS: '--x' };
    expect(takeFollowSettings(broken)).toBeUndefined();
    expect(broken).toEqual({ [FOLLOW_VARIABLE]: '{not json', NODE_OPTIONS: '--x' });
  });
});

describe('CensusCount', () => {
  const line = (pid: number, event: string, rest = '') => `{"level":30,"time":1,"pid":${pid},"event":"${event}"${rest},"msg":"${event}"}`;

  it('counts the processes that started and, with threads, their main threads and sampled workers', () => {
    const count = new CensusCount();
    for (const text of [
      line(1, 'start'), line(1, 'sample', ',"seq":1'), line(2, 'start'), line(2, 'sample', ',"threadId":1,"threadName":"a"'),
      line(2, 'sample', ',"threadId":1,"threadName":"a"'), line(2, 'sample', ',"threadId":2,"threadName":"b"'), line(1, 'sample', ',"threadId":1,"threadName":"c"'),
      // A worker of a process whose start is not in this part of the log, a torn line, a line that is no record.
      line(9, 'sample', ',"threadId":1'), '{"level":30,"time":1,"pid":3,"ev', 'not a record',
      line(2, 'end'),
    ]) count.add(text);
    expect(count.result(false)).toEqual({ processes: 2 });
    expect(count.result(true)).toEqual({ processes: 2, threads: 5 });
  });

  it('does not take a threadId in the locals for a worker thread', () => {
    const count = new CensusCount();
    count.add(line(1, 'start'));
    count.add(line(1, 'sample', ',"seq":1,"frames":[{"locals":{"o":{"threadId":7}}}]'));
    expect(count.result(true)).toEqual({ processes: 1, threads: 1 });
  });
});

describe('takeCensus', () => {
  it('reads every line whole across megabyte chunks, from the offset the run began at, as a line-by-line count does', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tripod-census-')), 'run.log');
    const lines: string[] = [];
    // Lines of many lengths (a few bytes to 300 KB) so that some cross a chunk's end at every point of their prefix.
    for (let i = 0; i < 400; i++) {
      const pid = 100 + (i % 9);
      const event = i % 40 === 0 || i < 9 ? 'start' : 'sample';
      const thread = i % 3 === 0 ? `,"threadId":${i % 4}` : '';
      lines.push(`{"level":30,"time":${i},"pid":${pid},"event":"${event}"${thread},"pad":"${'y'.repeat((i * 7919) % 30_000 + (i % 50 === 7 ? 300_000 : 0))}"}`);
    }
    const before = '{"level":30,"time":0,"pid":999,"event":"start"}\n';
    writeFileSync(file, before + lines.join('\n') + '\n');
    const expected = new CensusCount();
    for (const line of lines) expected.add(line);
    const fd = openSync(file, 'a');
    try {
      expect(takeCensus(file, fd, Buffer.byteLength(before), true)).toEqual(expected.result(true));
      expect(takeCensus(file, fd, 0, false)).toEqual({ processes: 10 });
    } finally {
      closeSync(fd);
    }
  });

  it("reads a record whose start lies in a chunk's last bytes, its prefix split between two chunks", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tripod-census-')), 'run.log');
    const first = '{"level":30,"time":0,"pid":1,"event":"start","pad":"';
    // The second record begins 50 bytes before the first megabyte ends.
    const filler = 'z'.repeat((1 << 20) - 50 - first.length - 3);
    writeFileSync(file, `${first}${filler}"}\n{"level":30,"time":1,"pid":2,"event":"start"}\n{"level":30,"time":2,"pid":2,"event":"sample","threadId":3}\n`);
    const fd = openSync(file, 'a');
    try {
      expect(takeCensus(file, fd, 0, true)).toEqual({ processes: 2, threads: 3 });
    } finally {
      closeSync(fd);
    }
  });
});
