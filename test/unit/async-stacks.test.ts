/**
 * --async-stacks without a child process: the promise hook and the walk on this
 * process's own promises (real async functions, a real Promise.all, nothing
 * mocked), which chain of several a request's is, what a cell keeps once its
 * request ended, show's lines for the chains, and the option.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { AWAITED_KEPT, endAwaitCell, installAwaitHook, newAwaitCell, type AwaitCell } from '../../src/requests/async-stacks';
import { parseRunCommand } from '../../src/options/run';
import { isWellFormed } from '../../src/report/record-shapes';
import { renderRecord } from '../../src/report/render-record';

const storage = new AsyncLocalStorage<AwaitCell>();
const stacks = installAwaitHook(() => storage.getStore());
const releases: Array<() => void> = [];
afterAll(() => releases.forEach((release) => release()));

/** A promise that stays pending until the test ends: what an upstream's answer is while it is awaited. */
function pending(): Promise<void> {
  return new Promise((resolve) => releases.push(resolve));
}

/** The chain of `cell`, read as a sample reads it: from a timer, with nothing of the test's beneath. */
function chainOf(cell: AwaitCell): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve) => setTimeout(() => resolve(JSON.parse(stacks.chainText(cell) || '[]')), 5));
}

async function fetchStock(upstream: Promise<void>) {
  await upstream;
}
async function loadOrder(upstream: Promise<void>) {
  await fetchStock(upstream);
}
async function handle(upstream: Promise<void>) {
  await loadOrder(upstream);
}

describe('the walk from what a request awaited', () => {
  it('names the chain innermost first, though the handler awaited last (its callee suspended first)', async () => {
    const cell = newAwaitCell(1);
    storage.run(cell, () => void handle(pending()));
    const chain = await chainOf(cell);
    expect(chain.map((f) => f.function)).toEqual(['fetchStock', 'loadOrder', 'handle']);
    expect(chain[0]).toMatchObject({ url: expect.stringContaining('async-stacks.test.ts'), line: expect.any(Number), column: expect.any(Number) });
  });

  it("keeps each request's own chain, and says nothing of a promise no one awaits any more", async () => {
    const order = newAwaitCell(2);
    const other = newAwaitCell(3);
    let release!: () => void;
    storage.run(order, () => void handle(new Promise<void>((resolve) => (release = resolve))));
    storage.run(other, () => void fetchStock(pending()));
    expect((await chainOf(other)).map((f) => f.function)).toEqual(['fetchStock']);
    expect((await chainOf(order)).map((f) => f.function)).toEqual(['fetchStock', 'loadOrder', 'handle']);
    release();
    expect(await chainOf(order)).toEqual([]);
  });

  it('goes through a Promise.all, naming the index it waits at', async () => {
    const cell = newAwaitCell(4);
    async function both(upstream: Promise<void>) {
      await Promise.all([Promise.resolve(), loadOrder(upstream)]);
    }
    storage.run(cell, () => void both(pending()));
    const chain = await chainOf(cell);
    expect(chain.map((f) => f.function)).toEqual(['fetchStock', 'loadOrder', 'Promise.all', 'both']);
    expect(chain[2]).toEqual({ function: 'Promise.all', url: '', line: 0, column: 0, index: 1 });
  });

  it('lets a request that ended keep nothing, even where its code awaits on', async () => {
    const cell = newAwaitCell(5);
    let release!: () => void;
    const later = new Promise<void>((resolve) => (release = resolve));
    storage.run(cell, () => void handle(pending()));
    endAwaitCell(cell);
    expect(cell.awaited.every((promise) => promise === undefined)).toBe(true);
    storage.run(cell, () => void fetchStock(later));
    expect(cell.awaited).toHaveLength(AWAITED_KEPT);
    expect(cell.awaited.every((promise) => promise === undefined)).toBe(true);
    expect(await chainOf(cell)).toEqual([]);
    release();
  });

  it('keeps nothing for code outside any request', async () => {
    const cell = newAwaitCell(6);
    void handle(pending());
    expect(cell.next).toBe(0);
    expect(stacks.chainText(cell)).toBe('');
  });
});

describe("show's lines for the chains", () => {
  const base = { level: 30, time: 1, capturedAt: 1, stoppedMs: 0, captureMs: 0, frames: [], stack: '    (idle: waiting in the event loop)' };
  const awaiting = [
    { function: 'loadOrder', url: 'file:///srv/app/orders.js', line: 12, column: 5 },
    { function: 'Promise.all', url: '', line: 0, column: 0, index: 1 },
    { function: '', url: 'file:///srv/app/routes.js', line: 40, column: 3 },
  ];
  const request = { id: 3, method: 'GET', path: '/orders/42', ageMs: 4100, awaiting };

  it('prints each chain under its request, as Node prints async frames', () => {
    const sample = { ...base, event: 'sample', seq: 12, state: 'idle', inFlight: { server: [request, { id: 4, method: 'GET', path: '/health', ageMs: 3 }], serverTotal: 2, outbound: [], outboundTotal: 0 } };
    expect(isWellFormed(sample)).toBe(true);
    expect(renderRecord(sample)).toBe(
      [
        'sample #12 idle; 2 requests in flight, oldest GET /orders/42 (4.1 s)',
        '    (idle: waiting in the event loop)',
        '    #3 GET /orders/42 (4.1 s) suspended in:',
        '        at async loadOrder (/srv/app/orders.js:12:5)',
        '        at async Promise.all (index 1)',
        '        at async <anonymous> (/srv/app/routes.js:40:3)',
      ].join('\n'),
    );
  });

  it("prints a slow request's chain under what it waits on", () => {
    const slow = { ...base, event: 'slow', state: 'idle', slow: request, repeat: 0, waitingOnRequests: [], timers: 1 };
    expect(renderRecord(slow)).toBe(
      [
        'slow request #3: GET /orders/42 in flight 4100 ms',
        '    waiting on: 1 timer',
        '    suspended in:',
        '        at async loadOrder (/srv/app/orders.js:12:5)',
        '        at async Promise.all (index 1)',
        '        at async <anonymous> (/srv/app/routes.js:40:3)',
        '    (main thread idle)',
      ].join('\n'),
    );
  });

  it('takes a chain of the wrong shape for a bad line, and keeps control characters out', () => {
    const bad = { ...base, event: 'sample', seq: 1, state: 'idle', inFlight: { server: [{ ...request, awaiting: [{ function: 1 }] }], serverTotal: 1, outbound: [], outboundTotal: 0 } };
    expect(isWellFormed(bad)).toBe(false);
    const hostile = { ...request, awaiting: [{ function: 'a\u001b[2Jb', url: 'file:///x\u0007.js', line: 1, column: 1 }] };
    const shown = renderRecord({ ...base, event: 'sample', seq: 1, state: 'idle', inFlight: { server: [hostile], serverTotal: 1, outbound: [], outboundTotal: 0 } });
    expect(shown).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('the option', () => {
  const requestsOf = (argv: string[], env: Record<string, string> = {}) => {
    const command = parseRunCommand([...argv, 'app.js'], env);
    if (command.kind !== 'run') throw new Error(`not a run: ${command.kind}`);
    return command.config.requests;
  };
  const node24 = Number(process.versions.node.split('.')[0]) >= 24;

  it('is off by default, on with --async-stacks or TRIPOD_ASYNC_STACKS=1, and then names the running request on any Node', () => {
    expect(requestsOf([])).toEqual({ keepQuery: false, running: node24 });
    expect(requestsOf(['--async-stacks'])).toEqual({ keepQuery: false, running: true, asyncStacks: true });
    expect(requestsOf([], { TRIPOD_ASYNC_STACKS: '1' })).toEqual({ keepQuery: false, running: true, asyncStacks: true });
    expect(requestsOf([], { TRIPOD_ASYNC_STACKS: '0' })).toEqual({ keepQuery: false, running: node24 });
  });
});
