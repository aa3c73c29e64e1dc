/**
 * --async-stacks, end to end: a real http server whose handlers await through three async functions into a
 * slow upstream (a second local server), driven by its own script under tripod; the chain each request in
 * flight is suspended in, innermost first, in the log and in `tripod show`, through express and fastify too;
 * requests that ended, or were aborted, leave nothing; replaced intrinsics are never called; without the
 * option samples are as they were.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, run, tempLog, tripod, type LogRecord } from './helpers/cli';

const nodes = inject('nodes');
const SERVER = path.join(FIXTURES, 'async-stacks-server.js');
const SERVER_URL = `file://${SERVER}`;
const UPSTREAM_MS = '1200';

/** The 1-based line of the fixture's first line holding `text`: where its await stands. */
function lineOf(text: string): number {
  const index = readFileSync(SERVER, 'utf8').split('\n').findIndex((line) => line.includes(text));
  expect(index, text).toBeGreaterThanOrEqual(0);
  return index + 1;
}

async function traced(bin: string, args: string[], scriptArgs: string[], killAfterMs?: number) {
  const log = tempLog();
  const result = await tripod(bin, ['--interval', '0.05', ...args, '--log', log, SERVER, ...scriptArgs], { killAfterMs });
  expect(result.code, result.stderr).toBe(0);
  const records = readLog(log);
  return { result, log, records, samples: records.filter((r) => r.event === 'sample') };
}

const listed = (samples: LogRecord[]): LogRecord[] => samples.flatMap((s) => s.inFlight?.server ?? []);
const names = (request: LogRecord): string[] => (request.awaiting ?? []).map((f: LogRecord) => f.function);

describe.each(nodes)('--async-stacks, $label', ({ bin }) => {
  it('lists the async functions each request in flight is suspended in, innermost first, and the program sees no difference', async () => {
    const plain = await run(bin, [SERVER, 'chain', UPSTREAM_MS]);
    expect(plain.code, plain.stderr).toBe(0);
    const { result, records, samples, log } = await traced(bin, ['--async-stacks'], ['chain', UPSTREAM_MS]);
    // Its own error stacks (with their async callers), promise hook and AsyncLocalStorage see what they see under node.
    expect(result.stdout).toBe(plain.stdout);
    expect(JSON.parse(result.stdout).stacks[0]).toContain('handleOrder');
    expect(records[0].requests).toMatchObject({ running: true, asyncStacks: true });

    const order = listed(samples).find((r) => r.path === '/orders/41' && r.awaiting);
    expect(order, 'a sample while the order waits on its upstream').toBeDefined();
    expect(names(order!).slice(0, 3)).toEqual(['fetchStock', 'loadOrder', 'handleOrder']);
    expect(order!.awaiting.slice(0, 3)).toEqual([
      { function: 'fetchStock', url: SERVER_URL, line: lineOf('await fetch('), column: expect.any(Number) },
      { function: 'loadOrder', url: SERVER_URL, line: lineOf('await fetchStock(port, id)'), column: expect.any(Number) },
      { function: 'handleOrder', url: SERVER_URL, line: lineOf('await loadOrder('), column: expect.any(Number) },
    ]);

    // Two requests in flight at once, each with its own chain.
    const both = samples.find((s) => ['/orders/41', '/users/7'].every((p) => s.inFlight?.server.some((r: LogRecord) => r.path === p && r.awaiting)));
    expect(both, 'a sample with both requests waiting').toBeDefined();
    const user = both.inFlight.server.find((r: LogRecord) => r.path === '/users/7');
    expect(names(user).slice(0, 3)).toEqual(['fetchStock', 'loadUser', 'handleUser']);
    expect(user.awaiting[1].line).toBe(lineOf('await fetchStock(port, `user-'));
    // The upstream's own requests await nothing: no chain.
    expect(listed(samples).filter((r) => r.path.startsWith('/stock/')).every((r) => r.awaiting === undefined)).toBe(true);

    // Once they ended, nothing is left: the samples of the idle end list no request.
    const lastWithOrder = samples.findLastIndex((s) => s.inFlight?.server.some((r: LogRecord) => r.path === '/orders/41'));
    expect(samples.slice(lastWithOrder + 1).some((s) => s.inFlight === undefined)).toBe(true);
    expect(samples.at(-1).inFlight).toBeUndefined();

    // tripod show prints each chain under its request; grep finds the functions in the log.
    const shown = await tripod(bin, ['show', '--no-color', log, '--event', 'sample']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(
      new RegExp(`#${order!.id} GET /orders/41 \\(\\d+ ms\\) suspended in:\\n {8}at async fetchStock \\(${SERVER}:${lineOf('await fetch(')}:\\d+\\)\\n {8}at async loadOrder \\(`),
    );
    expect(readFileSync(log, 'utf8').split('\n').filter((line) => line.includes('"loadUser"')).length).toBeGreaterThan(0);
  });

  it('calls none of the built-ins the program replaced (Promise, Error, Reflect, JSON…, its own prepareStackTrace)', async () => {
    const { result, samples, records } = await traced(bin, ['-q', '--async-stacks', '--slow', '300'], ['hostile', UPSTREAM_MS]);
    expect(result.stdout.split('\n').at(-2)).toBe('calls from tripod: 0 ');
    expect(listed(samples).some((r) => names(r).includes('loadOrder'))).toBe(true);
    // A slow request's record carries its chain, taken while the main thread waited.
    const slow = records.filter((r) => r.event === 'slow' && r.state === 'idle' && ['/orders/41', '/users/7'].includes(r.slow.path));
    expect(slow.length).toBeGreaterThan(0);
    for (const r of slow) expect(names(r.slow).slice(0, 2)).toEqual(['fetchStock', r.slow.path === '/users/7' ? 'loadUser' : 'loadOrder']);
    // Its end is after the chain: the slow-end says how long it took, not where it waited.
    const ends = records.filter((r) => r.event === 'slow-end' && r.slow.path === '/orders/41');
    expect(ends).toEqual([expect.objectContaining({ status: 200 })]);
    expect(ends[0].slow.awaiting).toBeUndefined();
  });

  it("lets aborted requests' awaits go: the table empties and the promises they awaited are collected", async () => {
    // About 3 s on a quiet machine; a loaded one takes several times that.
    const { result, samples } = await traced(bin, ['-q', '--async-stacks'], ['aborts', '10000'], 110_000);
    expect(result.stdout).toBe('aborted 10000, awaited promises still alive: 0\n');
    expect(listed(samples).some((r) => names(r).includes('waitForClose'))).toBe(true);
    expect(samples.at(-1).inFlight).toBeUndefined();
  }, 120_000);

  it('follows the chain of an express and a fastify route', async () => {
    const frameworks = path.join(FIXTURES, 'requests-frameworks.js');
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.05', '--async-stacks', '--log', log, frameworks, '900']);
    expect(result.code, result.stderr).toBe(0);
    const requests = listed(readLog(log).filter((r) => r.event === 'sample'));
    for (const [route, line] of [['/orders/42?…', "app.get('/orders/:id'"], ['/items/7', "fast.get('/items/:id'"]]) {
      const chain = requests.find((r) => r.path === route && r.awaiting)?.awaiting;
      expect(chain, route).toBeDefined();
      expect(chain[0]).toMatchObject({ function: 'stock', url: `file://${frameworks}` });
      const routeLine = readFileSync(frameworks, 'utf8').split('\n').findIndex((text) => text.includes(line)) + 1;
      expect(chain[1]).toMatchObject({ url: `file://${frameworks}`, line: routeLine });
    }
  });

  it('leaves samples as they were without it', async () => {
    const { result, records, samples } = await traced(bin, ['-q'], ['chain', UPSTREAM_MS]);
    expect(JSON.parse(result.stdout).answers).toHaveLength(3);
    expect(records[0].requests.asyncStacks).toBeUndefined();
    expect(listed(samples).some((r) => r.path === '/orders/41')).toBe(true);
    expect(listed(samples).some((r) => 'awaiting' in r)).toBe(false);
  });
});
