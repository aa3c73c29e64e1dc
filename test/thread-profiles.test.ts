/**
 * `tripod --threads --profile`: each worker thread gets a CPU profile of its own, through its
 * own session, its records tagged with the thread, a worker that ends keeping its samples to its
 * end; reports root each thread's profile apart.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, run, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const PROGRAM = path.join(FIXTURES, 'threads-profile.js');
const TERMINATED = path.join(FIXTURES, 'threads-profile-terminated.js');

type Profile = { event: 'profile'; threadId?: number; threadName?: string; threadUrl?: string; samples: number; frames: Array<[string, string]>; states: string[]; counts: number[] };

const profilesOf = (records: Array<Record<string, unknown>>) => records.filter((r) => r.event === 'profile') as unknown as Profile[];
const functionsOf = (profiles: Profile[]) => new Set(profiles.flatMap((p) => p.frames.map((f) => f[0])));

describe.each(nodes)('tripod --threads --profile, $label', ({ bin }) => {
  let log: string;
  let records: Array<Record<string, unknown>>;
  beforeAll(async () => {
    const plain = await run(bin, [PROGRAM]);
    expect(plain.code, plain.stderr).toBe(4);
    log = tempLog();
    const result = await tripod(bin, ['--threads', '--profile', '--interval', '0.5', '--log', log, PROGRAM]);
    expect(result.code, result.stderr).toBe(plain.code);
    expect(result.stdout).toBe(plain.stdout);
    records = readLog(log);
  });

  it("writes each worker's profile, tagged with its thread, and the main thread's apart", () => {
    const profiles = profilesOf(records);
    const of = (name: string | undefined) => profiles.filter((p) => p.threadName === name);
    const [alpha, beta, main] = [of('alpha'), of('beta'), of(undefined)];
    for (const [name, own] of [['alpha', alpha], ['beta', beta], ['main', main]] as const) expect(own.length, `profile records of ${name}`).toBeGreaterThanOrEqual(1);
    expect(functionsOf(alpha)).toContain('spinInAlpha');
    expect(functionsOf(alpha)).not.toContain('spinInBeta');
    expect(functionsOf(beta)).toContain('spinInBeta');
    expect(functionsOf(beta)).not.toContain('spinInAlpha');
    expect(functionsOf(main)).not.toContain('spinInAlpha');
    expect(functionsOf(main)).not.toContain('spinInBeta');
    expect(main.every((p) => p.threadId === undefined && p.threadUrl === undefined)).toBe(true);
    // "brief" ended on its own, before any collection: its exit waited for its last samples.
    expect(functionsOf(of('brief'))).toContain('spinBriefly');
    // A worker asleep in a synchronous call is blocked, as the main thread is: its task id was read while it was held.
    const countsOf = (own: Profile[], state: string) => own.reduce((sum, p) => sum + p.states.reduce((n, s, i) => n + (s === state ? p.counts[i] : 0), 0), 0);
    const sleeper = of('sleeper');
    expect(countsOf(sleeper, 'blocked')).toBeGreaterThan(countsOf(sleeper, 'running'));
    expect(countsOf(alpha, 'running')).toBeGreaterThan(countsOf(alpha, 'blocked'));
    for (const own of [alpha, beta]) {
      expect(new Set(own.map((p) => p.threadId)).size).toBe(1);
      expect(own[0].threadId).toBeGreaterThan(0);
      expect(own[0].threadUrl).toBe(`file://${PROGRAM}`);
    }
    // tripod's own sampler is never profiled; the end record counts every thread's samples.
    expect(profiles.every((p) => p.threadName === undefined || ['alpha', 'beta', 'brief', 'sleeper'].includes(p.threadName))).toBe(true);
    expect(JSON.stringify(records)).not.toContain('tripod-sampler');
    expect(records.at(-1)).toMatchObject({ event: 'end', exitCode: 4, profileSamples: profiles.reduce((sum, p) => sum + p.samples, 0) });
  });

  it("reports each worker's function under its own thread, and not under the main thread's", async () => {
    const result = await tripod(bin, ['report', '--by', 'thread', log]);
    expect(result.code, result.stderr).toBe(0);
    const sections = result.stdout.split('\n== ').slice(1);
    const section = (label: RegExp) => sections.find((s) => label.test(s.split(':')[0]));
    const [main, alpha, beta] = [section(/^main thread$/), section(/^thread \d+ \(alpha\)$/), section(/^thread \d+ \(beta\)$/)];
    expect(alpha).toMatch(/ {2}spinInAlpha \(.*threads-profile\.js:8\)\n/);
    expect(alpha).not.toContain('spinInBeta');
    expect(beta).toMatch(/ {2}spinInBeta \(.*threads-profile\.js:15\)\n/);
    expect(beta).not.toContain('spinInAlpha');
    expect(main).toBeDefined();
    expect(main).not.toMatch(/spinIn/);
    const collapsed = await tripod(bin, ['report', '--by', 'thread', '-f', 'collapsed', log]);
    expect(collapsed.code, collapsed.stderr).toBe(0);
    const lines = collapsed.stdout.split('\n').filter(Boolean);
    expect(lines.some((line) => /^thread \d+ \(alpha\);.*spinInAlpha \(/.test(line))).toBe(true);
    expect(lines.some((line) => /^thread \d+ \(beta\);.*spinInBeta \(/.test(line))).toBe(true);
    expect(lines.filter((line) => line.startsWith('main thread;')).some((line) => line.includes('spinIn'))).toBe(false);
    const speedscope = path.join(path.dirname(log), 'p.speedscope.json');
    const written = await tripod(bin, ['report', '--by', 'thread', log, '-o', speedscope]);
    expect(written.code, written.stderr).toBe(0);
    const roots = (JSON.parse(readFileSync(speedscope, 'utf8')) as { shared: { frames: Array<{ name: string }> } }).shared.frames.map((f) => f.name);
    expect(roots).toContain('main thread');
    expect(roots.some((name) => /^thread \d+ \(alpha\)$/.test(name))).toBe(true);
  });

  it('keeps the profile of a worker the program terminates, to its end, and the program ends as under node', async () => {
    const plain = await run(bin, [TERMINATED]);
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--threads', '--profile', '--log', log, TERMINATED]);
    expect(result.code, result.stderr).toBe(plain.code);
    expect(result.stdout).toBe('terminated\n');
    const doomed = profilesOf(readLog(log)).filter((p) => p.threadName === 'doomed');
    expect(functionsOf(doomed)).toContain('spinUntilTerminated');
    // About 0.8 s of spinning at 100 Hz, all of it collected at its end (the first collection would come at 5 s).
    expect(doomed.reduce((sum, p) => sum + p.samples, 0)).toBeGreaterThan(20);
  });
});
