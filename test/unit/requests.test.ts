/**
 * The pure parts of requests in flight: paths and hosts as the table writes them,
 * the --slow slot protocol between the two threads, routes, and show's lines.
 */
import { describe, expect, it } from 'vitest';
import { hostOf, pathOf } from '../../src/requests/in-flight-text';
import { ENDED, endSlot, FREE, freeEnded, LIVE, markReported, newSlotBuffers, REPORTED, slotsInUse, slotViews, SLOT_COUNT, takeSlot } from '../../src/requests/slow-slots';
import { percentile, routeOf, RouteStats } from '../../src/report/routes';
import { renderRecord } from '../../src/report/render-record';
import { isWellFormed } from '../../src/report/record-shapes';

describe('paths and hosts', () => {
  it('cuts the query string unless kept, and bounds long paths', () => {
    expect(pathOf('/orders/42?token=abc', false)).toBe('/orders/42?…');
    expect(pathOf('/orders/42?token=abc', true)).toBe('/orders/42?token=abc');
    expect(pathOf('/plain', false)).toBe('/plain');
    expect(pathOf(`/${'x'.repeat(500)}`, true)).toHaveLength(201);
  });

  it("takes host:port from a client request's Host line", () => {
    expect(hostOf('GET /a HTTP/1.1\r\nHost: 127.0.0.1:7000\r\nConnection: close\r\n\r\n', '127.0.0.1')).toBe('127.0.0.1:7000');
    expect(hostOf('', 'example.com')).toBe('example.com');
  });
});

describe('the --slow slot table', () => {
  it('frees a request that ends before it is slow, without the worker', () => {
    const slots = slotViews(newSlotBuffers());
    const cursor = { next: 0 };
    const slot = takeSlot(slots, cursor, 7, 1000, 'GET /orders/42?…');
    expect(slotsInUse(slots)).toEqual([expect.objectContaining({ slot, state: LIVE, id: 7, startMs: 1000 })]);
    expect(slotsInUse(slots)[0].label()).toBe('GET /orders/42?…');
    endSlot(slots, slot, 1200, 200);
    expect(slotsInUse(slots)).toEqual([]);
  });

  it('keeps a reported request until the worker has read its end', () => {
    const slots = slotViews(newSlotBuffers());
    const slot = takeSlot(slots, { next: 0 }, 3, 1000, `GET /${'é'.repeat(200)}`);
    // Cut to the slot's room, at a character's end.
    expect(slotsInUse(slots)[0].label()).toBe(`GET /${'é'.repeat(77)}`);
    expect(markReported(slots, slot)).toBe(true);
    expect(markReported(slots, slot)).toBe(false);
    expect(slotsInUse(slots)[0].state).toBe(REPORTED);
    endSlot(slots, slot, 4000, 503);
    expect(slotsInUse(slots)[0]).toMatchObject({ state: ENDED, endMs: 4000, status: 503 });
    freeEnded(slots, slot);
    expect(slotsInUse(slots)).toEqual([]);
  });

  it('says there is no slot when every one is taken, and reuses freed ones', () => {
    const slots = slotViews(newSlotBuffers());
    const cursor = { next: 0 };
    for (let i = 0; i < SLOT_COUNT; i++) expect(takeSlot(slots, cursor, i, 0)).toBe(i);
    expect(takeSlot(slots, cursor, 9999, 0)).toBe(-1);
    endSlot(slots, 17, 1, 200);
    expect(takeSlot(slots, cursor, 10_000, 0)).toBe(17);
    expect(FREE).toBe(0);
  });
});

describe('routes', () => {
  it('folds ids out of paths and drops the query', () => {
    expect(routeOf({ method: 'GET', path: '/orders/42?…' })).toBe('GET /orders/:id');
    expect(routeOf({ method: 'PUT', path: '/users/0b7f5c2e-9a3d-4c1e-8f00-123456789abc/avatar' })).toBe('PUT /users/:id/avatar');
    expect(routeOf({ method: 'GET', path: '/' })).toBe('GET /');
  });

  it('counts running and in-flight samples, time in flight and slow percentiles per route', () => {
    const stats = new RouteStats(false);
    const order = (id: number, ageMs: number) => ({ id, method: 'GET', path: `/orders/${id}`, ageMs });
    stats.sample(1, { inFlight: { server: [order(1, 100), order(2, 100)], serverTotal: 2, outbound: [], outboundTotal: 0 } });
    stats.sample(1, { request: order(1, 300), inFlight: { server: [order(1, 300)], serverTotal: 1, outbound: [], outboundTotal: 0 } });
    stats.slow({ slow: order(1, 250), repeat: 0 });
    stats.slow({ slow: order(1, 500), repeat: 1 });
    stats.slowEnd({ slow: order(1, 900), durationMs: 900 });
    const table = stats.render(10);
    expect(table).toMatch(/GET \/orders\/:id +1 +2 +2 +0\.4 +1 +900 ms +900 ms/);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});

describe("show's lines", () => {
  const base = { level: 40, time: 1, capturedAt: 1, stoppedMs: 0, captureMs: 0, frames: [], stack: '    (idle: waiting in the event loop)' };

  it('renders a slow request with what it waits on, and its end', () => {
    const slow = {
      ...base,
      event: 'slow',
      state: 'idle',
      slow: { id: 17, method: 'GET', path: '/orders/42', ageMs: 2004 },
      repeat: 0,
      waitingOnRequests: [{ id: 18, method: 'GET', origin: 'http://127.0.0.1:7000', path: '/inventory?…', ageMs: 1950, parent: 17 }],
      timers: 1,
    };
    expect(isWellFormed(slow)).toBe(true);
    expect(renderRecord(slow)).toBe('slow request #17: GET /orders/42 in flight 2004 ms\n    waiting on: GET http://127.0.0.1:7000/inventory?… (1950 ms), 1 timer\n    (main thread idle)');
    const end = { level: 30, time: 2, event: 'slow-end', slow: { id: 17, method: 'GET', path: '/orders/42', ageMs: 2950 }, durationMs: 2950, status: 200 };
    expect(isWellFormed(end)).toBe(true);
    expect(renderRecord(end)).toBe('slow request #17 over: GET /orders/42 took 2950 ms, status 200');
  });

  it('names the oldest request of an idle sample, and the running request of a running one', () => {
    const inFlight = { server: [{ id: 3, method: 'GET', path: '/orders/42', ageMs: 4100 }], serverTotal: 23, outbound: [], outboundTotal: 0 };
    expect(renderRecord({ ...base, event: 'sample', seq: 12, state: 'idle', inFlight })).toMatch(/^sample #12 idle; 23 requests in flight, oldest GET \/orders\/42 \(4\.1 s\)\n/);
    const running = { ...base, event: 'sample', seq: 13, state: 'running', stoppedMs: 6.1, request: { id: 9, method: 'GET', path: '/report/7', ageMs: 812 }, stack: '    at buildReport (/srv/app/report.js:30:7)' };
    expect(renderRecord(running)).toBe('sample #13 running GET /report/7 (812 ms in), main thread stopped 6.1 ms\n    at buildReport (/srv/app/report.js:30:7)');
  });

  it('refuses a slow record whose request is not one', () => {
    expect(isWellFormed({ event: 'slow', state: 'idle', stoppedMs: 0, frames: [], slow: { id: 'x' }, repeat: 0, waitingOnRequests: [] })).toBe(false);
  });
});
