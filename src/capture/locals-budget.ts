/**
 * Keeps the main-thread time spent reading locals under a share of the time
 * that passes (--locals-budget). Reading locals costs a Debugger.enable, whose
 * main-thread cost grows with the heap (V8 walks it: ~0.35 ms per MB on this
 * machine, BENCHMARKS.md), and a pause. A small program pays a few milliseconds
 * and is never held back; a process with a 1 GB heap would pay ~350 ms a sample,
 * so its samples go without locals until the time spent is earned back.
 *
 * A token bucket: credit accrues at `share` of the elapsed time, up to a cap; a
 * read is allowed while the credit is not negative, and its cost is taken off.
 * The first read of a thread is the exception: V8 does once-per-process work the
 * first time the debugger comes on (it hashes every loaded script), which made
 * that read 3-10x dearer than the next and, charged in full, left the samples
 * after it without locals for seconds. It is charged what the read after it costs.
 */
import { debugLog } from '../diagnostics/debug-log';

const debug = debugLog('sample');

/** Credit saved up while idle is capped at this much elapsed time's worth, so a quiet spell cannot pay for a burst. */
const CREDIT_WINDOW_MS = 10_000;

export class LocalsBudget {
  private credit = 0;
  private since: number;
  private lastCostMs = 0;
  /** The first read, not yet charged: it is charged the cost of the next read. */
  private firstUncharged = false;

  /** `share` is a fraction of the elapsed time (0.01 for 1%). */
  constructor(
    private readonly share: number,
    now = performance.now(),
  ) {
    this.since = now;
  }

  allows(now = performance.now()): boolean {
    this.credit = Math.min(this.credit + (now - this.since) * this.share, CREDIT_WINDOW_MS * this.share);
    this.since = now;
    if (this.credit < 0) debug('locals skipped by --locals-budget: %s ms of main-thread time to earn back', -this.credit);
    return this.credit >= 0;
  }

  /**
   * Charges the main-thread time one read of locals took; `first`: the thread's
   * first, whose one-time part is V8's, charged as the next read costs.
   */
  spend(costMs: number, first = false): void {
    this.lastCostMs = costMs;
    if (first) {
      this.firstUncharged = true;
      return;
    }
    this.credit -= this.firstUncharged ? 2 * costMs : costMs;
    this.firstUncharged = false;
  }

  /** Why a sample goes without locals, for its record; `thread` names the thread the budget is for. */
  refusal(thread = 'the main thread'): string {
    return `over --locals-budget ${formatPercent(this.share)}: reading locals last stopped ${thread} ${this.lastCostMs.toFixed(1)} ms`;
  }
}

function formatPercent(share: number): string {
  return `${Number((share * 100).toPrecision(4))}%`;
}
