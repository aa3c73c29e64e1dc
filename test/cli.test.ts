import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, run, samplesOf, tempDir, tempLog, tripod } from './helpers/cli';

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

  it('runs its help for tripod help [COMMAND], and a script named help as ./help', async () => {
    const help = await tripod(bin, ['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await tripod(bin, ['--help'])).stdout);
    const record = await tripod(bin, ['help', 'record']);
    expect(record.code).toBe(0);
    expect(record.stdout).toBe((await tripod(bin, ['record', '--help'])).stdout);
    const unknown = await tripod(bin, ['help', 'shwo']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('tripod help: there is no command "shwo"; the commands are show, dump, record, report, logs, flags, monitor (tripod help COMMAND)\n');
    const dir = tempDir();
    writeFileSync(path.join(dir, 'help'), 'console.log("the script named help ran")');
    const script = await tripod(bin, ['-q', '--log', path.join(dir, 'run.log'), './help'], { cwd: dir });
    expect(script.code, script.stderr).toBe(0);
    expect(script.stdout).toBe('the script named help ran\n');
  });

  it('prints the path of its preload agent, which node --require loads', async () => {
    const printed = await tripod(bin, ['--agent-path']);
    expect(printed.code).toBe(0);
    const agent = printed.stdout.trim();
    expect(printed.stdout).toBe(`${agent}\n`);
    expect(path.isAbsolute(agent)).toBe(true);
    expect(existsSync(agent)).toBe(true);
    const loaded = await run(bin, ['--require', agent, '-e', 'console.log(typeof require.cache[process.argv[1]])', agent]);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toBe('object\n');
  });

  it('runs `tripod -- node app.js` as `tripod app.js`', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--log', log, '--', 'node', path.join(FIXTURES, 'argv.js'), 'a', '--b']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ argv: [path.join(FIXTURES, 'argv.js'), 'a', '--b'], isMain: true });
  });

  it("refuses node's own flags in one line that says to pass them in NODE_OPTIONS, which works", async () => {
    const dir = tempDir();
    const app = path.join(dir, 'app.js');
    writeFileSync(app, `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'ran'))}, 'yes'); console.log(require('v8').getHeapStatistics().heap_size_limit)`);
    const refused = await tripod(bin, ['--max-old-space-size=4096', app]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`tripod: --max-old-space-size=4096 is an option of node's, not tripod's; pass it as NODE_OPTIONS='--max-old-space-size=4096' tripod ${app}\n`);
    expect(refused.stdout).toBe('');
    expect(existsSync(path.join(dir, 'ran'))).toBe(false);
    const limit = async (env: Record<string, string>) => {
      const result = await tripod(bin, ['-q', '--log', path.join(dir, 'run.log'), app], { env });
      expect(result.code, result.stderr).toBe(0);
      return Number(result.stdout.trim());
    };
    const plainNode = Number((await run(bin, [app], { env: { NODE_OPTIONS: '--max-old-space-size=64' } })).stdout.trim());
    const small = await limit({ NODE_OPTIONS: '--max-old-space-size=64' });
    expect(small).toBe(plainNode);
    // heap_size_limit is the old space plus the young generation: above 64 MB, far below the default.
    expect(small).toBeLessThan((await limit({})) / 2);
  });

  it('refuses bad values of the logs, show and report options in one line', async () => {
    const logsHelp = await tripod(bin, ['logs', '--help']);
    expect(logsHelp.code).toBe(0);
    expect(logsHelp.stdout).toContain('usage: tripod logs [--clean DAYS]');
    const clean = await tripod(bin, ['logs', '--clean', 'old']);
    expect(clean.code).toBe(2);
    expect(clean.stderr).toBe('tripod: --clean="old" is not a number of days from 0 to 36500; use e.g. 30\n');
    const last = await tripod(bin, ['show', '--last', 'a.log']);
    expect(last.code).toBe(2);
    expect(last.stderr).toBe('tripod show: --last shows the newest tripod log in $TMPDIR, and "a.log" names a log too; give one of them\n');
    const event = await tripod(bin, ['show', '--event', 'stalls'], { input: '' });
    expect(event.code).toBe(2);
    expect(event.stderr).toMatch(/^tripod show: --event="stalls" is not a record event; use start, sample, .* or slow-end \(or a comma list\)\n$/);
    const minWidth = await tripod(bin, ['report', '--min-width', 'wide', '-o', 'x.svg']);
    expect(minWidth.code).toBe(2);
    expect(minWidth.stderr).toBe('tripod: --min-width="wide" is not a number of pixels from 0 to 1000; use e.g. 1\n');
  });

  it('colours tripod show by FORCE_COLOR, as node reads it, unless --no-color', async () => {
    const log = tempLog();
    expect((await tripod(bin, ['-q', '--log', log, path.join(FIXTURES, 'argv.js')])).code).toBe(0);
    const shown = async (args: string[], forceColor: string) => {
      const result = await tripod(bin, ['show', ...args, log], { env: { FORCE_COLOR: forceColor } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/INFO/);
      return result.stdout.includes('\x1b[');
    };
    expect(await shown([], '1')).toBe(true);
    expect(await shown([], '0')).toBe(false);
    expect(await shown(['--no-color'], '1')).toBe(false);
    expect(await shown(['--color'], '0')).toBe(true);
  });
});
