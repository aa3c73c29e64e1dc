import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, TRIPOD, finish, readLog, run, start, tempLog, tripod, waitForOutput } from './helpers/cli';

const nodes = inject('nodes');
const ARGV = path.join(FIXTURES, 'argv.js');
const ENDING = path.join(FIXTURES, 'ending.js');

describe.each(nodes)('runs the script as node would, $label', ({ bin }) => {
  it('gives CommonJS the same argv, require.main and module.id', async () => {
    const log = tempLog();
    const plain = await run(bin, [ARGV, 'a', '--b', '-c']);
    const under = await tripod(bin, ['--interval', '5', ARGV, 'a', '--b', '-c'], { env: { TRIPOD_LOG: log } });
    expect(under.code).toBe(0);
    expect(JSON.parse(under.stdout)).toEqual(JSON.parse(plain.stdout));
    expect(JSON.parse(under.stdout)).toMatchObject({ argv: [ARGV, 'a', '--b', '-c'], isMain: true, id: '.' });
  });

  it('treats everything after -- or after the script as the script\'s', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['--log', log, '--', ARGV, '--interval', 'x']);
    expect(JSON.parse(result.stdout).argv).toEqual([ARGV, '--interval', 'x']);
  });

  it('runs ES modules by extension and by package type, with import.meta.url', async () => {
    const log = tempLog();
    const esm = path.join(FIXTURES, 'esm-pkg', 'main.js');
    const result = await tripod(bin, ['--log', log, esm, 'x'], {});
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ url: pathToFileURL(esm).href, argv: [esm, 'x'] });
    const mjs = await tripod(bin, ['--log', log, 'samples/esm_script.mjs', 'q'], { env: { ESM_BUSY_MS: '10', ESM_SLEEP_MS: '10' } });
    expect(mjs.code).toBe(0);
    expect(mjs.stdout).toContain('argv=["q"]');
  });

  it('leaves stdin, stdout and stderr to the script, byte for byte', async () => {
    const log = tempLog();
    const input = 'line one\nünïcödé\n\u0000binary\n';
    const result = await tripod(bin, ['-q', '--log', log, path.join(FIXTURES, 'echo-stdin.js')], { input });
    expect(result.stdout).toBe(input);
    expect(result.stderr).toBe('stderr-marker\n');
  });

  it('announces the log on stderr, never on stdout', async () => {
    const result = await tripod(bin, ['--interval', '2', ARGV], {});
    expect(result.stderr).toMatch(/^\[tripod\] Sampling every 2\.000000 seconds\n\[tripod\] Writing output to: \S+tripod-argv-\w+\.log\n$/);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });

  it.each([
    ['exit-code', 3],
    ['process-exit', 5],
  ])('keeps the exit code (%s) and records it', async (how, code) => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--log', log, ENDING, how]);
    expect(result.code).toBe(code);
    expect(readLog(log).at(-1)).toMatchObject({ event: 'end', exitCode: code });
  });

  it.each(['throw', 'reject'])('dies of an uncaught %s as node does, and records it', async (how) => {
    const log = tempLog();
    const plain = await run(bin, [ENDING, how]);
    const result = await tripod(bin, ['-q', '--log', log, ENDING, how]);
    expect(result.code).toBe(plain.code);
    expect(result.stderr).toBe(plain.stderr);
    const end = readLog(log).at(-1)!;
    expect(end).toMatchObject({ event: 'end', exitCode: plain.code, error: { origin: how === 'throw' ? 'uncaughtException' : 'unhandledRejection' } });
  });

  it('keeps the exit code 13 and warning of an unsettled top-level await', async () => {
    const log = tempLog();
    const script = path.join(FIXTURES, 'unsettled.mjs');
    const plain = await run(bin, [script]);
    const result = await tripod(bin, ['-q', '--log', log, script]);
    expect(plain.code).toBe(13);
    expect(result.code).toBe(13);
    expect(result.stderr).toBe(plain.stderr);
    expect(readLog(log).at(-1)).toMatchObject({ event: 'end', exitCode: 13 });
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('dies by %s as node does, at once, leaving no end record', async (signal) => {
    // tripod holds no signal listener (it would keep a busy program alive): nothing is left to write the end.
    const log = tempLog();
    const child = start(bin, [TRIPOD, '-q', '--interval', '0.2', '--log', log, ENDING, 'signal-wait']);
    const done = finish(child);
    await waitForOutput(child, 'waiting');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    child.kill(signal);
    const result = await done;
    expect(result.signal).toBe(signal);
    const records = readLog(log);
    expect(records[0]).toMatchObject({ event: 'start' });
    expect(records.filter((r) => r.event === 'end')).toEqual([]);
  });

  it('lets a script that handles SIGTERM handle it', async () => {
    const log = tempLog();
    const child = start(bin, [TRIPOD, '-q', '--log', log, ENDING, 'signal-handled']);
    const done = finish(child);
    await waitForOutput(child, 'waiting');
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(7);
    expect(readLog(log).at(-1)).toMatchObject({ event: 'end', exitCode: 7 });
  });
});
