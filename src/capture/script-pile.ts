/**
 * When to free the scripts tripod's own reads leave in the target. Every sample
 * that reads locals compiles three (the probe's evaluate, the lookup of the
 * in-target reader and the call into it) as new scripts: V8 keeps no compilation cache while the
 * debugger is on and empties it when it comes on. They are garbage at once, but
 * they live until a full GC, and every later Debugger.enable replays each of
 * them on the main thread (~13 µs here, BENCHMARKS.md). A program that never
 * runs a full GC of its own would see the stop per sample creep up without end.
 *
 * So the pile is paid for as skis are rented: each enable adds what its piled
 * scripts cost it to a debt, and once the debt since the last collection is as
 * large as a collection costs (the last one measured, or the first estimated
 * from the heap's size), one synchronous full collection frees them: never
 * more than twice what the best schedule would cost. A count that falls on its
 * own (the program's collections shed the pile, as most do) clears the debt,
 * and a heap whose collection would stop the program more than
 * MOST_COLLECTION_MS keeps its pile.
 */

/** Main-thread time one piled script adds to a Debugger.enable (Node 20, the project's machine: BENCHMARKS.md). */
export const REPLAY_MS_PER_SCRIPT = 0.013;
/** A full collection's cost per MB of used heap, for the first one (~0.55 ms/MB measured at 114 and 446 MB). */
export const COLLECT_MS_PER_MB = 0.55;
/** No collection is worth less than this: a debt below it is noise. */
export const LEAST_COLLECTION_MS = 1;
/**
 * Nor is one run that is expected to stop the program longer than this (a large heap): one long stop is worse
 * than a slow climb that --locals-budget bounds, so such a heap keeps its pile.
 */
export const MOST_COLLECTION_MS = 50;

export class ScriptPile {
  /** The fewest scripts an enable replayed since the last collection: the program's own. */
  private fewest?: number;
  private last?: number;
  private debt = 0;
  private measuredMs?: number;
  private unable = false;

  constructor(private readonly perScriptMs = REPLAY_MS_PER_SCRIPT) {}

  /** An enable replayed `count` scripts. */
  replayed(count: number): void {
    // Fewer than the last: a collection of the program's own shed the pile, and nothing is owed for it any more.
    if (this.last !== undefined && count < this.last) {
      this.debt = 0;
      this.fewest = count;
    }
    this.last = count;
    if (this.fewest === undefined || count < this.fewest) this.fewest = count;
    this.debt += (count - this.fewest) * this.perScriptMs;
  }

  get debtMs(): number {
    return this.debt;
  }

  /** The last collection's cost, once one was measured. */
  get lastCostMs(): number | undefined {
    return this.measuredMs;
  }

  /** Worth finding out what a collection would cost (the heap's size, for the first). */
  get owesEnough(): boolean {
    return !this.unable && this.debt >= Math.max(LEAST_COLLECTION_MS, this.measuredMs ?? 0);
  }

  /** A collection is due: the debt has reached what one costs (`usedHeapBytes` estimates the first). */
  due(usedHeapBytes?: number): boolean {
    if (!this.owesEnough) return false;
    const cost = this.measuredMs ?? ((usedHeapBytes ?? 0) / 1048576) * COLLECT_MS_PER_MB;
    return cost <= MOST_COLLECTION_MS && this.debt >= Math.max(LEAST_COLLECTION_MS, cost);
  }

  /** A collection ran and took `costMs` of the main thread's time: the pile starts again from what is left. */
  collected(costMs: number): void {
    this.measuredMs = costMs;
    this.debt = 0;
    this.fewest = undefined;
    this.last = undefined;
  }

  /** The target has no collector for tripod (a process it did not start): the pile stays. */
  cannotCollect(): void {
    this.unable = true;
  }
}
