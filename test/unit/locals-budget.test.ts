/**
 * Unit tests, in-process: LocalsBudget, the token bucket that keeps the main-thread time spent reading locals
 * under --locals-budget, driven by clock times written out here.
 */
import { describe, expect, it } from 'vitest';
import { LocalsBudget } from '../../src/capture/locals-budget';

describe('LocalsBudget', () => {
  it('allows a read, then refuses until 1% of the elapsed time has paid its cost back', () => {
    const budget = new LocalsBudget(0.01, 0);
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
    const budget = new LocalsBudget(0.01, 0);
    // An hour idle earns 100 ms at most (10 s x 1%).
    expect(budget.allows(3_600_000)).toBe(true);
    budget.spend(60);
    expect(budget.allows(3_600_000)).toBe(true);
    budget.spend(60);
    expect(budget.allows(3_600_000)).toBe(false);
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
