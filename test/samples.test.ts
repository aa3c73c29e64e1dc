import { execFileSync } from 'node:child_process';
import { get } from 'node:http';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { SAMPLES, TRIPOD, finish, readLog, samplesOf, start, tempLog, tripod, waitForOutput } from './helpers/cli';

const nodes = inject('nodes');

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe.each(nodes)('the samples, $label', ({ bin }) => {
  it('slow_process.js: grep handleRequest LOG | tripod show shows where it waits', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.5', '--log', log, path.join(SAMPLES, 'slow_process.js'), '--some-arg'], {
      env: { SLOW_DELAY_MS: '1200', SLOW_REQUESTS: '2' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^request 1: \d+ bytes in \d+ ms\nrequest 2: \d+ bytes in \d+ ms\n$/);
    const matches = execFileSync('grep', ['handleRequest', log], { encoding: 'utf8' });
    const shown = await tripod(bin, ['show', '--no-color'], { input: matches });
    expect(shown.stdout).toMatch(/sample #\d+ blocked in a native call/);
    expect(shown.stdout).toMatch(/at fetchPage \(.*slow_process\.js:\d+:\d+\)\n {4}at handleRequest \(/);
  });

  it('idle_server.js: idle samples say what the loop waits on; the server still answers and stops on SIGTERM', async () => {
    const log = tempLog();
    const child = start(bin, [TRIPOD, '-q', '--interval', '0.1', '--log', log, path.join(SAMPLES, 'idle_server.js')]);
    const done = finish(child);
    const banner = await waitForOutput(child, 'listening on');
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1];
    expect(JSON.parse(await fetchText(`${url}/hello`))).toEqual({ ok: true, path: '/hello' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    const records = readLog(log);
    const idle = samplesOf(records).filter((s) => s.state === 'idle');
    expect(idle.length).toBeGreaterThan(0);
    expect(idle.some((s) => s.waitingOn.includes('TCPServerWrap'))).toBe(true);
    expect(records.at(-1)).toMatchObject({ event: 'end', exitCode: 0 });
  });
});
