/**
 * tripod monitor's eval and exec stopped while they run: Ctrl-C through a real
 * pseudo-terminal, and the --eval-timeout deadline, which holds in the target even
 * when tripod is killed mid-eval. The target must go on as if nothing happened: its
 * timer, its async chain and its HTTP server, no uncaughtException or rejection it
 * sees, none of its replaced scheduling functions called, no global left, exit code 0.
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, ROOT, run, start, TRIPOD, tripod } from './helpers/cli';
import { eventually, startTarget, stopAllTargets, type Target } from './helpers/target';

const nodes = inject('nodes');
const AGENT = path.join(ROOT, 'dist', 'attach', 'agent.js');
const PTY = path.join(ROOT, 'test', 'helpers', 'pty-drive.py');
const TARGET = path.join(FIXTURES, 'monitor-eval-target.js');

afterEach(() => stopAllTargets());

interface Seen {
  ticks: number;
  chained: number;
  uncaught: number;
  rejections: number;
  scheduling: number;
  left: string[];
}

async function report(target: Target): Promise<Seen> {
  const before = target.stdout().length;
  target.child.stdin!.write('report\n');
  let found: RegExpExecArray | null = null;
  await eventually(() => (found = /report (\{.*\})\n/.exec(target.stdout().slice(before))) !== null, 10_000, 20);
  if (!found) throw new Error(`no report from the target; stderr: ${target.stderr()}`);
  return JSON.parse(found[1]);
}

function answers(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The target is as it was: it ticks, chains, serves, saw nothing, kept its globals, and exits 0 through its exit handler. */
async function wentOn(target: Target, port: number): Promise<void> {
  const first = await report(target);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const later = await report(target);
  expect(later.ticks).toBeGreaterThan(first.ticks);
  expect(later.chained).toBeGreaterThan(first.chained);
  expect(later).toMatchObject({ uncaught: 0, rejections: 0, scheduling: 0, left: [] });
  expect(await answers(port)).toBe('ok\n');
  target.child.stdin!.write('exit\n');
  expect((await target.exited).code).toBe(0);
  expect(target.stdout()).toMatch(/exit handler ran ticks=\d+/);
  expect(target.stderr()).toBe('');
}

async function agentTarget(bin: string, env: Record<string, string> = {}): Promise<{ target: Target; port: number }> {
  const target = startTarget(bin, ['--require', AGENT, TARGET], env);
  const [, , port] = await target.waitFor(/ready (\d+) (\d+)/);
  return { target, port: Number(port) };
}

describe.each(nodes)('tripod monitor stops a running eval, $label', ({ bin }) => {
  // Retried: once a pty step's answer may not come within its 15 s on a machine at a load of 15.
  it('Ctrl-C cancels a busy eval or exec and the program goes on; a pending promise is only given up', { retry: 1 }, async () => {
    const { target, port } = await agentTarget(bin);
    const state = mkdtempSync(path.join(tmpdir(), 'tripod-state-'));
    const steps = [
      { expect: 'tripod> ' },
      { send: 'eval while (true) {}\r' },
      { sleep: 1 },
      { send: '\u0003' },
      { expect: 'eval: cancelled \\(Ctrl-C\\) after \\d+\\.\\d s; the program goes on' },
      { expect: 'tripod> ' },
      { send: 'eval 1 + 1\r' },
      { expect: '2' },
      { expect: 'tripod> ' },
      { send: 'exec for (;;) globalThis.__tripodTestSpin = 1\r' },
      { sleep: 0.5 },
      { send: '\u0003' },
      { expect: 'exec: cancelled \\(Ctrl-C\\)' },
      { expect: 'tripod> ' },
      { send: 'exec delete globalThis.__tripodTestSpin\r' },
      { expect: 'tripod> ' },
      { send: 'eval new Promise(() => {})\r' },
      { sleep: 0.3 },
      { send: '\u0003' },
      { expect: 'eval: given up \\(Ctrl-C\\); its code was not running \\(it waits for a promise\\): nothing was stopped' },
      { expect: 'tripod> ' },
      { send: 'eval 6 * 7\r' },
      { expect: '42' },
      { expect: 'tripod> ' },
      { send: 'quit\r' },
    ];
    // --eval-timeout far away: only Ctrl-C can have stopped the loops.
    const result = await run('python3', [PTY, JSON.stringify(steps), '--', bin, TRIPOD, 'monitor', '--eval-timeout', '60', String(target.pid)], {
      env: { XDG_STATE_HOME: state, TERM: 'xterm', NO_COLOR: '1' },
      killAfterMs: 60_000,
    });
    // Every step seen (else 3); 1: the cancelled commands failed.
    expect(result.code, result.stdout).toBe(1);
    await wentOn(target, port);
  });

  // Retried as the test above.
  it('leaves a program busy in its own code alone: Ctrl-C stops only the eval\'s own frame', { retry: 1 }, async () => {
    const { target, port } = await agentTarget(bin, { BUSY_MS: '30' });
    const state = mkdtempSync(path.join(tmpdir(), 'tripod-state-'));
    const steps = [
      { expect: 'tripod> ' },
      { send: 'eval new Promise(() => {})\r' },
      { sleep: 0.5 },
      { send: '\u0003' },
      { expect: 'eval: given up \\(Ctrl-C\\); its code was not running', timeout: 20 },
      { expect: 'tripod> ' },
      { send: 'eval for (;;) {}\r' },
      { sleep: 0.5 },
      { send: '\u0003' },
      { expect: 'eval: cancelled \\(Ctrl-C\\)', timeout: 20 },
      { expect: 'tripod> ' },
      { send: 'quit\r' },
    ];
    const result = await run('python3', [PTY, JSON.stringify(steps), '--', bin, TRIPOD, 'monitor', '--eval-timeout', '60', '--timeout', '5', String(target.pid)], {
      env: { XDG_STATE_HOME: state, TERM: 'xterm', NO_COLOR: '1' },
      killAfterMs: 60_000,
    });
    expect(result.code, result.stdout).toBe(1);
    await wentOn(target, port);
  });

  it('keeps results as they were, and stops an eval at --eval-timeout inside the target even when tripod is killed mid-eval', async () => {
    const { target, port } = await agentTarget(bin);
    const said = await tripod(bin, ['monitor', '--eval-timeout', '0.5', String(target.pid), '-e', 'eval 1 + 1', '-e', 'exec var q = 3; q + 1', '-e', 'eval Promise.resolve(6)', '-e', 'eval (() => { throw new TypeError("boom") })()', '-e', 'eval while (true) {}', '-e', 'eval "after"']);
    expect(said.code).toBe(1);
    expect(said.stdout).toBe("2\n4\n6\n'after'\n");
    expect(said.stderr).toContain('eval: TypeError: boom');
    expect(said.stderr).toContain('eval: stopped after 0.5 s (--eval-timeout); the program goes on');
    const console = start(bin, [TRIPOD, 'monitor', '--eval-timeout', '1', String(target.pid)]);
    let out = '';
    console.stdout!.on('data', (chunk) => (out += chunk));
    console.stdin!.write('eval 1 + 2\n');
    expect(await eventually(() => out.includes('3\n'), 15_000, 20)).toBe(true);
    console.stdin!.write('eval while (true) {}\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    console.kill('SIGKILL');
    // The target's own watchdog ends the loop at 1 s; the report comes once it did.
    await wentOn(target, port);
  });
});
