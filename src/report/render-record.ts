/**
 * A log record as text for people: the stack first, then — as Python's tripod
 * printed it — "Full backtrace with local variables". Every text from the target
 * goes through terminal-text.ts on its way out: the result has no control
 * character but the newlines between its lines.
 */
import stringify from 'json-stringify-safe';
import { frameLocation } from '../frames/frame-text';
import type { ControlRecord, CrashRecord, EndRecord, ProfileRecord, SlowEndRecord, SlowRecord, StallEndRecord, StallRecord, StartRecord, ThreadTag, TripodRecord } from '../record/records';
import type { CapturedSample, Frame, Sample, SharedScope, Value } from '../record/sample';
import { renderValue } from './render-value';
import { awaitingLines, inFlightSummary, renderSlowEnd, runningRequest, slowHeadline } from './render-requests';
import { plain, terminalSafe } from './terminal-text';

export function renderRecord(record: TripodRecord | Record<string, unknown>): string {
  return terminalSafe(recordText(record));
}

function recordText(record: TripodRecord | Record<string, unknown>): string {
  switch (record.event) {
    case 'sample':
      return renderSample(record as Sample);
    case 'stall':
      return renderStall(record as StallRecord);
    case 'stall-end':
      return renderStallEnd(record as StallEndRecord);
    case 'crash':
      return renderCrash(record as CrashRecord);
    case 'profile':
      return renderProfile(record as ProfileRecord);
    case 'start':
      return renderStart(record as StartRecord);
    case 'end':
      return renderEnd(record as EndRecord);
    case 'control':
      return renderControl(record as ControlRecord);
    case 'slow':
      return renderSlow(record as SlowRecord);
    case 'slow-end':
      return renderSlowEnd(record as SlowEndRecord);
    default:
      return stringify(record);
  }
}

function renderStart(r: StartRecord): string {
  const watching = [
    r.profile ? `profiling stacks at ${r.profile.rateHz} Hz` : '',
    r.interval > 0 ? `sampling every ${r.interval} s` : '',
    r.watchdog ? `watching for stalls over ${r.watchdog.thresholdMs} ms` : '',
    r.crash ? 'capturing crashes' : '',
  ].filter(Boolean);
  const argv = plain(r.argv.slice(1).join(' '));
  const parent = r.ppid !== undefined ? ` (child of process ${r.ppid})` : '';
  if (r.attached && parent) return `tripod ${plain(r.tripod)} followed process ${r.attached.pid}, child of process ${r.ppid} (${argv}), on Node ${plain(r.node ?? 'unknown')}, ${watching.join(', ')}`;
  if (parent) return `tripod ${plain(r.tripod)} started ${argv}${parent} on Node ${plain(r.node)}, ${watching.join(', ')}`;
  if (r.attached) return `tripod ${plain(r.tripod)} attached to process ${r.attached.pid} (${argv}) on Node ${plain(r.node ?? 'unknown')} via ${plain(r.attached.via)}, ${watching.join(', ')}`;
  return `tripod ${plain(r.tripod)} started ${argv} on Node ${plain(r.node)}, ${watching.join(', ')}`;
}

function renderControl(r: ControlRecord): string {
  const errors = r.errors?.length ? `; onChange threw ${r.errors.map(plain).join('; ')}` : '';
  return `${plain(r.by)}: set ${plain(r.control)} ${plain(String(r.old))} -> ${plain(String(r.new))}${r.module ? ` (${plain(r.module)})` : ''}${errors}`;
}

function renderEnd(r: EndRecord): string {
  if (r.detached) return `recording ended (${plain(r.detached)}), ${r.samples} samples${seen(r)}`;
  const how = r.signal ? `killed by ${plain(r.signal)}` : `exit code ${r.exitCode}`;
  const error = r.error ? ` after ${r.error.origin === 'unhandledRejection' ? 'an unhandled rejection' : 'an uncaught exception'}: ${plain(r.error.name)}: ${plain(r.error.message)}` : '';
  const profiled = r.profileSamples !== undefined ? `, ${r.profileSamples} profile samples` : '';
  return `ended (${how})${error}, ${r.samples} samples${profiled}${seen(r)}`;
}

/** ", 3 processes and 4 threads seen", on a parent's end record (--children, record --children). */
function seen(r: EndRecord): string {
  const counts = [r.processes !== undefined ? plural(r.processes, 'process', 'processes') : '', r.threads !== undefined ? plural(r.threads, 'thread', 'threads') : ''].filter(Boolean);
  return counts.length > 0 ? `, ${counts.join(' and ')} seen` : '';
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function renderSample(s: Sample & Partial<ThreadTag>): string {
  if (s.threadId === undefined) return renderCapture(`sample #${s.seq} ${describeState(s)}`, s);
  return renderCapture(`sample #${s.seq} ${threadLabel(s as ThreadTag)}: ${describeState(s, 'thread')}`, s);
}

/** Thread 2 "hasher" */
export function threadLabel(t: ThreadTag): string {
  return `thread ${t.threadId}${t.threadName ? ` "${plain(t.threadName)}"` : ''}`;
}

/** A worker's stall (--threads --watchdog) names the worker: its stall numbers are its own. */
function renderStall(r: StallRecord): string {
  const again = r.repeat > 0 ? `, capture ${r.repeat + 1}` : '';
  const state = r.threadId === undefined ? describeState(r) : describeState(r, 'thread');
  return renderCapture(`stall #${r.stallId}${stallThread(r)}${again}: event loop away ${r.stalledMs} ms; ${state}`, r);
}

function stallThread(r: Partial<ThreadTag>): string {
  return r.threadId === undefined ? '' : ` ${threadLabel(r as ThreadTag)}`;
}

function renderStallEnd(r: StallEndRecord): string {
  const exit = r.atExit ? (r.threadId === undefined ? ' (the process ended first)' : ' (the thread or the process ended first)') : '';
  const headline = `stall #${r.stallId}${stallThread(r)} over: event loop away ${r.durationMs} ms, ${r.captures} capture${r.captures === 1 ? '' : 's'}${exit}`;
  return r.stack ? `${headline}; the native call returned to:\n${r.stack}` : headline;
}

function renderCrash(r: CrashRecord): string {
  const what = r.origin === 'rejection' ? 'unhandled rejection' : 'uncaught exception';
  const serving = r.request ? ` while running ${runningRequest(r.request)}` : '';
  const inFlight = inFlightSummary(r);
  const headline = `crash: ${what} ${plain(r.error.name)}: ${plain(r.error.message)}${serving}${inFlight ? `\n    (${inFlight})` : ''}`;
  return renderCapture(headline, { frames: r.frames, stack: r.stack });
}

/** The heaviest stacks of a profile record, top frame first; `tripod report` is the place for the whole picture. */
const PROFILE_STACKS_SHOWN = 5;

function renderProfile(r: ProfileRecord): string {
  const order = r.counts.map((_, i) => i).sort((a, b) => r.counts[b] - r.counts[a]);
  const lines = order.slice(0, PROFILE_STACKS_SHOWN).map((i) => {
    const frames = r.stacks[i].map((f) => {
      const [name, location] = r.frames[f];
      return location ? `${plain(name) || '<anonymous>'} (${plain(location)})` : plain(name);
    });
    return `    ${((100 * r.counts[i]) / r.samples).toFixed(1).padStart(5)}% ${r.states[i]}: ${frames.join(' < ')}`;
  });
  const more = order.length > PROFILE_STACKS_SHOWN ? [`    … ${order.length - PROFILE_STACKS_SHOWN} more stacks (tripod report shows them all)`] : [];
  return [`profile #${r.seq}: ${r.samples} samples at ${r.rateHz} Hz over ${((r.to - r.from) / 1000).toFixed(2)} s`, ...lines, ...more].join('\n');
}

function renderSlow(r: SlowRecord): string {
  const headline = slowHeadline(r);
  return r.state === 'idle' ? headline : renderCapture(headline, r);
}

export function renderCapture(headline: string, s: Pick<Sample, 'frames' | 'stack' | 'localsSkipped' | 'sharedScopes'> & Partial<Pick<Sample, 'inFlight'>>): string {
  const lines = [headline];
  if (s.stack) lines.push(s.stack);
  lines.push(...awaitingLines(s.inFlight));
  if (s.localsSkipped) lines.push(`    (locals not read: ${s.localsSkipped})`);
  const withLocals = s.frames.filter((f) => f.args || f.locals || f.closure || f.sharedClosure);
  if (withLocals.length > 0) {
    lines.push('', 'Full backtrace with local variables:', '');
    for (const frame of s.frames) lines.push(...renderFrame(frame), '');
  }
  if (Array.isArray(s.sharedScopes) && s.sharedScopes.length > 0) lines.push(...renderSharedScopes(s.sharedScopes, s.frames));
  return lines.join('\n');
}

/** Closure scopes several frames share, once each, after the frames that refer to them. */
function renderSharedScopes(scopes: SharedScope[], frames: Frame[]): string[] {
  const lines = ['Shared closure scopes:', ''];
  scopes.forEach((scope, i) => {
    const users = frames.flatMap((f, at) => (Array.isArray(f.sharedClosure) && f.sharedClosure.includes(i) ? [at + 1] : []));
    lines.push(`  #${i + 1}, closed over by frames ${users.join(', ')}${scope.unread ? ` (not read: ${plain(String(scope.unread))})` : ''}:`, '');
    lines.push(indentBlock(renderVariables(scope.variables ?? {}, scope.more), '    '), '');
  });
  return lines;
}

export function describeState(s: CapturedSample, who = 'main thread'): string {
  const inFlight = inFlightSummary(s);
  if (s.state === 'idle' && inFlight) return `idle; ${inFlight}`;
  if (s.state === 'running' && s.request) return `running ${runningRequest(s.request)}${s.localsSkipped ? ' (stack only)' : `, ${who} stopped ${s.stoppedMs.toFixed(1)} ms`}`;
  if (s.state === 'idle') return `idle${s.waitingOn?.length ? ` (event loop waiting on ${s.waitingOn.map(plain).join(', ')})` : ''}`;
  if (s.state === 'blocked') {
    const still = s.stillBlocked ? ', still blocked at exit' : '';
    const where = s.native?.wchan ? ` in ${plain(s.native.wchan)}` : '';
    return `blocked in a native call${where} for ${Math.round(s.blockedMs ?? 0)} ms${still}`;
  }
  if (s.localsSkipped) return 'running (stack only)';
  return `running, ${who} stopped ${s.stoppedMs.toFixed(1)} ms`;
}

function renderFrame(frame: Frame): string[] {
  const name = plain(frame.function || '<anonymous>');
  const lines = [`  at ${name} (${plain(frameLocation(frame))})`];
  if (frame.source) lines.push(`        ${plain(frame.source)}`);
  if (frame.args && Object.keys(frame.args).length > 0) lines.push('', `    Arguments: ${name}(${Object.entries(frame.args).map(([k, v]) => `${plain(k)}=${renderValue(v, '    ')}`).join(', ')})`);
  if (frame.locals || frame.moreLocals) lines.push('', '    Local variables:', '', indentBlock(renderVariables(frame.locals ?? {}, frame.moreLocals), '    '));
  if (frame.closure || frame.moreClosure) lines.push('', '    Closure variables:', '', indentBlock(renderVariables(frame.closure ?? {}, frame.moreClosure), '    '));
  if (frame.truncated) lines.push('', `    (not every variable read: ${frame.truncated === 'time' ? "the sample's read time ran out" : frame.truncated === 'record' ? "the sample's record was full" : plain(String(frame.truncated))})`);
  if (Array.isArray(frame.sharedClosure) && frame.sharedClosure.length > 0) {
    lines.push('', `    Closure variables in shared scope ${frame.sharedClosure.map((i) => `#${Number(i) + 1}`).join(', ')} (below)`);
  }
  return lines;
}

function renderVariables(vars: Record<string, Value>, more?: number): string {
  return renderValue({ $type: 'Object', props: vars, ...(more ? { more } : {}) });
}

function indentBlock(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
}
