import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, samplesOf, tempDir, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');

describe.each(nodes)('command line, $label', ({ bin }) => {
  it('prints help and version', async () => {
    const help = await tripod(bin, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: tripod [options] script.js');
    expect(help.stdout).toContain('TRIPOD_INTERVAL');
    const version = await tripod(bin, ['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    ['abc', /TRIPOD_INTERVAL="abc" is not a number of seconds from 0\.01 to 86400, or 0 \(no periodic samples\)/],
    ['-1', /TRIPOD_INTERVAL="-1" is not a number of seconds/],
    ['', null],
    ['0', /an interval of 0 turns periodic sampling off/],
  ])('rejects TRIPOD_INTERVAL=%j in one line', async (value, message) => {
    const log = tempLog();
    const result = await tripod(bin, [path.join(FIXTURES, 'argv.js')], { env: { TRIPOD_INTERVAL: value, TRIPOD_LOG: log } });
    if (message === null) {
      expect(result.code).toBe(0);
      return;
    }
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('rejects a bad flag value and an unknown option, naming them', async () => {
    const bad = await tripod(bin, ['--interval', 'soon', path.join(FIXTURES, 'argv.js')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--interval="soon" is not a number of seconds/);
    const unknown = await tripod(bin, ['--frobnicate', path.join(FIXTURES, 'argv.js')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--frobnicate'.*tripod --help/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const depth = await tripod(bin, ['--depth', '99', path.join(FIXTURES, 'argv.js')]);
    expect(depth.stderr).toMatch(/--depth="99" is not a whole number from 0 to 10/);
    const budget = await tripod(bin, [path.join(FIXTURES, 'argv.js')], { env: { TRIPOD_LOCALS_BUDGET: '0' } });
    expect(budget.code).toBe(2);
    expect(budget.stderr).toMatch(/^tripod: TRIPOD_LOCALS_BUDGET="0" is not a percentage from 0.01 to 100; use e.g. 1\n$/);
  });

  it('exits 127 for a missing script, like a shell', async () => {
    const result = await tripod(bin, ['./no/such/script.js']);
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/^tripod: cannot find the script \.\/no\/such\/script\.js .*check the path\n$/);
  });

  it('lets the sampler it already started go when the script is missing, leaving no log', async () => {
    // The sampler worker starts before the script is looked for; every option that makes it arm is on.
    const tmp = tempDir();
    const result = await tripod(bin, ['--watchdog', '200', '--crash', '--profile', './no/such/script.js'], { env: { TMPDIR: tmp } });
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/^tripod: cannot find the script \.\/no\/such\/script\.js .*check the path\n$/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('says so when no script is given', async () => {
    const result = await tripod(bin, []);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no script given/);
  });

  it('refuses a log path it cannot write, before running the script', async () => {
    const dir = tempDir();
    const locked = path.join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const target = path.join(dir, 'target.js');
    writeFileSync(target, `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'ran'))}, 'yes')`);
    const result = await tripod(bin, ['--log', path.join(dir, 'missing-dir', 'x.log'), target]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot write the log .*missing-dir\/x\.log \(ENOENT\); choose a writable path with --log or TRIPOD_LOG/);
    expect(existsSync(path.join(dir, 'ran'))).toBe(false);
  });

  it('says a sample timed out, not that a thread running JS entered a native call, when --timeout is too short', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--timeout', '0.001', '--interval', '0.05', '--log', log, path.join(FIXTURES, 'process-busy.js')], { env: { BUSY_SECONDS: '1.5' } });
    expect(result.code).toBe(0);
    const samples = samplesOf(readLog(log));
    // A probe that missed 1 ms while the loop ran JS is no native call either: the thread was in user space.
    expect(samples.filter((sample) => sample.state === 'blocked')).toEqual([]);
    const reasons = samples.map((sample) => sample.localsSkipped).filter(Boolean);
    // Switching the debugger on takes longer than 1 ms, so the pause misses the timeout while the loop runs JS.
    expect(reasons.some((reason) => /^the sample timed out \(--timeout 0\.001 s\) before the main thread answered; it was running JavaScript/.test(reason))).toBe(true);
    expect(reasons.filter((reason) => /native call/.test(reason) && !/not in a native call/.test(reason))).toEqual([]);
  });

  it('shows a stack trace for its own errors only with --debug', async () => {
    const plain = await tripod(bin, ['--interval', 'x', 'a.js']);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await tripod(bin, ['--debug', '--interval', 'x', 'a.js']);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
