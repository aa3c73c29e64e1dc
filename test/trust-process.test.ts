/**
 * Issue 10, "the program is not slowed or changed": signals end a busy program as
 * under node, thrown values of any kind end it as under node, and its stdio keeps
 * its file status flags. Each case runs the same fixture under plain node and
 * under tripod and compares.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lchownSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, TRIPOD, type Finished, finish, readLog, run, start, tempDir, tempLog, tripod, waitForOutput } from './helpers/cli';
import { startTarget, stopAllTargets, waitUntilClosed } from './helpers/target';

const nodes = inject('nodes');
afterAll(stopAllTargets);
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

describe.each(nodes)('a log that cannot be written, $label', ({ bin }) => {
  const ENDING = path.join(FIXTURES, 'ending.js');

  it('is said once on stderr; the program runs on with its own output and exit code, and exits without delay', async () => {
    const plain = await run(bin, [ENDING, 'exit-code']);
    // --timeout 20: a sampler that waited for the dead log's worker would hold the exit 22 s.
    const began = Date.now();
    const under = await tripod(bin, ['--interval', '0.1', '--timeout', '20', '--watchdog', '100', '--log', '/dev/full', ENDING, 'exit-code']);
    const tookMs = Date.now() - began;
    expect(under.code).toBe(plain.code);
    expect(under.stdout).toBe(plain.stdout);
    const said = under.stderr.split('\n').filter((line) => line.startsWith('tripod:'));
    expect(said).toEqual(['tripod: cannot write the log /dev/full (ENOSPC); it stops before its first record, and the program runs on without it']);
    expect(tookMs).toBeLessThan(15_000);
  });

  it('ends tripod record in one line (exit 2), letting the target go as it was', async () => {
    const target = startTarget(bin, ['--inspect-port=0', '-e', 'setInterval(() => {}, 1000); process.stdout.write("ready\\n")']);
    try {
      await target.waitFor(/ready/);
      const result = await tripod(bin, ['record', String(target.pid), '--duration', '1', '-o', '/dev/full']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/\ntripod: cannot write the log \(ENOSPC\) after 0 records; free space or choose another log\n$/);
      expect(result.stderr).not.toMatch(/internal error/);
      const port = target.inspectorPort();
      if (port !== undefined) expect(await waitUntilClosed(port, 10_000)).toBe(true);
      expect(target.child.exitCode).toBe(null);
    } finally {
      target.stop();
    }
  });

  it('says after how many records it stopped when it fails midway (a FIFO whose reader leaves)', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'log.fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    // The reader takes the first 3000 bytes (the start record and a few samples), then closes: EPIPE.
    const reader = start('sh', ['-c', `head -c 3000 < ${fifo} > ${path.join(dir, 'got')}`]);
    const readerDone = finish(reader);
    // tripod opens a FIFO without waiting for a reader (ENXIO if none): wait until the shell is in its open.
    await waitUntilOpening(reader.pid!);
    const under = await tripod(bin, ['-q', '--interval', '0.1', '--log', fifo, path.join(FIXTURES, 'process-busy.js')], { env: { BUSY_SECONDS: '3' } });
    await readerDone;
    expect(under.code).toBe(0);
    expect(under.stdout).toMatch(/^busy\ndone after some spins\n$/);
    expect(under.stderr).toMatch(/^tripod: cannot write the log \S+log\.fifo \(EPIPE\); it stops after [1-9]\d* records \(\d+ bytes\), and the program runs on without it\n$/);
  });
});

/** Waits (up to 20 s) until process `pid` is blocked opening a FIFO that has no writer yet. */
async function waitUntilOpening(pid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (readFileSync(`/proc/${pid}/wchan`, 'utf8') === 'wait_for_partner') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(nodes)('a log path prepared by someone else, $label', ({ bin }) => {
  const ARGV = path.join(FIXTURES, 'argv.js');
  const isRoot = process.geteuid?.() === 0;

  /** Runs tripod with --log `file` on a script that would leave a mark; checks it refused before the script ran. */
  async function expectRefused(file: string, message: RegExp): Promise<void> {
    const dir = tempDir();
    const mark = path.join(dir, 'ran');
    const script = path.join(dir, 'target.js');
    writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(mark)}, 'yes')`);
    const result = await tripod(bin, ['--log', file, script]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(mark)).toBe(false);
  }

  it('refuses a file of one\'s own that others can read (0644), leaving it untouched', async () => {
    const file = path.join(tempDir(), 'open.log');
    writeFileSync(file, '', { mode: 0o644 });
    chmodSync(file, 0o644);
    await expectRefused(file, /^tripod: the log \S+open\.log can be read or written by other users \(mode 0644\).*chmod 600 it or choose another path with --log/);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('refuses a symlink, even to a file of one\'s own, and does not follow it', async () => {
    const dir = tempDir();
    const real = path.join(dir, 'real.log');
    writeFileSync(real, '', { mode: 0o600 });
    symlinkSync(real, path.join(dir, 'link.log'));
    await expectRefused(path.join(dir, 'link.log'), /^tripod: the log \S+link\.log is a symbolic link, which tripod does not follow/);
    expect(readFileSync(real, 'utf8')).toBe('');
  });

  it('refuses such a file for tripod record -o too, before touching the process', async () => {
    const file = path.join(tempDir(), 'record.log');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const sleeper = start('sleep', ['30']);
    try {
      const result = await tripod(bin, ['record', String(sleeper.pid), '--duration', '1', '-o', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^tripod: the log \S+record\.log can be read or written by other users \(mode 0644\)[^\n]*\n$/);
      expect(readFileSync(file, 'utf8')).toBe('');
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('appends to a 0600 file of one\'s own, and makes a new one 0600', async () => {
    const dir = tempDir();
    const own = path.join(dir, 'own.log');
    writeFileSync(own, '', { mode: 0o600 });
    expect((await tripod(bin, ['-q', '--log', own, ARGV])).code).toBe(0);
    expect(readLog(own)[0]).toMatchObject({ event: 'start' });
    const fresh = path.join(dir, 'fresh.log');
    expect((await tripod(bin, ['-q', '--log', fresh, ARGV])).code).toBe(0);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  describe.skipIf(!isRoot)('as root (skipped unless the suite runs as root: only root can make files of user nobody)', () => {
    /** A world-writable sticky directory, as /tmp is, where user nobody left `name`. */
    function preparedByNobody(name: string, mode: number): string {
      const dir = tempDir();
      chmodSync(dir, 0o1777);
      const file = path.join(dir, name);
      writeFileSync(file, '');
      chmodSync(file, mode);
      chownSync(file, NOBODY, NOBODY);
      return file;
    }

    it('refuses a 0666 file another user made, and writes nothing to it', async () => {
      const file = preparedByNobody('trap.log', 0o666);
      await expectRefused(file, /^tripod: the log \S+trap\.log belongs to user 65534, not to you \(uid 0\)/);
      expect(readFileSync(file, 'utf8')).toBe('');
    });

    it('refuses another user\'s symlink to their own 0666 file', async () => {
      const target = preparedByNobody('theirs.log', 0o666);
      const link = path.join(path.dirname(target), 'link.log');
      symlinkSync(target, link);
      lchownSync(link, NOBODY, NOBODY);
      await expectRefused(link, /^tripod: the log \S+link\.log is a symbolic link/);
      expect(readFileSync(target, 'utf8')).toBe('');
    });

    it('refuses it for tripod record -o too, before touching the process', async () => {
      const file = preparedByNobody('record.log', 0o666);
      const sleeper = start('sleep', ['30']);
      try {
        const result = await tripod(bin, ['record', String(sleeper.pid), '--duration', '1', '-o', file]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/^tripod: the log \S+record\.log belongs to user 65534, not to you \(uid 0\)[^\n]*\n$/);
        expect(readFileSync(file, 'utf8')).toBe('');
      } finally {
        sleeper.kill('SIGKILL');
      }
    });
  });
});

/** User nobody's uid and gid on Linux. */
const NOBODY = 65534;

describe.each(nodes)('the watchdog changes nothing the program prints, $label', ({ bin }) => {
  const NODE_TEST = path.join(FIXTURES, 'process-node-test.js');
  /** The test runner's report without its timings, which differ from run to run. */
  const withoutTimings = (text: string) => text.replace(/\(\d+(\.\d+)?ms\)/g, '').replace(/^.*duration_ms.*$/gm, '');

  it('a node:test failure prints the same stack under --watchdog as under node, run after run', async () => {
    const plain = await run(bin, [NODE_TEST]);
    expect(plain.stdout).toContain('boom');
    // --watchdog 100 beats every 10 ms, the fixture's own timer: a heartbeat in the program's timer lists
    // drained its microtasks from the timer (runNextTicks / listOnTimeout / processTimers in the stack).
    for (let i = 0; i < 4; i++) {
      const under = await tripod(bin, ['-q', '--interval', '0', '--watchdog', '100', '--log', tempLog(), NODE_TEST]);
      expect(under.code).toBe(plain.code);
      expect(withoutTimings(under.stdout)).toBe(withoutTimings(plain.stdout));
      expect(under.stderr).toBe(plain.stderr);
    }
  });
});

describe.each(nodes)('numeric options, $label', ({ bin }) => {
  const ARGV = path.join(FIXTURES, 'argv.js');

  it.each([
    [['--interval', '-1'], /^tripod: --interval="-1" is not a number of seconds from 0\.01 to 86400, or 0 \(no periodic samples\); use e\.g\. 5\n$/],
    [['--interval', '0x10'], /^tripod: --interval="0x10" is not a number of seconds/],
    [['--interval', '0b1'], /^tripod: --interval="0b1" is not a number of seconds/],
    [['--interval', '1e-9'], /^tripod: --interval="1e-9" is not a number of seconds/],
    [['--interval', '0.001'], /^tripod: --interval="0\.001" is not a number of seconds from 0\.01/],
    [['--interval', 'Infinity'], /^tripod: --interval="Infinity" is not a number of seconds/],
    [['--timeout', '1e3'], /^tripod: --timeout="1e3" is not a number of seconds from 0\.001 to 3600/],
    [['--locals-budget', '0x1'], /^tripod: --locals-budget="0x1" is not a percentage/],
    [['--depth', '-2'], /^tripod: --depth="-2" is not a whole number from 0 to 10/],
    [['--log', '-x'], /^tripod: --log needs a value, and the next word "-x" reads as an option; give the value, or write --log=-x if that is it\n$/],
  ])('refuses %j in one line, with the range, before the script runs', async (flags, message) => {
    const result = await tripod(bin, [...flags, ARGV]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('refuses them from the environment and for tripod record too', async () => {
    const env = await tripod(bin, [ARGV], { env: { TRIPOD_INTERVAL: '1e-9' } });
    expect(env.stderr).toMatch(/^tripod: TRIPOD_INTERVAL="1e-9" is not a number of seconds from 0\.01/);
    const record = await tripod(bin, ['record', '1', '--interval', '-5']);
    expect(record.code).toBe(2);
    expect(record.stderr).toMatch(/^tripod: --interval="-5" is not a number of seconds from 0\.01 to 86400; use e\.g\. 1\n$/);
    const duration = await tripod(bin, ['record', '1', '--duration', '0x5']);
    expect(duration.stderr).toMatch(/^tripod: --duration="0x5" is not a number of seconds/);
  });

  it('takes plain decimals: .5 and 0.01 (the floor) run the script', async () => {
    for (const interval of ['.5', '0.01']) {
      const result = await tripod(bin, ['-q', '--interval', interval, '--log', tempLog(), ARGV]);
      expect(result.code).toBe(0);
    }
  });
});

describe.each(nodes)('the end of a program that replaced intrinsics, $label', ({ bin }) => {
  it('is written without calling its Atomics, Int32Array, JSON.stringify, postMessage, process.kill or process.emit', async () => {
    const script = path.join(FIXTURES, 'process-replaced-intrinsics.js');
    const plain = await run(bin, [script]);
    const log = tempLog();
    const under = await tripod(bin, ['-q', '--interval', '0.1', '--log', log, script]);
    expect(under.code).toBe(plain.code);
    expect(under.stdout).toBe(plain.stdout);
    expect(readLog(log).at(-1)).toMatchObject({ event: 'end', exitCode: 0 });
  });

  it('that ends before the sampler booted: its records are written by the main thread without calling its fs.writeSync, Buffer.from, JSON.stringify, Date.now, Atomics, Reflect.apply or process.pid getter', async () => {
    const script = path.join(FIXTURES, 'process-replaced-intrinsics-at-once.js');
    const plain = await run(bin, [script]);
    expect(plain.stdout).toBe('done\n');
    const log = tempLog();
    const under = await tripod(bin, ['-q', '--log', log, script], { env: { TRIPOD_DEBUG: 'log' } });
    expect(under.code).toBe(plain.code);
    expect(under.stdout).toBe(plain.stdout);
    expect(under.stderr).toMatch(/tripod:log .*ended before the sampler worker began/);
    const records = readLog(log);
    expect(records.map((r) => r.event)).toEqual(['start', 'end']);
    expect(records[0]).toMatchObject({ level: 30, script, format: 1, msg: 'start' });
    expect(records[1].pid).toBe(records[0].pid);
    expect(records[1]).toMatchObject({ level: 30, event: 'end', exitCode: 0, samples: 0, msg: 'end' });
    expect(records[1].time).toBeGreaterThanOrEqual(records[0].time as number);
  });
});
