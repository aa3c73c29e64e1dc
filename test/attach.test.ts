import { request } from 'node:http';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, TRIPOD, tempLog, tripod } from './helpers/cli';
import { connectionRefused, listeningPorts, startTarget, stopAllTargets, tickerReport } from './helpers/target';

const nodes = inject('nodes');
const fixture = (name: string) => path.join(FIXTURES, name);
// Each target picks a free inspector port: tests of other checkouts may run beside these.
const ANY_PORT = '--inspect-port=0';

afterEach(() => stopAllTargets());

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe.each(nodes)('tripod dump, $label', ({ bin }) => {
  it('dumps a busy main thread with --locals, redacted, and leaves it running with the port closed', async () => {
    const target = startTarget(bin, [ANY_PORT, fixture('attach-busy.js')]);
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', '--locals', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Process ${target.pid}: node v\\d+`));
    expect(result.stdout).toContain('### Thread 0 "main": running, main thread stopped');
    expect(result.stdout).toMatch(/    at crunch \(.*attach-busy\.js:\d+:\d+\)/);
    expect(result.stdout).toContain("Arguments: crunch(rounds=3, label='busy')");
    expect(result.stdout).toContain("apiToken: '[redacted]'");
    expect(result.stdout).not.toContain('tok-secret-1');
    const port = target.inspectorPort();
    expect(port).toBeGreaterThan(0);
    expect(await connectionRefused(port!)).toBe(true);
    expect(listeningPorts(target.pid)).toEqual([]);
    // Still running, not paused: a second dump finds it in the same loop.
    const again = await tripod(bin, ['dump', String(target.pid)]);
    expect(again.stdout).toMatch(/at crunch/);
    expect(again.stdout).not.toContain('Full backtrace');
  });

  it('dumps an idle server, which keeps serving and keeps its timers on time', async () => {
    const target = startTarget(bin, [ANY_PORT, fixture('attach-server.js')]);
    const [, , httpPort] = await target.waitFor(/ready (\d+) (\d+)/);
    await tickerReport(target);
    // The server ticks every 20 ms: on a loaded machine a dump can land inside Node's own timer code (running,
    // node:internal frames only). It is idle nearly all the time, so one of three dumps finds it so.
    let result = await tripod(bin, ['dump', String(target.pid)]);
    for (let retry = 0; retry < 2 && /"main": running/.test(result.stdout) && !/at .*attach-server/.test(result.stdout); retry++) {
      result = await tripod(bin, ['dump', String(target.pid)]);
    }
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/### Thread 0 "main": idle \(event loop waiting on [^)]*TCPServerWrap/);
    expect(await connectionRefused(target.inspectorPort()!)).toBe(true);
    expect(listeningPorts(target.pid)).toEqual([Number(httpPort)]);
    expect(await get(Number(httpPort))).toBe('pong');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const report = await tickerReport(target);
    // Ticks every 20 ms: after 300 ms more of them, none held up for long (a generous bound for a loaded machine).
    expect(report.ticks).toBeGreaterThan(3);
    expect(report.maxLateMs).toBeLessThan(1000);
  });

  it('dumps both workers by name, and never tripod\'s own', async () => {
    // Run under tripod itself, so the process holds tripod's sampler worker too.
    const target = startTarget(bin, [ANY_PORT, TRIPOD, '-q', '--interval', '60', '--log', tempLog(), fixture('attach-workers.js')]);
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', '--locals', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('3 JavaScript threads');
    expect(result.stdout).toMatch(/### Thread \d+ "cruncher" \(file:\/\/.*attach-worker\.js\): running, thread stopped/);
    expect(result.stdout).toMatch(/at crunchInWorker \(/);
    expect(result.stdout).toContain('Arguments: crunchInWorker(limit=1000000000)');
    expect(result.stdout).toMatch(/### Thread \d+ "waiter" \([^)]*\): idle/);
    expect(result.stdout).not.toContain('tripod-sampler');
    expect(await connectionRefused(target.inspectorPort()!)).toBe(true);
  });

  it('writes one NDJSON record with --json, which tripod show renders', async () => {
    const target = startTarget(bin, [ANY_PORT, fixture('attach-workers.js')]);
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', '--json', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]);
    expect(record).toMatchObject({ event: 'dump', pid: target.pid, level: 30, attached: { pid: target.pid, via: 'signal' } });
    expect(record.threads.map((t: any) => t.threadName)).toEqual(['main', 'cruncher', 'waiter']);
    expect(record.threads[0]).toMatchObject({ threadId: 0, state: 'idle' });
    expect(record.threads[1].frames[0]).toMatchObject({ function: 'crunchInWorker' });
    const shown = await tripod(bin, ['show', '--no-color'], { input: result.stdout });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/### Thread \d+ "cruncher" \([^)]*\): running/);
  });

  it('uses an inspector the user opened, and leaves it open', async () => {
    const target = startTarget(bin, ['--inspect=127.0.0.1:0', fixture('attach-server.js')]);
    await target.waitFor(/ready/);
    const port = target.inspectorPort()!;
    // --inspect=…:0 names no port: tripod finds the open inspector among the target's own ports.
    const result = await tripod(bin, ['dump', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('reached through its open inspector');
    expect(await connectionRefused(port)).toBe(false);
  });
});
