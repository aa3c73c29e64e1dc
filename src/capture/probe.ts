/**
 * The stack probe, from the sampler's side: one Runtime.callFunctionOn of the
 * probe context's function (probe-context.ts). It runs inside the inspector's
 * interrupt, on top of whatever JS is running, and returns the stack as V8's
 * call sites describe it — no Debugger domain, so nothing is deoptimised and no
 * pause is left armed, and none of the program's code runs. An idle thread runs
 * it from the event loop with nothing beneath it; a thread blocked in native code
 * answers only when the call returns.
 */
import type { Frame } from '../record/sample';
import type { CdpClient } from './cdp';
import { scriptUrl } from '../frames/frame-text';
import { globalProperties } from './node-internals';
import { PROBE_FUNCTION, PROBE_HOLDER, PROBE_SCRIPT, type ProbeReply } from './probe-context';
import { installHolderThroughNatives } from './probe-install';

export { PROBE_FUNCTION, PROBE_SCRIPT };

/** Frames the probe adds on top: its function, the holder's method, and the evaluated script that calls it. */
const OWN_FRAMES = 3;

export interface ProbeAnswer {
  /** Frames beneath the probe, top first: the top `head` of them. */
  frames: Frame[];
  /** The bottom frames, when the stack is deeper than `frames`. */
  tail: Frame[];
  /** How many frames the stack has beneath the probe. */
  total: number;
  /** What an idle event loop waits on (process.getActiveResourcesInfo()). */
  waitingOn?: string[];
  /** The top frame was entered just now: the probe ran at its function's entry. */
  entered?: boolean;
  /** What is in flight and the running request, where tripod tracks requests. */
  requests?: ProbeReply['requests'];
}

/**
 * The stack as the native call left it: a thread back from one answers the probe
 * at the first function it calls after the call returned (V8 checks interrupts at
 * function entries and loop back-edges), so that function is dropped and the
 * frame that made the call is on top. Its line is where it stands now, just past
 * the call.
 */
export function callerOfNativeCall(answer: ProbeAnswer): ProbeAnswer {
  if (!answer.entered || answer.frames.length < 2) return answer;
  return { ...answer, frames: answer.frames.slice(1), total: answer.total - 1, entered: false };
}

/**
 * The probe of one thread: one Runtime.evaluate that reaches the holder by a
 * property read on the global object (plain syntax: nothing the program can
 * replace is called; the holder is frozen and its global non-writable). The same
 * text every time, so V8 compiles it once. Before the first, the global's own
 * property is looked at through CDP (a program's getter of that name on
 * Object.prototype would answer the expression's lookup otherwise); where
 * tripod did not install the holder first (a process reached by SIGUSR1 or its
 * own inspector), it is installed then (probe-install.ts).
 */
export class StackProbe {
  private readonly expression: string;
  private installing?: Promise<void>;

  constructor(
    private readonly cdp: CdpClient,
    /** How many frames from the top are described (the bottom ones too, up to `tail`). */
    head: number,
    tail: number,
    /** The holder is there already (installed before the program's first line): nothing to look for. */
    installed = false,
  ) {
    this.expression = `this.${PROBE_HOLDER}?.probe(${OWN_FRAMES}, ${head}, ${tail})`;
    if (installed) this.installing = Promise.resolve();
  }

  /** Resolves once the holder is known to be there (installed now where it was not); the first probe waits for it anyway. */
  prepare(): Promise<void> {
    this.installing ??= this.install();
    return this.installing;
  }

  async run(): Promise<ProbeAnswer> {
    await this.prepare();
    const reply = await this.evaluate();
    if (reply === undefined) throw new Error('stack probe failed: it is not installed in the target');
    return answerOf(JSON.parse(reply) as ProbeReply);
  }

  private async evaluate(): Promise<string | undefined> {
    const { result, exceptionDetails } = await this.cdp.post('Runtime.evaluate', { expression: this.expression, returnByValue: true, silent: true });
    if (exceptionDetails) throw new Error(`stack probe failed: ${exceptionDetails.exception?.description?.split('\n')[0] ?? exceptionDetails.text}`);
    return typeof result.value === 'string' ? result.value : undefined;
  }

  private async install(): Promise<void> {
    const found = await globalProperties(this.cdp, [PROBE_HOLDER, 'process']);
    if (found.some((p) => p.name === PROBE_HOLDER)) return;
    await installHolderThroughNatives(this.cdp, found.find((p) => p.name === 'process'));
  }
}

function answerOf(reply: ProbeReply): ProbeAnswer {
  const frame = ([fn, url, line, column]: [string, string, number, number]): Frame => ({ function: fn, url: scriptUrl(url), line, column });
  return {
    frames: reply.head.map(frame),
    tail: reply.tail.map(frame),
    total: reply.total,
    ...(reply.waitingOn ? { waitingOn: reply.waitingOn } : {}),
    ...(reply.entered ? { entered: true } : {}),
    ...(reply.requests ? { requests: withAwaitUrls(reply.requests) } : {}),
  };
}

/** --async-stacks chains name scripts as V8 does (a CommonJS one by path): the log says URL, as for frames. */
function withAwaitUrls(requests: NonNullable<ProbeReply['requests']>): NonNullable<ProbeReply['requests']> {
  for (const request of requests.inFlight.server) for (const frame of request.awaiting ?? []) if (frame.url) frame.url = scriptUrl(frame.url);
  return requests;
}
