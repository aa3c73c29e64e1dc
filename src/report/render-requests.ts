/**
 * The requests in flight as show prints them: the summary a sample's headline
 * ends with, the running request, and the `slow` and `slow-end` records.
 */
import type { SlowEndRecord, SlowRecord } from '../record/records';
import { frameLocation } from '../frames/frame-text';
import type { AwaitFrame, OutboundRequest, RunningRequest, ServerRequest } from '../record/requests';
import type { CapturedSample } from '../record/sample';
import { plain } from './terminal-text';

/** 812 ms, 4.1 s */
export function ageText(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const requestText = (r: Pick<ServerRequest, 'method' | 'path'>) => `${plain(r.method)} ${plain(r.path)}`;
/** `atLeast`: the age is a lower bound (found on a process's sockets). */
const outboundText = (r: OutboundRequest, atLeast = false) => `${plain(r.method)} ${plain(r.origin)}${plain(r.path)} (${atLeast ? 'at least ' : ''}${Math.round(r.ageMs)} ms)`;

/** "23 requests in flight, oldest GET /orders/42 (4.1 s)"; "" when none is. */
export function inFlightSummary(s: Pick<CapturedSample, 'inFlight'>): string {
  const server = s.inFlight?.server;
  if (!server || !s.inFlight || s.inFlight.serverTotal === 0 || server.length === 0) return '';
  const total = s.inFlight.serverTotal;
  const oldest = server[0];
  if (s.inFlight.source === 'heap') return `${total} request${total === 1 ? '' : 's'} in flight (found in its heap, ages unknown), e.g. ${requestText(oldest)}`;
  if (s.inFlight.source === 'sockets') return `${total} request${total === 1 ? '' : 's'} in flight (found on its sockets), oldest ${requestText(oldest)} (at least ${ageText(oldest.ageMs)})`;
  return `${total} request${total === 1 ? '' : 's'} in flight, oldest ${requestText(oldest)} (${ageText(oldest.ageMs)})`;
}

/** "GET /report/7 (812 ms in)" */
export function runningRequest(r: RunningRequest): string {
  return `${requestText(r)} (${ageText(r.ageMs)} in)`;
}

/** What a slow request waits on: "GET http://127.0.0.1:7000/inventory?… (1950 ms), 1 timer". */
function waitingText(r: SlowRecord): string {
  const parts = (Array.isArray(r.waitingOnRequests) ? r.waitingOnRequests : []).map((r) => outboundText(r));
  if (typeof r.timers === 'number' && r.timers > 0) parts.push(`${r.timers} timer${r.timers === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing tripod can name';
}

/** "at async loadOrder (/srv/app/orders.js:12:5)", "at async Promise.all (index 1)": as Node prints an async frame. */
function awaitFrameText(frame: AwaitFrame): string {
  if (frame.index !== undefined) return `at async ${plain(frame.function)} (index ${frame.index})`;
  return `at async ${plain(frame.function || '<anonymous>')} (${plain(frameLocation(frame))})`;
}

/** --async-stacks: each listed server request's chain, innermost first, under its id, path and age. */
export function awaitingLines(inFlight: CapturedSample['inFlight']): string[] {
  const lines: string[] = [];
  for (const r of inFlight?.server ?? []) {
    if (!r.awaiting || r.awaiting.length === 0) continue;
    lines.push(`    #${r.id} ${requestText(r)} (${ageText(r.ageMs)}) suspended in:`, ...r.awaiting.map((frame) => `        ${awaitFrameText(frame)}`));
  }
  return lines;
}

/** A slow record's headline and the main thread's state; render-record.ts adds the capture's frames below it (when the thread was not idle). */
export function slowHeadline(r: SlowRecord): string {
  const again = r.repeat > 0 ? `, again (${r.repeat + 1})` : '';
  const suspended = r.slow.awaiting?.length ? `\n    suspended in:\n${r.slow.awaiting.map((frame) => `        ${awaitFrameText(frame)}`).join('\n')}` : '';
  const headline = `slow request #${r.slow.id}: ${requestText(r.slow)} in flight ${Math.round(r.slow.ageMs)} ms${again}\n    waiting on: ${waitingText(r)}${suspended}`;
  if (r.state === 'idle') return `${headline}\n    (main thread idle)`;
  const running = r.request ? (r.request.id === r.slow.id ? ' (this request)' : ` (${runningRequest(r.request)})`) : '';
  const state = r.state === 'blocked' ? '    (main thread blocked in a native call)' : `    (main thread running${running}, stopped ${r.stoppedMs.toFixed(1)} ms)`;
  return `${headline}\n${state}`;
}

export function renderSlowEnd(r: SlowEndRecord): string {
  const how = r.aborted ? 'aborted before a response' : `status ${r.status ?? '?'}`;
  return `slow request #${r.slow.id} over: ${requestText(r.slow)} took ${Math.round(r.durationMs)} ms, ${how}`;
}

/**
 * Every request a sample lists, one line each, oldest first: what a console's `inflight` command prints
 * (with requests/heap-requests.ts's heapServerRequests for a process tripod did not start).
 */
export function renderInFlight(inFlight: NonNullable<CapturedSample['inFlight']>): string {
  const heap = inFlight.source === 'heap';
  const sockets = inFlight.source === 'sockets';
  const age = (ms: number) => (heap ? '' : ` (${sockets ? 'at least ' : ''}${ageText(ms)})`);
  const found = heap ? ' (found in the heap, best effort: ages unknown)' : sockets ? ' (found on its sockets, best effort: ages since first seen)' : '';
  const lines = [`${inFlight.serverTotal} server request${inFlight.serverTotal === 1 ? '' : 's'} in flight${found}`];
  for (const r of inFlight.server) lines.push(`    #${r.id} ${requestText(r)}${age(r.ageMs)}`);
  if (inFlight.serverTotal > inFlight.server.length) lines.push(`    … ${inFlight.serverTotal - inFlight.server.length} more`);
  if (!heap) {
    lines.push(`${inFlight.outboundTotal} outbound request${inFlight.outboundTotal === 1 ? '' : 's'} in flight`);
    for (const r of inFlight.outbound) lines.push(`    #${r.id} ${outboundText(r, sockets)}${r.parent !== undefined ? ` for #${r.parent}` : ''}`);
    if (inFlight.outboundTotal > inFlight.outbound.length) lines.push(`    … ${inFlight.outboundTotal - inFlight.outbound.length} more`);
  }
  return lines.join('\n');
}
