/**
 * The stack probe: a tiny function evaluated on the main thread. It runs inside
 * the inspector's interrupt, on top of whatever JS is running, and returns the
 * stack as V8's call sites — no Debugger domain, so nothing is deoptimised and no
 * pause is left armed. An idle thread runs it from the event loop with nothing
 * beneath it; a thread blocked in native code answers only when the call returns.
 */
import type { Frame } from '../sample/types';
import type { CdpClient } from './cdp';
import { scriptUrl } from './frames';

/** The probe's function name, which the CPU profiler sees when it ticks during a probe. */
export const PROBE_FUNCTION = '__tripodProbe';

/** Frames the probe itself adds on top: its function and the evaluated script. */
const OWN_FRAMES = 2;

export interface ProbeAnswer {
  /** Raw frames beneath the probe, top first, at most `limit`. */
  frames: Frame[];
  /** Whether the stack had more frames than the probe collected. */
  truncated: boolean;
  /** What an idle event loop waits on (process.getActiveResourcesInfo()). */
  waitingOn?: string[];
}

export function probeExpression(limit: number): string {
  const total = limit + OWN_FRAMES + 1;
  // Error.prepareStackTrace and stackTraceLimit are put back before returning:
  // the target cannot observe them, single-threaded as it is.
  return `(function ${PROBE_FUNCTION}() {
  const prepare = Error.prepareStackTrace, limit = Error.stackTraceLimit;
  Error.prepareStackTrace = (_, sites) => sites;
  Error.stackTraceLimit = ${total};
  const holder = {};
  Error.captureStackTrace(holder);
  const sites = holder.stack;
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  const frames = [];
  for (let i = ${OWN_FRAMES}; i < sites.length; i++) {
    const s = sites[i];
    frames.push([s.getFunctionName() || '', s.getScriptNameOrSourceURL() || '', s.getLineNumber() || 0, s.getColumnNumber() || 0]);
  }
  const idle = frames.length === 0;
  return { frames, waitingOn: idle && typeof process === 'object' && process.getActiveResourcesInfo ? process.getActiveResourcesInfo() : undefined, total: sites.length };
})()`;
}

interface RawAnswer {
  frames: Array<[string, string, number, number]>;
  waitingOn?: string[];
  total: number;
}

export async function runProbe(cdp: CdpClient, expression: string, limit: number): Promise<ProbeAnswer> {
  const { result, exceptionDetails } = await cdp.post('Runtime.evaluate', { expression, returnByValue: true, silent: true });
  if (exceptionDetails) throw new Error(`stack probe failed: ${exceptionDetails.text}`);
  const raw = result.value as RawAnswer;
  return {
    frames: raw.frames.map(([fn, url, line, column]) => ({ function: fn, url: scriptUrl(url), line, column })),
    truncated: raw.total > limit + OWN_FRAMES,
    waitingOn: raw.waitingOn,
  };
}
