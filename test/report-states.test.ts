/**
 * `tripod report` counts every sample with its state: idle and blocked samples
 * with no JS frame are charged to "(idle)" / "(blocked)" in every format, and a
 * log with no sample at all is refused with advice that fits how it was recorded.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, tempDir, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const LOGS = path.join(FIXTURES, 'logs');
const canned = (name: string) => path.join(LOGS, name);

describe.each(nodes)('report counts idle samples, $label', ({ bin }) => {
  const log = canned('parent-children.ndjson');

  it('reports a parent waiting on its children as mostly idle, every sample counted', async () => {
    const result = await tripod(bin, ['report', log]);
    expect(result.code, result.stderr).toBe(0);
    const [headline, states] = result.stdout.split('\n');
    expect(headline).toMatch(/^16 samples at 10 per second from /);
    expect(states).toBe('running 12.5%, idle 87.5%, blocked 0.0%');
    expect(result.stdout).toMatch(/\n {3}87\.5% {4}87\.5% {5}14 {5}14 {2}\(idle\)\n/);
    const idleOnly = await tripod(bin, ['report', '--state', 'idle', log]);
    expect(idleOnly.stdout.split('\n').slice(0, 2)).toEqual([expect.stringMatching(/^14 samples \(of 16 in the log\) /), 'running 0.0%, idle 100.0%, blocked 0.0%']);
  });

  it('keeps the idle samples in every format', async () => {
    const dir = tempDir();
    const collapsed = await tripod(bin, ['report', '--format', 'collapsed', log]);
    expect(collapsed.stdout.split('\n').filter(Boolean).sort()).toEqual(['(anonymous) (/app/child.js:20);crunch (/app/child.js:4) 2', '(idle) 14']);

    await tripod(bin, ['report', log, '-o', path.join(dir, 'p.speedscope.json')]);
    const speedscope = JSON.parse(readFileSync(path.join(dir, 'p.speedscope.json'), 'utf8'));
    const idleFrame = speedscope.shared.frames.findIndex((f: { name: string }) => f.name === '(idle)');
    const [profile] = speedscope.profiles;
    expect(profile.weights.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1600, 6);
    expect(profile.weights[profile.samples.findIndex((s: number[]) => s.length === 1 && s[0] === idleFrame)]).toBeCloseTo(1400, 6);

    await tripod(bin, ['report', log, '-o', path.join(dir, 'p.cpuprofile')]);
    const cpuprofile = JSON.parse(readFileSync(path.join(dir, 'p.cpuprofile'), 'utf8'));
    expect(cpuprofile.samples).toHaveLength(16);
    expect(cpuprofile.nodes.find((n: any) => n.callFrame.functionName === '(idle)').hitCount).toBe(14);

    await tripod(bin, ['report', log, '-o', path.join(dir, 'p.pb.gz')]);
    const pprof = Profile.decode(gunzipSync(readFileSync(path.join(dir, 'p.pb.gz'))));
    const strings = pprof.stringTable.strings;
    expect(pprof.sample.reduce((sum, s) => sum + Number(s.value[0]), 0)).toBe(16);
    const idleFn = pprof.function.find((f) => strings[Number(f.name)] === '(idle)')!;
    const idleSample = pprof.sample.find((s) => s.locationId.length === 1 && Number(s.locationId[0]) === Number(idleFn.id))!;
    expect(Number(idleSample.value[0])).toBe(14);

    await tripod(bin, ['report', log, '-o', path.join(dir, 'p.svg')]);
    expect(readFileSync(path.join(dir, 'p.svg'), 'utf8')).toContain('<title>(idle)\n14 samples (87.50%), 14 on top');
  });

  it('refuses a log with no sample in one line that fits how it was recorded', async () => {
    const cases: Array<[string, string]> = [
      ['ended-before-sample.ndjson', 'holds no sample: the run ended before its first sample (one every 5 s); sample more often with a shorter --interval, e.g. --interval 0.5, or add --profile for 100 stacks a second'],
      ['watchdog-no-stall.ndjson', 'holds no sample: no stall over 200 ms happened, and --interval 0 took no periodic samples; add --profile, or sample with --interval S, or lower --watchdog'],
      ['dump.ndjson', 'holds no sample, only tripod dump output (one moment, not a recording); read it with tripod show, or record the process over time with tripod record PID'],
    ];
    for (const [name, why] of cases) {
      const result = await tripod(bin, ['report', canned(name)]);
      expect(result.code, name).toBe(1);
      expect(result.stderr).toBe(`tripod report: ${canned(name)} ${why}\n`);
      expect(result.stderr).not.toContain('record some with --profile');
    }
  });
});

describe.each(nodes)('report on a recorded idle main thread, $label', ({ bin }) => {
  let log: string;
  beforeAll(async () => {
    log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.1', '--log', log, path.join(FIXTURES, 'idle-main.js')]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('counts every sample with its state, as the log says', async () => {
    const samples = readLog(log).filter((r) => r.event === 'sample');
    const idle = samples.filter((s) => s.state === 'idle').length;
    expect(idle).toBeGreaterThan(samples.length / 2);
    const result = await tripod(bin, ['report', log]);
    expect(result.code, result.stderr).toBe(0);
    const [headline, states] = result.stdout.split('\n');
    expect(headline).toMatch(new RegExp(`^${samples.length} samples at 10 per second`));
    expect(states).toContain(`idle ${((100 * idle) / samples.length).toFixed(1)}%`);
    expect(result.stdout).toMatch(new RegExp(`\\s${idle}\\s+${idle}\\s+\\(idle\\)\\n`));
  });
});
