/**
 * Issue 10, "the program is not slowed or changed": signals end a busy program as
 * under node, thrown values of any kind end it as under node, and its stdio keeps
 * its file status flags. Each case runs the same fixture under plain node and
 * under tripod and compares.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, TRIPOD, type Finished, finish, readLog, run, start, tempLog, tripod, waitForOutput } from './helpers/cli';

const nodes = inject('nodes');
const BUSY = path.join(FIXTURES, 'process-busy.js');
const THROWS = path.join(FIXTURES, 'process-throws.js');
const FDFLAGS = path.join(FIXTURES, 'process-fdflags.js');
const BULK = path.join(FIXTURES, 'process-bulk-stdout.js');
const WRAPPED_KILL = path.join(FIXTURES, 'process-wrapped-kill.js');

/** Far below the 30 s the busy fixture computes for, far above any prompt death on a loaded machine. */
const PROMPT_MS = 10_000;

/** Starts `args` under `bin`, sends `signal` once it printed `ready`, and times the death from there. */
async function signalled(bin: string, args: string[], ready: string, signal: NodeJS.Signals, env: Record<string, string> = {}): Promise<Finished & { afterMs: number }> {
  const child = start(bin, args, { env });
  const done = finish(child, { killAfterMs: 60_000 });
  await waitForOutput(child, ready, 30_000);
  const sent = Date.now();
  child.kill(signal);
  const result = await done;
  return { ...result, afterMs: Date.now() - sent };
}

describe.each(nodes)('signals end the program as under node, $label', ({ bin }) => {
  const modes: Array<[string, string[]]> = [
    ['sampling', []],
    ['--watchdog', ['--watchdog', '200']],
    ['--profile', ['--profile']],
    ['--crash', ['--crash']],
  ];
  const cases = modes.flatMap(([label, flags]) => (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, label, flags] as const));

  it.each(cases)('a busy program dies by %s at once (%s)', async (signal, _label, flags) => {
    const plain = await signalled(bin, [BUSY], 'busy', signal);
    const log = tempLog();
    const under = await signalled(bin, [TRIPOD, '-q', '--interval', '0.5', '--log', log, ...flags, BUSY], 'busy', signal);
    expect(plain.signal).toBe(signal);
    expect(under.signal).toBe(plain.signal);
    expect(under.code).toBe(plain.code);
    expect(under.afterMs).toBeLessThan(PROMPT_MS);
    expect(under.stdout).toBe(plain.stdout);
  });

  it('leaves a program with its own SIGTERM listener to decide, and records the end it chose', async () => {
    const env = { HANDLE: 'SIGTERM', BUSY_SECONDS: '2' };
    const plain = await signalled(bin, [BUSY], 'busy', 'SIGTERM', env);
    const log = tempLog();
    const under = await signalled(bin, [TRIPOD, '-q', '--log', log, BUSY], 'busy', 'SIGTERM', env);
    expect(plain.code).toBe(7);
    expect(under.code).toBe(plain.code);
    expect(under.stdout).toBe(plain.stdout);
    expect(readLog(log).at(-1)).toMatchObject({ event: 'end', exitCode: 7 });
  });

  it('kills a program that replaced process.kill, _kill, emit and reallyExit by SIGTERM', async () => {
    const plain = await signalled(bin, [WRAPPED_KILL], 'ready', 'SIGTERM');
    const under = await signalled(bin, [TRIPOD, '-q', '--log', tempLog(), WRAPPED_KILL], 'ready', 'SIGTERM');
    expect(plain.signal).toBe('SIGTERM');
    expect(under.signal).toBe('SIGTERM');
    expect(under.stdout).toBe('ready\n');
    expect(under.afterMs).toBeLessThan(PROMPT_MS);
  });
});

describe.each(nodes)('unusual thrown values end the program as under node, $label', ({ bin }) => {
  it.each([
    ['null-proto', 'Object'],
    ['revoked-proxy', 'Proxy'],
    ['throwing-tostring', 'Object'],
    ['trap-proxy', 'Proxy'],
    ['getter-error', 'Error'],
  ])('throw of a %s value: same stderr, exit code and exit listeners; an end record that names it %s', async (how, name) => {
    const plain = await run(bin, [THROWS, how]);
    const log = tempLog();
    const under = await tripod(bin, ['-q', '--interval', '0.5', '--log', log, THROWS, how]);
    expect(plain.code).toBe(1);
    expect(under.code).toBe(plain.code);
    expect(under.stderr).toBe(plain.stderr);
    // The fixture's exit listener reports how often its own code (getters, traps, toString) was called.
    expect(under.stdout).toBe(plain.stdout);
    expect(readLog(log).at(-1)).toMatchObject({ event: 'end', exitCode: 1, error: { origin: 'uncaughtException', name, message: '' } });
  });

  it('keeps an exception the program handled out of the end record', async () => {
    const plain = await run(bin, [THROWS, 'handled']);
    const log = tempLog();
    const under = await tripod(bin, ['-q', '--log', log, THROWS, 'handled']);
    expect(under.code).toBe(plain.code);
    expect(under.stdout).toBe(plain.stdout);
    const end = readLog(log).at(-1)!;
    expect(end).toMatchObject({ event: 'end', exitCode: 4 });
    expect(end).not.toHaveProperty('error');
  });
});

describe.each(nodes)('stdin, stdout and stderr keep their file status flags, $label', ({ bin }) => {
  /** The fixture's flags for fds 0-2 when run by `command` through sh, stdin a pipe, 2>&1 sharing stdout's pipe. */
  function flagsVia(command: string): Record<string, string> {
    const out = execFileSync('sh', ['-c', `${command} 2>&1 | cat`], { encoding: 'utf8', input: '' });
    return JSON.parse(out.split('\n').find((line) => line.startsWith('{'))!);
  }

  it.each([
    ['banner on', ''],
    ['-q', '-q'],
    ['every mode', '--watchdog 100 --crash --profile'],
  ])('as under plain node (%s)', (_label, flags) => {
    const plain = flagsVia(`${bin} ${FDFLAGS}`);
    const under = flagsVia(`${bin} ${TRIPOD} ${flags} --log ${tempLog()} ${FDFLAGS}`);
    expect(under).toEqual(plain);
  });

  it('so a program writing 13 MB with fs.writeSync(1) into a slow pipe delivers all of it', () => {
    const script = `set -o pipefail; ${bin} ${TRIPOD} --log ${tempLog()} ${BULK} 2>&1 | (sleep 1; wc -c)`;
    // pipefail: tripod's exit status fails execFileSync unless it is 0. The count includes the banner (2>&1).
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(Number(out.trim())).toBeGreaterThanOrEqual(200 * 64 * 1024);
  });
});
