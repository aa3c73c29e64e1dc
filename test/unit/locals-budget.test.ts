/**
 * Unit tests, in-process: LocalsBudget, the token bucket that keeps the main-thread time spent reading locals
 * under --locals-budget, driven by clock times written out here.
 */
import { describe, expect, it } from 'vitest';
import { LocalsBudget } from '../../src/capture/locals-budget';

/** A budget past its first read, so that each read is charged what it cost. */
function spentBudget(share: number): LocalsBudget {
  const budget = new LocalsBudget(share, 0);
  budget.spend(0, true);
  budget.spend(0);
  return budget;
}

describe('LocalsBudget', () => {
  it('allows a read, then refuses until 1% of the elapsed time has paid its cost back', () => {
    const budget = spentBudget(0.01);
    expect(budget.allows(0)).toBe(true);
    budget.spend(20);
    // 20 ms of debt at 1%: earned back after 2,000 ms.
    expect(budget.allows(1000)).toBe(false);
    expect(budget.allows(1999)).toBe(false);
    expect(budget.allows(2000)).toBe(true);
    expect(budget.refusal()).toBe('over --locals-budget 1%: reading locals last stopped the main thread 20.0 ms');
    expect(budget.refusal('the thread')).toBe('over --locals-budget 1%: reading locals last stopped the thread 20.0 ms');
  });

  it('caps the credit saved while idle at 10 s worth, so a quiet spell cannot pay for a burst', () => {
    const budget = spentBudget(0.01);
    // An hour idle earns 100 ms at most (10 s x 1%).
    expect(budget.allows(3_600_000)).toBe(true);
    budget.spend(60);
    expect(budget.allows(3_600_000)).toBe(true);
    budget.spend(60);
    expect(budget.allows(3_600_000)).toBe(false);
  });

  it('charges the first read what the read after it costs: its one-time part is V8\'s, once per process', () => {
    // A dear first read (V8 hashes every loaded script the first time the debugger comes on) costs nothing yet...
    const fresh = new LocalsBudget(0.01, 0);
    expect(fresh.allows(0)).toBe(true);
    fresh.spend(400, true);
    expect(fresh.allows(0)).toBe(true);
    expect(fresh.refusal()).toContain('400.0 ms');
    // ...and is charged the next read's 5 ms, with that read's own: 10 ms, earned back in 1 s at 1%.
    fresh.spend(5);
    expect(fresh.allows(999)).toBe(false);
    expect(fresh.allows(1000)).toBe(true);
    // Only once: the next reads are charged what they cost.
    fresh.spend(5);
    expect(fresh.allows(1499)).toBe(false);
    expect(fresh.allows(1500)).toBe(true);
  });

  it('keeps to the share in the long run: 6 ms reads at 0.5 s under 1% get 5 of 6 samples', () => {
    const budget = new LocalsBudget(0.01, 0);
    let reads = 0;
    let first = true;
    const samples = 1200; // 10 minutes
    for (let i = 1; i <= samples; i++) {
      if (!budget.allows(i * 500)) continue;
      budget.spend(first ? 40 : 6, first);
      first = false;
      reads++;
    }
    expect(reads / samples).toBeGreaterThan(0.82);
    expect(reads / samples).toBeLessThan(0.86);
  });

  it('a share of 100% never refuses a read that cost less than the time since the last', () => {
    const budget = new LocalsBudget(1, 0);
    for (let t = 10; t <= 1000; t += 10) {
      expect(budget.allows(t)).toBe(true);
      budget.spend(9);
    }
    expect(new LocalsBudget(0.0001, 0).refusal()).toBe('over --locals-budget 0.01%: reading locals last stopped the main thread 0.0 ms');
  });
});
