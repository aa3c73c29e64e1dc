/**
 * The stack probe, from the sampler's side: one Runtime.callFunctionOn of the
 * probe context's function (probe-context.ts). It runs inside the inspector's
 * interrupt, on top of whatever JS is running, and returns the stack as V8's
 * call sites describe it — no Debugger domain, so nothing is deoptimised and no
 * pause is left armed, and none of the program's code runs. An idle thread runs
 * it from the event loop with nothing beneath it; a thread blocked in native code
 * answers only when the call returns.
 */
import type { Frame } from '../sample/types';
import type { CdpClient } from './cdp';
import { scriptUrl } from './frames';
import { holderInstallExpression, PROBE_FUNCTION, PROBE_HOLDER, PROBE_SCRIPT, type ProbeReply } from './probe-context';

export { PROBE_FUNCTION, PROBE_SCRIPT };

/** Frames the probe adds on top: its function, the holder's method, and the function callFunctionOn runs. */
const OWN_FRAMES = 3;
/** The object group that keeps the holder's id alive for the session. */
const PROBE_GROUP = 'tripod-probe';

export interface ProbeAnswer {
  /** Frames beneath the probe, top first: the top `head` of them. */
  frames: Frame[];
  /** The bottom frames, when the stack is deeper than `frames`. */
  tail: Frame[];
  /** How many frames the stack has beneath the probe. */
  total: number;
  /** What an idle event loop waits on (process.getActiveResourcesInfo()). */
  waitingOn?: string[];
}

/**
 * The probe of one thread. The holder is found once per session, by a property
 * read on the global object (plain syntax: nothing the program can replace is
 * called), or installed at the first use where tripod did not put it first.
 */
export class StackProbe {
  private holder?: Promise<string>;

  constructor(
    private readonly cdp: CdpClient,
    /** How many frames from the top are described (the bottom ones too, up to `tail`). */
    private readonly head: number,
    private readonly tail: number,
  ) {}

  async run(): Promise<ProbeAnswer> {
    this.holder ??= this.findHolder();
    let objectId: string;
    try {
      objectId = await this.holder;
    } catch (error) {
      this.holder = undefined;
      throw error;
    }
    const { result, exceptionDetails } = await this.cdp.post('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: 'function (skip, head, tail) { return this.probe(skip, head, tail); }',
      arguments: [{ value: OWN_FRAMES }, { value: this.head }, { value: this.tail }],
      returnByValue: true,
      silent: true,
    });
    if (exceptionDetails || typeof result.value !== 'string') throw new Error(`stack probe failed: ${exceptionDetails?.text ?? 'no answer'}`);
    return answerOf(JSON.parse(result.value) as ProbeReply);
  }

  private async findHolder(): Promise<string> {
    const found = await this.cdp.post('Runtime.evaluate', { expression: `this.${PROBE_HOLDER}`, objectGroup: PROBE_GROUP, silent: true });
    if (found.result.objectId) return found.result.objectId;
    const installed = await this.cdp.post('Runtime.evaluate', { expression: holderInstallExpression(), objectGroup: PROBE_GROUP, silent: true });
    if (installed.result.objectId) return installed.result.objectId;
    throw new Error(`stack probe failed: it cannot be installed here (${installed.exceptionDetails?.exception?.description?.split('\n')[0] ?? 'no node:vm'})`);
  }
}

function answerOf(reply: ProbeReply): ProbeAnswer {
  const frame = ([fn, url, line, column]: [string, string, number, number]): Frame => ({ function: fn, url: scriptUrl(url), line, column });
  return { frames: reply.head.map(frame), tail: reply.tail.map(frame), total: reply.total, ...(reply.waitingOn ? { waitingOn: reply.waitingOn } : {}) };
}
