import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { Progress } from '../src/report/progress';
import { ensureChromium, screenshot } from './helpers/chromium';
import { FIXTURES, readLog, tempDir, tempLog, tripod } from './helpers/cli';
import { decodePng } from './helpers/png';

const nodes = inject('nodes');
const MIX = path.join(FIXTURES, 'profile-mix.js');

/** The table's rows: function label -> [self %, total %, self, total]. */
function tableRows(text: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const m = /^\s+([\d.]+)%\s+([\d.]+)%\s+(\d+)\s+(\d+)\s+(.+)$/.exec(line);
    if (m) rows.set(m[5], [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]);
  }
  return rows;
}

function profileSamples(log: string): number {
  return readLog(log)
    .filter((r) => r.event === 'profile')
    .reduce((sum, r) => sum + r.samples, 0);
}

describe.each(nodes)('tripod report, $label', ({ bin }) => {
  let log: string;
  let total: number;
  beforeAll(async () => {
    log = tempLog();
    const result = await tripod(bin, ['-q', '--profile', '--rate', '200', '--interval', '0.4', '--log', log, MIX]);
    expect(result.code, result.stderr).toBe(0);
    total = profileSamples(log);
  });

  it('prints the hottest functions with self and total shares, counts and file:line', async () => {
    const result = await tripod(bin, ['report', log]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const [headline, states] = result.stdout.split('\n');
    // Periodic samples of a profiled run are not counted again.
    expect(headline).toMatch(new RegExp(`^${total.toLocaleString('en-US')} samples at 200 per second from \\d{4}-\\d\\d-\\d\\d [\\d:.]+ to `));
    expect(states).toMatch(/^running [\d.]+%, idle [\d.]+%, blocked [\d.]+%$/);
    const rows = tableRows(result.stdout);
    const hot = rows.get(`hotLoop (${MIX}:4)`)!;
    expect(hot).toBeDefined();
    expect(hot[2]).toBeGreaterThan(20);
    expect(hot[3]).toBeGreaterThanOrEqual(hot[2]);
    const blocking = rows.get(`blockInNative (${MIX}:11)`)!;
    expect(blocking[2]).toBe(0);
    expect(blocking[3]).toBeGreaterThan(10);
    expect(rows.get('(idle)')![2]).toBeGreaterThan(10);
    const selfSum = [...rows.values()].reduce((sum, r) => sum + r[2], 0);
    expect(selfSum).toBe(total);
    expect([...rows.values()][0][2]).toBe(Math.max(...[...rows.values()].map((r) => r[2])));
  });

  it('filters by state, by a regular expression on frames, and by time', async () => {
    const blocked = await tripod(bin, ['report', '--state', 'blocked', log]);
    expect(blocked.code, blocked.stderr).toBe(0);
    expect(blocked.stdout.split('\n')[1]).toBe('running 0.0%, idle 0.0%, blocked 100.0%');
    // Most: each sample takes the state of the nearest /proc reading (20 a second, later when the machine is
    // loaded), so the hotLoop samples just after the 500 ms call may count as blocked too (87% seen under load).
    expect(tableRows(blocked.stdout).get(`blockInNative (${MIX}:11)`)![1]).toBeGreaterThanOrEqual(75);

    const grepped = await tripod(bin, ['report', '--grep', 'block.nNative', log]);
    const rows = tableRows(grepped.stdout);
    expect(rows.get(`blockInNative (${MIX}:11)`)![1]).toBe(100);
    expect(rows.has('(idle)')).toBe(false);
    expect(rows.has(`hotLoop (${MIX}:4)`)).toBe(false);

    const late = await tripod(bin, ['report', '--since', '1h', log]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^tripod report: none of the \d+ samples in .* match --since\/--until\/--state\/--grep; widen them\n$/);
    // Records are per second: a bound at the first blocked record's start splits the log there.
    const split = readLog(log).find((r) => r.event === 'profile' && r.frames.some((f: string[]) => f[0] === 'blockInNative'))!.from;
    const before = tableRows((await tripod(bin, ['report', '--until', String(Math.floor(split)), log])).stdout);
    expect(before.has(`hotLoop (${MIX}:4)`)).toBe(true);
    expect(before.has(`blockInNative (${MIX}:11)`)).toBe(false);
    const after = tableRows((await tripod(bin, ['report', '--since', String(Math.floor(split)), log])).stdout);
    expect(after.has(`blockInNative (${MIX}:11)`)).toBe(true);
    const all = await tripod(bin, ['report', '--since', '0s', log]);
    expect(all.stdout.split('\n')[0]).toMatch(new RegExp(`^${total.toLocaleString('en-US')} samples`));
    const inRange = await tripod(bin, ['report', '--since', String(Date.now() - 3_600_000), '--until', new Date(Date.now() + 60_000).toISOString(), log]);
    expect(inRange.stdout.split('\n')[0]).toMatch(new RegExp(`^${total.toLocaleString('en-US')} samples`));

    const badState = await tripod(bin, ['report', '--state', 'sleeping', log]);
    expect(badState.code).toBe(2);
    expect(badState.stderr).toBe('tripod report: --state="sleeping" is not a state; use running, idle or blocked (or a comma list)\n');
  });

  it('writes a .cpuprofile that DevTools and VS Code open', async () => {
    const out = path.join(tempDir(), 'run.cpuprofile');
    const result = await tripod(bin, ['report', log, '-o', out]);
    expect(result.code, result.stderr).toBe(0);
    const profile = JSON.parse(readFileSync(out, 'utf8'));
    expect(profile.nodes[0]).toMatchObject({ id: 1, callFrame: { functionName: '(root)' } });
    const ids = new Set(profile.nodes.map((n: any) => n.id));
    for (const node of profile.nodes) {
      expect(node.callFrame).toMatchObject({ functionName: expect.any(String), scriptId: expect.any(String), url: expect.any(String), lineNumber: expect.any(Number), columnNumber: expect.any(Number) });
      for (const child of node.children) expect(ids.has(child)).toBe(true);
    }
    expect(profile.samples).toHaveLength(total);
    expect(profile.timeDeltas).toHaveLength(total);
    for (const id of profile.samples) expect(ids.has(id)).toBe(true);
    expect(profile.endTime - profile.startTime).toBe(total * 5000);
    const hot = profile.nodes.find((n: any) => n.callFrame.functionName === 'hotLoop');
    expect(hot.callFrame).toMatchObject({ url: `file://${MIX}`, lineNumber: 3, columnNumber: 16 });
  });

  it('writes speedscope JSON', async () => {
    const out = path.join(tempDir(), 'run.speedscope.json');
    const result = await tripod(bin, ['report', log, '-o', out]);
    expect(result.code, result.stderr).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file.$schema).toBe('https://www.speedscope.app/file-format-schema.json');
    const [profile] = file.profiles;
    expect(profile).toMatchObject({ type: 'sampled', unit: 'milliseconds', name: 'profile-mix.js', startValue: 0 });
    expect(profile.samples).toHaveLength(profile.weights.length);
    for (const stack of profile.samples) for (const frame of stack) expect(file.shared.frames[frame]).toBeDefined();
    const weight = profile.weights.reduce((a: number, b: number) => a + b, 0);
    expect(weight).toBeCloseTo(total * 5, 6);
    expect(profile.endValue).toBeCloseTo(weight, 6);
    expect(file.shared.frames).toContainEqual({ name: 'hotLoop', file: MIX, line: 4, col: 17 });
  });

  it('writes gzipped pprof', async () => {
    const out = path.join(tempDir(), 'run.pb.gz');
    const result = await tripod(bin, ['report', log, '--format', 'pprof', '-o', out]);
    expect(result.code, result.stderr).toBe(0);
    const raw = readFileSync(out);
    expect(raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const profile = Profile.decode(gunzipSync(raw));
    const strings = profile.stringTable.strings;
    expect(profile.sampleType.map((t) => [strings[Number(t.type)], strings[Number(t.unit)]])).toEqual([
      ['samples', 'count'],
      ['wall', 'nanoseconds'],
    ]);
    expect(profile.sample.reduce((sum, s) => sum + Number(s.value[0]), 0)).toBe(total);
    const hot = profile.function.find((f) => strings[Number(f.name)] === 'hotLoop')!;
    expect(strings[Number(hot.filename)]).toBe(MIX);
    const locationIds = new Set(profile.location.map((l) => Number(l.id)));
    for (const sample of profile.sample) for (const id of sample.locationId) expect(locationIds.has(Number(id))).toBe(true);
  });

  it('writes collapsed stacks for flamegraph.pl and inferno', async () => {
    const result = await tripod(bin, ['report', log, '--format', 'collapsed']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    let sum = 0;
    for (const line of lines) {
      const m = /^(.+) (\d+)$/.exec(line)!;
      expect(m).not.toBeNull();
      sum += Number(m[2]);
    }
    expect(sum).toBe(total);
    expect(lines.some((l) => new RegExp(`^.*blockInNative \\(${MIX}:11\\);.*execSync \\(node:child_process:\\d+\\).* \\d+$`).test(l))).toBe(true);
  });

  it('reads grep\'s output on stdin, and logs without --profile', async () => {
    const matches = execFileSync('grep', ['blockInNative', log], { encoding: 'utf8' });
    const piped = await tripod(bin, ['report', '-'], { input: matches });
    expect(piped.code, piped.stderr).toBe(0);
    expect(tableRows(piped.stdout).get(`blockInNative (${MIX}:11)`)![3]).toBeGreaterThan(0);

    const periodic = tempLog();
    await tripod(bin, ['-q', '--interval', '0.1', '--log', periodic, MIX], { env: { HOT_MS: '1200' } });
    // Every sample counts, idle and blocked ones with no JS frame too (charged to "(idle)", "(blocked)").
    const samples = readLog(periodic).filter((r) => r.event === 'sample').length;
    const result = await tripod(bin, ['report', periodic]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(new RegExp(`^${samples} samples at 10 per second`));
    // Sample frames carry the line that ran, not the function's first line.
    expect([...tableRows(result.stdout).keys()].some((k) => new RegExp(`^hotLoop \\(${MIX}:[5-7]\\)$`).test(k))).toBe(true);
  });

  it('refuses what is not a tripod log and unknown formats in one line; reports all of a log cut short', async () => {
    const junk = path.join(tempDir(), 'junk.txt');
    writeFileSync(junk, 'hello\nworld\n');
    const notLog = await tripod(bin, ['report', junk]);
    expect(notLog.code).toBe(1);
    expect(notLog.stderr).toBe(`tripod: ${junk} is not a tripod log (no record in 2 lines); give a log written by tripod\n`);
    const missing = await tripod(bin, ['report', '/no/such.log']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('tripod: no such log /no/such.log; give the path tripod printed at start\n');
    const format = await tripod(bin, ['report', '--format', 'html', log]);
    expect(format.code).toBe(2);
    expect(format.stderr).toBe('tripod report: --format="html" is not a format; use one of table, svg, speedscope, cpuprofile, pprof, collapsed\n');

    const text = readFileSync(log, 'utf8');
    const lastProfile = text.lastIndexOf('{"level":30', text.lastIndexOf('"event":"profile"'));
    const cut = path.join(tempDir(), 'cut.log');
    writeFileSync(cut, text.slice(0, lastProfile + 200));
    const whole = readLog(log).filter((r) => r.event === 'profile');
    const kept = whole.slice(0, -1).reduce((sum, r) => sum + r.samples, 0);
    const result = await tripod(bin, ['report', cut]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toMatch(new RegExp(`^${kept.toLocaleString('en-US')} samples`));
    expect(result.stderr).toMatch(/^tripod: skipped 1 lines that were not whole tripod records \(a log cut short\?\); the report covers the other \d+\n$/);
  });
});

describe('the SVG flame graph', () => {
  const [{ bin }] = nodes;
  let svg: string;
  let file: string;
  beforeAll(async () => {
    const log = tempLog();
    await tripod(bin, ['-q', '--profile', '--rate', '200', '--interval', '0', '--log', log, MIX]);
    file = path.join(tempDir(), 'flame.svg');
    const result = await tripod(bin, ['report', log, '-o', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^tripod: wrote svg of \d+ samples to .*flame\.svg\n$/);
    svg = readFileSync(file, 'utf8');
  });

  it('is self-contained, with a hover title per frame and a zoom script', () => {
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="1200" height="\d+"/);
    expect(svg).toMatch(new RegExp(`<title>hotLoop \\(${MIX}:4\\)\\n\\d+ samples \\([\\d.]+%\\), \\d+ on top</title>`));
    expect(svg).toContain('<script><![CDATA[');
    expect(svg).toContain('Reset zoom');
    // Nothing is fetched: the only URLs are the SVG namespace.
    expect(svg.match(/https?:\/\/[^"\s]+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('renders in headless Chromium as a picture, not a blank page', async (context) => {
    const chromium = ensureChromium();
    if (!chromium.ok) return context.skip(chromium.reason);
    const picture = decodePng(screenshot(chromium.bin, file, 1200, 400));
    const colors = new Set<number>();
    let warm = 0;
    for (let y = 0; y < picture.height; y += 2) {
      for (let x = 0; x < picture.width; x += 2) {
        const c = picture.pixel(x, y);
        colors.add(c);
        // flamegraph.pl's warm frames: strong red, little blue.
        if (c >> 16 > 200 && (c & 0xff) < 80) warm++;
      }
    }
    expect(colors.size).toBeGreaterThan(20);
    expect(warm).toBeGreaterThan(500);
  }, 900_000);
});

describe('the progress line', () => {
  function terminal(isTTY: boolean) {
    const writes: string[] = [];
    return { isTTY, writes, write: (text: string) => writes.push(text) };
  }

  it('shows on a terminal once a report has run a second, then clears itself', () => {
    let now = 0;
    const tty = terminal(true);
    const progress = new Progress(tty, 4 * 1_048_576, () => now);
    progress.update(1_048_576, 10);
    expect(tty.writes).toEqual([]);
    now = 1500;
    progress.update(2 * 1_048_576, 5000);
    expect(tty.writes).toEqual(['\rtripod report: read 2.0 MB of 4.0 MB (50%), 5,000 samples\u001b[K']);
    progress.done();
    expect(tty.writes.at(-1)).toBe('\r\u001b[K');
  });

  it('stays silent when stderr is not a terminal', () => {
    let now = 0;
    const pipe = terminal(false);
    const progress = new Progress(pipe, undefined, () => now);
    now = 5000;
    progress.update(100, 1);
    progress.done();
    expect(pipe.writes).toEqual([]);
  });
});
