import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, SAMPLES, readLog, tempDir, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');

describe.each(nodes)('tripod show, $label', ({ bin }) => {
  let log: string;
  beforeAll(async () => {
    log = tempLog();
    await tripod(bin, ['-q', '--interval', '0.3', '--log', log, path.join(SAMPLES, 'secrets.js')]);
  });

  it('renders the stack, then the full backtrace with arguments and locals', async () => {
    const result = await tripod(bin, ['show', '--no-color', log]);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/INFO: tripod \S+ started .*secrets\.js/);
    expect(out).toMatch(/sample #1 running, main thread stopped \d+\.\d ms\n {4}at login \(.*secrets\.js:\d+:\d+\)/);
    expect(out).toContain('Full backtrace with local variables:');
    expect(out).toContain("Arguments: login(user='ada', password='[redacted]', apiKey='[redacted]')");
    expect(out).toMatch(/Local variables:\n\n\s+\{\n\s+session: \{/);
    expect(out).toContain("Authorization: '[redacted]'");
    expect(out).toMatch(/ended \(exit code 0\), \d+ samples/);
  });

  it('reads grep\'s output on stdin, with or without file-name prefixes', async () => {
    const matches = execFileSync('grep', ['login', log], { encoding: 'utf8' });
    const result = await tripod(bin, ['show', '--no-color'], { input: matches });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('at login (');
    expect(result.stdout).not.toContain('started');
    const prefixed = execFileSync('grep', ['-H', 'login', log], { encoding: 'utf8' });
    const again = await tripod(bin, ['show', '--no-color', '-'], { input: prefixed });
    expect(again.stdout).toContain('at login (');
  });

  it('refuses what is not a tripod log, and a missing file, in one line', async () => {
    const junk = path.join(tempDir(), 'junk.txt');
    writeFileSync(junk, 'hello\nworld\n');
    const notLog = await tripod(bin, ['show', junk]);
    expect(notLog.code).toBe(1);
    expect(notLog.stderr).toMatch(/^tripod: .*junk\.txt is not a tripod log .*\n$/);
    const missing = await tripod(bin, ['show', '/no/such.log']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('tripod: no such log /no/such.log; give the path tripod printed at start\n');
  });

  it('still shows the whole records of a log whose last line was cut short', async () => {
    const cut = path.join(tempDir(), 'cut.log');
    const text = execFileSync('cat', [log], { encoding: 'utf8' });
    writeFileSync(cut, text.slice(0, text.length - 40));
    const result = await tripod(bin, ['show', '--no-color', cut]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('at login (');
    expect(result.stderr).toBe('tripod: skipped 1 lines that were not tripod records\n');
  });
});

const LOGS = path.join(FIXTURES, 'logs');
const MIX = path.join(FIXTURES, 'profile-mix.js');

/** The headlines of show's records (the line after each timestamp), in order. */
function headlines(out: string): string[] {
  return [...out.matchAll(/^\[[\d-]+ [\d:.]+\] \w+: (.*)$/gm)].map((m) => m[1]);
}

describe.each(nodes)('tripod show filters, $label', ({ bin }) => {
  let log: string;
  beforeAll(async () => {
    log = tempLog();
    // A pause asked for just as the hot loop ends fires only when JS next runs, 500 ms on, unless --timeout gives
    // it up sooner: then the idle spell still has its idle samples.
    const result = await tripod(bin, ['-q', '--interval', '0.1', '--timeout', '0.2', '--watchdog', '300', '--log', log, MIX]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('picks record kinds with --event, and states with --state, as report does', async () => {
    const records = readLog(log);
    const ends = await tripod(bin, ['show', '--no-color', '--event', 'start,end', log]);
    expect(ends.code, ends.stderr).toBe(0);
    expect(headlines(ends.stdout)).toEqual([expect.stringMatching(/^tripod \S+ started .*profile-mix\.js/), expect.stringMatching(/^ended \(exit code 0\), \d+ samples$/)]);
    const stalls = await tripod(bin, ['show', '--no-color', '--event', 'stall,stall-end', log]);
    const stallCount = records.filter((r) => r.event === 'stall' || r.event === 'stall-end').length;
    expect(stallCount).toBeGreaterThan(0);
    expect(headlines(stalls.stdout)).toHaveLength(stallCount);
    expect(headlines(stalls.stdout).every((h) => h.startsWith('stall #'))).toBe(true);

    const waiting = await tripod(bin, ['show', '--no-color', '--state', 'idle,blocked', '--event', 'sample', log]);
    const waitingSamples = records.filter((r) => r.event === 'sample' && (r.state === 'idle' || r.state === 'blocked'));
    expect(waitingSamples.length).toBeGreaterThan(0);
    expect(waitingSamples.length).toBeLessThan(records.filter((r) => r.event === 'sample').length);
    expect(headlines(waiting.stdout)).toEqual(waitingSamples.map((s) => expect.stringMatching(new RegExp(`^sample #${s.seq} ${s.state}`))));

    const bad = await tripod(bin, ['show', '--event', 'samples', log]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('tripod show: --event="samples" is not a record event; use start, sample, stall, stall-end, crash, profile, end, dump, control, slow or slow-end (or a comma list)\n');
  });

  it('matches frames with --grep and times with --since/--until', async () => {
    const records = readLog(log);
    const hot = records.filter((r) => (r.event === 'sample' || r.event === 'stall') && r.frames.some((f: { function: string }) => f.function === 'hotLoop'));
    expect(hot.length).toBeGreaterThan(0);
    const grepped = await tripod(bin, ['show', '--no-color', '--grep', '^hotLoop ', log]);
    expect(grepped.code, grepped.stderr).toBe(0);
    expect(headlines(grepped.stdout)).toHaveLength(hot.length);
    expect(grepped.stdout).not.toContain('started');

    const samples = records.filter((r) => r.event === 'sample');
    const middle = samples[Math.floor(samples.length / 2)].capturedAt;
    const late = await tripod(bin, ['show', '--no-color', '--event', 'sample', '--since', String(middle), log]);
    expect(headlines(late.stdout)).toHaveLength(samples.filter((s) => s.capturedAt >= middle).length);
    const early = await tripod(bin, ['show', '--no-color', '--event', 'sample', '--until', String(middle), log]);
    expect(headlines(early.stdout)).toHaveLength(samples.filter((s) => s.capturedAt < middle).length);

    const none = await tripod(bin, ['show', '--since', '1h', log]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`tripod show: none of the ${records.length} records in ${log} match --since/--until/--state/--grep/--event; widen them\n`);
    const badTime = await tripod(bin, ['show', '--until', 'later', log]);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/^tripod show: --until="later" is not a time; /);
  });

  it('filters a canned log of several processes by state', async () => {
    const result = await tripod(bin, ['show', '--no-color', '--state', 'running', path.join(LOGS, 'parent-children.ndjson')]);
    expect(result.code, result.stderr).toBe(0);
    expect(headlines(result.stdout)).toEqual([expect.stringMatching(/^sample #1 running, main thread stopped 2\.1 ms$/), expect.stringMatching(/^sample #1 running/)]);
  });
});

describe.each(nodes)('tripod show colour and empty input, $label', ({ bin }) => {
  const log = path.join(LOGS, 'parent-children.ndjson');
  const coloured = (text: string) => /\u001b\[\d+m/.test(text);

  it('colours through a pipe when FORCE_COLOR says so, unless --no-color; FORCE_COLOR=0 and NO_COLOR keep it plain', async () => {
    expect(coloured((await tripod(bin, ['show', log], { env: { FORCE_COLOR: '1' } })).stdout)).toBe(true);
    expect(coloured((await tripod(bin, ['show', log], { env: { FORCE_COLOR: '' } })).stdout)).toBe(true);
    expect(coloured((await tripod(bin, ['show', log], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout)).toBe(true);
    expect(coloured((await tripod(bin, ['show', '--no-color', log], { env: { FORCE_COLOR: '1' } })).stdout)).toBe(false);
    expect(coloured((await tripod(bin, ['show', log], { env: { FORCE_COLOR: '0' } })).stdout)).toBe(false);
    expect(coloured((await tripod(bin, ['show', log], { env: { FORCE_COLOR: 'false' } })).stdout)).toBe(false);
    expect(coloured((await tripod(bin, ['show', '--color', log], { env: { FORCE_COLOR: '0' } })).stdout)).toBe(true);
  });

  it('refuses input with no tripod record, an empty pipe included, with exit 1', async () => {
    const empty = await tripod(bin, ['show'], { input: '' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe('tripod: standard input is not a tripod log (it is empty); give a log written by tripod\n');
    const other = await tripod(bin, ['show'], { input: '{"level":30,"time":1,"event":"request","msg":"GET /"}\n' });
    expect(other.code).toBe(1);
    expect(other.stderr).toBe('tripod: standard input is not a tripod log (1 records, none of a kind tripod writes); give a log written by tripod\n');
  });
});
