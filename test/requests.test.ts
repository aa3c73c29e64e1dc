/**
 * Requests in flight, end to end: real servers (plain http, express, fastify) driven by their own script
 * under tripod, with an outbound fetch to a slow second server, keep-alive, pipelining and 10,000 aborted
 * requests; the samples' table, the running request, --slow and what the program can see of tripod.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, run, SAMPLES, tempLog, tripod } from './helpers/cli';
import { startTarget, stopAllTargets } from './helpers/target';

const nodes = inject('nodes');
const SERVER = path.join(FIXTURES, 'requests-server.js');
const FRAMEWORKS = path.join(FIXTURES, 'requests-frameworks.js');
const SLOW_MS = 900;
const PLAIN_NODE = path.join(FIXTURES, 'requests-plain-node.js');

afterEach(() => stopAllTargets());

type LogRecord = Record<string, any>;

async function traced(bin: string, args: string[], script: string, scriptArgs: string[], killAfterMs?: number) {
  const log = tempLog();
  const result = await tripod(bin, ['--interval', '0.05', ...args, '--log', log, script, ...scriptArgs], { killAfterMs });
  expect(result.code, result.stderr).toBe(0);
  const records = readLog(log) as LogRecord[];
  return { result, log, records, samples: records.filter((r) => r.event === 'sample'), slow: records.filter((r) => r.event === 'slow'), ends: records.filter((r) => r.event === 'slow-end') };
}

const major = (bin: string, label: string) => Number(/node v?(\d+)/.exec(label)?.[1] ?? bin);

describe.each(nodes)('requests in flight, $label', ({ bin, label }) => {
  const node24 = major(bin, label) >= 24;

  it('lists the requests in flight, oldest first, logs the slow one once with what it waits on, and the program sees no difference', async () => {
    const plain = await run(bin, [SERVER, 'plain']);
    expect(plain.code, plain.stderr).toBe(0);
    const { result, records, samples, slow, ends, log } = await traced(bin, ['--slow', String(SLOW_MS)], SERVER, ['plain']);
    // Transparency: headers, the server's request listeners, the response's listeners, the program's own
    // diagnostics_channel subscriber and AsyncLocalStorage stores are as under plain node.
    expect(result.stdout).toBe(plain.stdout);
    expect(result.stderr).toContain(`[tripod] Logging requests slower than ${SLOW_MS} ms\n`);
    expect(records[0].requests).toEqual({ slowMs: SLOW_MS, repeatMs: 0, running: node24 });

    // The idle sample names the oldest request: the order waiting on the upstream.
    const idle = samples.filter((s) => s.state === 'idle' && s.inFlight?.serverTotal > 0);
    expect(idle.length).toBeGreaterThan(0);
    expect(idle.some((s) => s.inFlight.server[0].path === '/orders/42?…')).toBe(true);
    const withOutbound = samples.find((s) => s.inFlight?.outbound.some((o: LogRecord) => o.path === '/inventory?…'));
    expect(withOutbound.inFlight.outbound.find((o: LogRecord) => o.path === '/inventory?…').origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Query strings are cut from what tripod lists (the program's own locals may still hold its URL).
    const listed = JSON.stringify(records.map((r) => [r.inFlight, r.request, r.slow, r.waitingOnRequests]));
    expect(listed).toContain('/orders/42?…');
    expect(listed).not.toContain('customer=7');

    // --slow: once per slow request, at the threshold, never for the fast ones (the report route takes 700 ms).
    const slowPaths = slow.map((r) => r.slow.path).sort();
    expect(slowPaths).toEqual(['/inventory?…', '/orders/42?…']);
    const order = slow.find((r) => r.slow.path === '/orders/42?…')!;
    const orderEnd = ends.find((r) => r.slow.id === order.slow.id);
    expect(orderEnd).toMatchObject({ status: 200, slow: { method: 'GET', path: '/orders/42?…' } });
    expect(orderEnd!.durationMs).toBeGreaterThanOrEqual(1400);
    for (const r of slow) {
      expect(r.repeat).toBe(0);
      // At the threshold, while still in flight (how late exactly is for BENCHMARKS.md: the machine may be loaded).
      expect(r.slow.ageMs).toBeGreaterThanOrEqual(SLOW_MS);
      expect(r.slow.ageMs).toBeLessThan(orderEnd!.durationMs);
    }

    if (node24) {
      // The running request, and the outbound request's parent: AsyncLocalStorage, on by default on Node 24.
      const running = samples.filter((s) => s.state === 'running' && s.request?.path === '/report/7');
      expect(running.length).toBeGreaterThan(0);
      expect(running[0].frames.map((f: LogRecord) => f.function)).toContain('computeReport');
      expect(order.waitingOnRequests).toEqual([expect.objectContaining({ method: 'GET', path: '/inventory?…', parent: order.slow.id })]);
    } else {
      expect(samples.some((s) => s.request)).toBe(false);
    }

    const shown = await tripod(bin, ['show', log, '--event', 'slow,slow-end']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`WARN: slow request #${order.slow.id}: GET /orders/42\\?… in flight \\d+ ms\\n    waiting on: `));
    expect(shown.stdout).toContain(`slow request #${order.slow.id} over: GET /orders/42?… took`);
    if (node24) expect(shown.stdout).toMatch(/waiting on: GET http:\/\/127\.0\.0\.1:\d+\/inventory\?… \(\d+ ms\)/);
    // The report by route: the slow order, its time in flight; flame graph stacks rooted under the route.
    const byRoute = await tripod(bin, ['report', log, '--by', 'route']);
    expect(byRoute.code, byRoute.stderr).toBe(0);
    expect(byRoute.stdout).toMatch(/^GET \/orders\/:id +\d+ +\d+ +1 +\d+\.\d +1 +\d+ ms +\d+ ms$/m);
    const folded = await tripod(bin, ['report', log, '--by', 'route', '-f', 'collapsed']);
    expect(folded.stdout).toMatch(/^\(no request running\);/m);
    if (node24) expect(folded.stdout).toMatch(/^\(GET \/report\/:id\);.*computeReport/m);
    const idleShown = await tripod(bin, ['show', log, '--state', 'idle']);
    expect(idleShown.stdout).toMatch(/sample #\d+ idle; \d+ requests? in flight, oldest GET \/orders\/42\?… \(\d+ ms\)/);
  });

  it('names the running request with --requests (promise hooks before Node 24), and keeps query strings with --keep-query', async () => {
    const { samples, records } = await traced(bin, ['--requests', '--keep-query'], SERVER, ['plain']);
    expect(records[0].requests).toEqual({ keepQuery: true, running: true });
    expect(samples.some((s) => s.state === 'running' && s.request?.path === '/report/7')).toBe(true);
    const outbound = samples.flatMap((s) => s.inFlight?.outbound ?? []).find((o: LogRecord) => o.path === '/inventory?sku=42');
    const order = samples.flatMap((s) => s.inFlight?.server ?? []).find((r: LogRecord) => r.path === '/orders/42?customer=7');
    expect(outbound?.parent).toBe(order?.id);
  });

  it('lets 10,000 aborted requests and aborted outbound ones leave the table', async () => {
    // About 5 s on a quiet machine; a loaded one takes several times that.
    const { result, samples } = await traced(bin, ['-q'], SERVER, ['aborts', '10000'], 170_000);
    expect(result.stdout).toBe('aborted 10000\n');
    const listed = samples.filter((s) => s.inFlight);
    // The table was read while it was full...
    expect(Math.max(...listed.map((s) => s.inFlight.serverTotal))).toBeGreaterThan(50);
    // ...and once the clients had gone, only the sentinel request (and its client's request) was left.
    const fullest = listed.findIndex((s) => s.inFlight.serverTotal > 50);
    const after = listed.slice(fullest).filter((s) => s.inFlight.serverTotal === 1 && s.inFlight.outboundTotal === 1);
    expect(after.length).toBeGreaterThan(0);
    expect(after.at(-1).inFlight.server).toEqual([expect.objectContaining({ path: '/sentinel' })]);
    expect(listed.at(-1).inFlight.serverTotal).toBeLessThanOrEqual(1);
    expect(JSON.stringify(listed.map((s) => s.inFlight))).not.toContain('secret=1');
  }, 180_000);

  it('calls none of the built-ins the program replaced while it tracks, samples and logs a slow request', async () => {
    const { result, slow, samples } = await traced(bin, ['-q', '--slow', '300'], SERVER, ['hostile', '700']);
    expect(result.stdout).toBe('calls from tripod: 0 \n');
    expect(slow.map((r) => r.slow.path)).toContain('/orders/1');
    expect(samples.some((s) => s.inFlight?.serverTotal > 0)).toBe(true);
  });

  it('logs a slow request again every --slow-repeat while it stays in flight, then its end once', async () => {
    const { slow, ends } = await traced(bin, ['-q', '--slow', '200', '--slow-repeat', '200'], SERVER, ['hostile', '900']);
    const order = slow.filter((r) => r.slow.path === '/orders/1');
    expect(order.length).toBeGreaterThanOrEqual(2);
    expect(order.length).toBeLessThanOrEqual(5);
    expect(order.map((r) => r.repeat)).toEqual(order.map((_, i) => i));
    expect(new Set(order.map((r) => r.slow.id)).size).toBe(1);
    expect(ends.filter((r) => r.slow.path === '/orders/1')).toEqual([expect.objectContaining({ status: 200, slow: expect.objectContaining({ id: order[0].slow.id }) })]);
  });

  it('samples/slow_requests.js: grep slow LOG | tripod show says what each slow order waits on', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--slow', '400', '--log', log, path.join(SAMPLES, 'slow_requests.js')], { env: { UPSTREAM_MS: '800', ORDERS: '2' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"order":40,"stock":3}\n{"order":41,"stock":3}\nok\nok\nok\nok\nok\n');
    const slowLines = readFileSync(log, 'utf8').split('\n').filter((line) => line.includes('"event":"slow"')).join('\n');
    const shown = await tripod(bin, ['show', '--no-color'], { input: `${slowLines}\n` });
    expect(shown.stdout).toMatch(/WARN: slow request #\d+: GET \/orders\/40\?… in flight \d+ ms\n    waiting on: /);
    expect(shown.stdout).toMatch(/WARN: slow request #\d+: GET \/orders\/41\?… in flight \d+ ms\n    waiting on: /);
    if (node24) expect(shown.stdout).toMatch(/waiting on: GET http:\/\/127\.0\.0\.1:\d+\/inventory\?… \(\d+ ms\), \d+ timers?/);
  });

  it('follows express and fastify routes, and logs each slow one with its end', async () => {
    const { result, slow, ends } = await traced(bin, ['-q', '--slow', '400'], FRAMEWORKS, ['900']);
    expect(result.stdout).toBe('{"order":"42","stock":3} ok {"item":"7","stock":3} pong\n');
    const paths = slow.map((r) => r.slow.path);
    expect(paths).toContain('/orders/42?…');
    expect(paths).toContain('/items/7');
    expect(paths).not.toContain('/health');
    expect(paths).not.toContain('/ping');
    for (const path of ['/orders/42?…', '/items/7']) {
      expect(slow.filter((r) => r.slow.path === path)).toHaveLength(1);
      expect(ends.find((r) => r.slow.path === path)).toMatchObject({ status: 200 });
    }
    if (node24) expect(slow.find((r) => r.slow.path === '/items/7')!.waitingOnRequests[0]).toMatchObject({ path: '/stock?…' });
  });

  it('finds the server requests in flight of a plain node process in its heap with tripod dump --requests PID', async () => {
    const target = startTarget(bin, [PLAIN_NODE]);
    await target.waitFor(/ready/);
    const plainDump = await tripod(bin, ['dump', '--json', String(target.pid)]);
    expect(JSON.parse(plainDump.stdout).threads[0].inFlight).toBeUndefined();
    const result = await tripod(bin, ['dump', '--json', '--requests', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    const [main] = JSON.parse(result.stdout).threads;
    expect(main.inFlight).toMatchObject({ serverTotal: 3, source: 'heap', outbound: [] });
    expect(main.inFlight.server.map((r: LogRecord) => r.path).sort()).toEqual(['/hang/0?…', '/hang/1?…', '/hang/2?…']);
    const shown = await tripod(bin, ['show', '--no-color'], { input: result.stdout });
    expect(shown.stdout).toMatch(/3 requests in flight \(found in its heap, ages unknown\), e\.g\. GET \/hang\/\d\?…/);
    // The program runs on, answered and unchanged.
    expect(target.stdout()).toBe('ready\n');
  });
});
