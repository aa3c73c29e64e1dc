/**
 * `tripod report --by route`: where time goes per route. A route is a request's
 * method and path with its ids folded (`GET /orders/:id`: numbers, UUIDs and long
 * hex segments). The table counts, per route, the samples that caught its code
 * running (the running request: Node 24, or --requests), the samples it was in
 * flight in, the requests seen, their time in flight as sampled, and with --slow
 * the slow requests and the p50/p99 of their total times (slow-end records). Flame
 * graphs root each sample's stack under its running request's route.
 */
import type { SlowEndRecord, SlowRecord } from '../record/records';
import type { RunningRequest, ServerRequest } from '../record/requests';
import type { CapturedSample } from '../record/sample';
import type { ReportFrames } from './report-frames';
import { plain } from './terminal-text';

/** Root of the samples that caught no request's code running. */
export const NO_ROUTE = '(no request running)';

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;

/** "GET /orders/42?…" -> "GET /orders/:id" */
export function routeOf(request: Pick<ServerRequest, 'method' | 'path'>): string {
  const query = request.path.indexOf('?');
  const path = query < 0 ? request.path : request.path.slice(0, query);
  const folded = path
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/');
  return `${request.method} ${folded || '/'}`;
}

/** The root frame a sample's stack goes under in a flame graph by route. */
export function routeRoot(frames: ReportFrames, sample: Pick<CapturedSample, 'request'>): number {
  // In parentheses, as V8 names its own nodes: a frame with no script, and no [native] mark.
  return frames.fromProfile([sample.request ? `(${routeOf(sample.request)})` : NO_ROUTE, '']);
}

interface RouteRow {
  route: string;
  running: number;
  inFlight: number;
  /** Longest age seen of each request, by id (per process: ids are a process's own). */
  ages: Map<string, number>;
  slow: number;
  slowDurations: number[];
}

/** Gathers the route table while the report reads the log (one pass: the log may be standard input). */
export class RouteStats {
  private readonly rows = new Map<string, RouteRow>();
  private samples = 0;

  /** `rootStacks`: stacks go under their route (flame graphs); the table lists functions without it. */
  constructor(readonly rootStacks: boolean) {}

  /** A sample or stall record that the report's filters kept. */
  sample(pid: unknown, sample: Pick<CapturedSample, 'request' | 'inFlight'>): void {
    this.samples++;
    if (isRequest(sample.request)) this.row(routeOf(sample.request)).running++;
    const server = Array.isArray(sample.inFlight?.server) ? sample.inFlight.server : [];
    const seen = new Set<string>();
    for (const request of server) {
      if (!isRequest(request)) continue;
      const row = this.row(routeOf(request));
      if (!seen.has(row.route)) row.inFlight++;
      seen.add(row.route);
      const key = `${String(pid)}:${request.id}`;
      row.ages.set(key, Math.max(row.ages.get(key) ?? 0, request.ageMs));
    }
  }

  slow(record: Pick<SlowRecord, 'slow' | 'repeat'>): void {
    if (isRequest(record.slow) && record.repeat === 0) this.row(routeOf(record.slow)).slow++;
  }

  slowEnd(record: Pick<SlowEndRecord, 'slow' | 'durationMs'>): void {
    if (isRequest(record.slow) && typeof record.durationMs === 'number') this.row(routeOf(record.slow)).slowDurations.push(record.durationMs);
  }

  render(limit: number): string {
    const rows = [...this.rows.values()].sort((a, b) => b.running - a.running || wallMs(b) - wallMs(a) || a.route.localeCompare(b.route)).slice(0, limit);
    if (rows.length === 0) return `no requests in the ${this.samples.toLocaleString('en-US')} samples (tripod lists the requests of the servers it runs; --slow adds slow ones)\n`;
    const width = Math.max(5, ...rows.map((r) => plain(r.route).length));
    const header = `${'route'.padEnd(width)}  running  in flight  requests  in flight s   slow  slow p50  slow p99`;
    const lines = rows.map((r) => {
      const durations = [...r.slowDurations].sort((a, b) => a - b);
      return [
        plain(r.route).padEnd(width),
        String(r.running).padStart(7),
        String(r.inFlight).padStart(9),
        String(r.ages.size).padStart(8),
        (wallMs(r) / 1000).toFixed(1).padStart(11),
        String(r.slow).padStart(6),
        msText(percentile(durations, 0.5)).padStart(9),
        msText(percentile(durations, 0.99)).padStart(9),
      ].join('  ');
    });
    const about = `requests by route over ${this.samples.toLocaleString('en-US')} samples: "running" samples caught its code running, "in flight" ones saw it waiting; its time in flight as sampled (a lower bound)`;
    return `${[about, '', header, ...lines].join('\n')}\n`;
  }

  private row(route: string): RouteRow {
    let row = this.rows.get(route);
    if (!row) this.rows.set(route, (row = { route, running: 0, inFlight: 0, ages: new Map(), slow: 0, slowDurations: [] }));
    return row;
  }
}

function isRequest(value: unknown): value is RunningRequest {
  const r = value as RunningRequest | undefined;
  return typeof r === 'object' && r !== null && typeof r.method === 'string' && typeof r.path === 'string' && typeof r.id === 'number' && typeof r.ageMs === 'number';
}

const wallMs = (row: RouteRow) => [...row.ages.values()].reduce((sum, ms) => sum + ms, 0);

/** Nearest-rank percentile; undefined for none. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function msText(ms: number | undefined): string {
  return ms === undefined ? '-' : `${Math.round(ms)} ms`;
}
