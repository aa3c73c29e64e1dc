/**
 * Issue 10 item 20: a log whose records have fields of the wrong type. A real log
 * (every record kind tripod writes) has 1-3 fields of one record replaced by
 * values of other types, a few hundred times from a fixed seed; show and report
 * (every format) run in-process on each: no internal error, the bad record is
 * skipped and counted, every other record still renders. Then the CLI on a few
 * such logs under each Node: no exit 70, the rest shown; an empty log exits 1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReportConfig, ShowConfig } from '../src/config';
import { parseReportCommand } from '../src/options/report';
import { parseShowCommand } from '../src/options/show';
import { UserError } from '../src/errors';
import { writeReport } from '../src/report/report';
import { showLog } from '../src/report/show';
import { FIXTURES, SAMPLES, tempDir, tripod } from './helpers/cli';
import { startTarget, stopAllTargets } from './helpers/target';

const nodes = inject('nodes');
const MUTATIONS = 300;
const FORMATS = ['table', 'svg', 'speedscope', 'cpuprofile', 'pprof', 'collapsed'] as const;

/** mulberry32: the same mutations on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WRONG: unknown[] = [null, 0, -1, 1.5, 1e308, '', 'x', true, [], {}, [1, 'a', null], { a: 1 }, [[]], '\u001b[2J', 'undefined-field'];

/** Every path to a field (object key or array index) in a record, `event` aside: it says which kind to check. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [];
  const keys: Array<string | number> = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => {
    if (at.length === 0 && key === 'event') return [];
    const next = [...at, key];
    return [next, ...paths((value as Record<string | number, unknown>)[key], next)];
  });
}

function setAt(record: Record<string, unknown>, at: Array<string | number>, value: unknown): void {
  // An earlier mutation of the same record may have replaced a container on the way: then this one is moot.
  let owner: unknown = record;
  for (const key of at.slice(0, -1)) owner = typeof owner === 'object' && owner !== null ? (owner as Record<string | number, unknown>)[key] : undefined;
  if (typeof owner !== 'object' || owner === null) return;
  const fields = owner as Record<string | number, unknown>;
  if (value === 'undefined-field') delete fields[at.at(-1)!];
  // A copy: the same {} placed twice in one record could close a cycle.
  else fields[at.at(-1)!] = structuredClone(value);
}

function mutate(line: string, next: () => number): string {
  const record = JSON.parse(line) as Record<string, unknown>;
  const fields = paths(record);
  const times = 1 + Math.floor(next() * 3);
  for (let i = 0; i < times && fields.length > 0; i++) setAt(record, fields[Math.floor(next() * fields.length)], WRONG[Math.floor(next() * WRONG.length)]);
  return JSON.stringify(record);
}

function sink(): Writable & { writes: number; text: string } {
  const out = new Writable({
    write(chunk, _encoding, done) {
      out.writes++;
      out.text += String(chunk);
      done();
    },
  }) as Writable & { writes: number; text: string };
  out.writes = 0;
  out.text = '';
  return out;
}

/** A real log holding every kind of record: a profiled, watched run with stalls, a crash, and a dump. */
async function realLog(bin: string): Promise<string[]> {
  const dir = tempDir();
  const runs = [
    ['-q', '--profile', '--rate', '200', '--interval', '0.2', '--watchdog', '100', '--log', path.join(dir, 'a.log'), path.join(FIXTURES, 'stalls.js'), 'sync', '700'],
    ['-q', '--watchdog', '100', '--log', path.join(dir, 'b.log'), path.join(FIXTURES, 'stalls.js'), 'native'],
    ['-q', '--crash', '--interval', '0.2', '--log', path.join(dir, 'c.log'), path.join(SAMPLES, 'crash.js')],
  ];
  for (const args of runs) await tripod(bin, args);
  const target = startTarget(bin, ['--inspect-port=0', path.join(FIXTURES, 'attach-busy.js')]);
  await target.waitFor(/ready/);
  const dump = await tripod(bin, ['dump', '--json', '--locals', String(target.pid)]);
  stopAllTargets();
  const lines = ['a', 'b', 'c'].flatMap((name) => readFileSync(path.join(dir, `${name}.log`), 'utf8').split('\n').filter(Boolean));
  lines.push(dump.stdout.trim());
  return lines;
}

function kinds(lines: string[]): Set<string> {
  return new Set(lines.map((line) => (JSON.parse(line) as { event: string }).event));
}

describe('malformed records, in-process', () => {
  let lines: string[];
  beforeAll(async () => {
    lines = await realLog(process.execPath);
    expect([...kinds(lines)].sort()).toEqual(['crash', 'dump', 'end', 'profile', 'sample', 'stall', 'stall-end', 'start']);
  });

  it(`show and report (every format) skip and count a mutated record and render the rest, ${MUTATIONS} mutations`, async () => {
    const next = random(10_020);
    const dir = tempDir();
    let skippedSome = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      const at = Math.floor(next() * lines.length);
      const log = path.join(dir, `m${i}.log`);
      const mutated = [...lines];
      mutated[at] = mutate(lines[at], next);
      writeFileSync(log, `${mutated.join('\n')}\n`);
      const what = `mutation ${i} of line ${at}: ${mutated[at].slice(0, 300)}`;

      const out = sink();
      const stats = await showLog(parseShowCommand([i % 2 ? '--color' : '--no-color', log], {}, false) as ShowConfig, process.stdin, out).catch((error) => {
        throw new Error(`show failed on ${what}: ${(error as Error).stack}`);
      });
      expect(stats.records + stats.skipped, what).toBe(lines.length);
      expect(stats.records, what).toBeGreaterThanOrEqual(lines.length - 1);
      expect(out.writes, what).toBe(stats.records);
      skippedSome += stats.skipped;

      const format = FORMATS[i % FORMATS.length];
      for (const f of new Set(['table', format])) {
        const report = sink();
        const config = parseReportCommand(['--format', f, log], {}) as ReportConfig;
        const outcome = await writeReport(config, { stdin: process.stdin, stdout: report, progress: { write: () => true } }).catch((error) => {
          if (error instanceof UserError) return error;
          throw new Error(`report --format ${f} failed on ${what}: ${(error as Error).stack}`);
        });
        // Every other profile and sample is still there, so the report always has something to show.
        expect(outcome, `${f}: ${what}`).not.toBeInstanceOf(UserError);
        expect((outcome as { read: { records: number } }).read.records, what).toBeGreaterThanOrEqual(lines.length - 1);
      }
    }
    // The mutations did produce bad records, and they were counted.
    expect(skippedSome).toBeGreaterThan(MUTATIONS / 4);
  });
});

describe.each(nodes)('malformed logs through the CLI, $label', ({ bin }) => {
  let lines: string[];
  beforeAll(async () => {
    lines = await realLog(bin);
  });

  it('skips a record with a bad field, counts it, and renders every record after it (no exit 70)', async () => {
    const dir = tempDir();
    const at = lines.findIndex((line) => line.includes('"event":"sample"') && line.includes('"frames":[{'));
    const bad = JSON.parse(lines[at]);
    bad.frames = 'not a list';
    const log = path.join(dir, 'bad.log');
    writeFileSync(log, `${[...lines.slice(0, at), JSON.stringify(bad), ...lines.slice(at + 1)].join('\n')}\n`);
    const shown = await tripod(bin, ['show', '--no-color', log]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toBe('tripod: skipped 1 lines that were not tripod records\n');
    // The records after the bad one are there: the last is the dump.
    expect(shown.stdout).toMatch(/Process \d+: node v/);
    expect(shown.stdout).toMatch(/crash: uncaught exception/);
    for (const format of FORMATS) {
      const report = await tripod(bin, ['report', '--format', format, log, '-o', path.join(dir, `out.${format}`)]);
      expect(report.code, `${format}: ${report.stderr}`).toBe(1);
      expect(report.stderr).toMatch(/tripod: skipped 1 lines that were not whole tripod records .*; the report covers the other \d+\n$/);
    }
  });

  it('refuses an empty log with exit 1, in one line', async () => {
    const log = path.join(tempDir(), 'empty.log');
    writeFileSync(log, '');
    for (const command of ['show', 'report']) {
      const result = await tripod(bin, [command, log]);
      expect(result.code, command).toBe(1);
      expect(result.stderr).toBe(`tripod: ${log} is not a tripod log (it is empty); give a log written by tripod\n`);
    }
  });
});
