/**
 * Unit tests, in-process: ScriptPile, which decides when a full collection frees the scripts tripod's reads
 * leave for every Debugger.enable to replay, from replay counts and collection costs written out here.
 */
import { describe, expect, it } from 'vitest';
import { COLLECT_MS_PER_MB, LEAST_COLLECTION_MS, MOST_COLLECTION_MS, ScriptPile } from '../../src/capture/script-pile';

/** Enables that each replay `perSample` more scripts than the last, from `base`. */
function growing(pile: ScriptPile, base: number, perSample: number, samples: number): void {
  for (let i = 0; i < samples; i++) pile.replayed(base + i * perSample);
}

describe('ScriptPile', () => {
  it('owes nothing while the count stays at the program\'s own scripts, whatever it is', () => {
    const pile = new ScriptPile(1);
    for (let i = 0; i < 1000; i++) pile.replayed(400);
    expect(pile.debtMs).toBe(0);
    expect(pile.owesEnough).toBe(false);
    expect(pile.due(0)).toBe(false);
  });

  it('adds each enable\'s piled scripts at their replay cost, counted from the fewest seen', () => {
    const pile = new ScriptPile(0.5);
    pile.replayed(100);
    pile.replayed(103);
    pile.replayed(106);
    // 0 + 3 + 6 scripts over the fewest, 0.5 ms each.
    expect(pile.debtMs).toBe(4.5);
    // A collection of the program's own (the count fell) shed the pile: nothing is owed any more, from a lower floor.
    pile.replayed(90);
    expect(pile.debtMs).toBe(0);
    pile.replayed(92);
    expect(pile.debtMs).toBe(1);
  });

  it('never asks for a collection expected to stop the program longer than MOST_COLLECTION_MS', () => {
    const pile = new ScriptPile(1);
    growing(pile, 100, 10, 30);
    const heapOfMost = (MOST_COLLECTION_MS / COLLECT_MS_PER_MB) * 1048576;
    expect(pile.due(heapOfMost * 2)).toBe(false);
    expect(pile.due(heapOfMost / 2)).toBe(true);
    pile.collected(MOST_COLLECTION_MS + 1);
    growing(pile, 100, 10, 30);
    expect(pile.debtMs).toBeGreaterThan(MOST_COLLECTION_MS * 10);
    expect(pile.due()).toBe(false);
  });

  it('is due once the debt reaches the first collection\'s cost estimated from the heap', () => {
    const pile = new ScriptPile(0.01);
    const heap = 80 * 1048576;
    const estimate = 80 * COLLECT_MS_PER_MB;
    growing(pile, 100, 2, 60);
    expect(pile.debtMs).toBeLessThan(estimate);
    expect(pile.owesEnough).toBe(true);
    expect(pile.due(heap)).toBe(false);
    growing(pile, 220, 2, 20);
    expect(pile.debtMs).toBeGreaterThanOrEqual(estimate);
    expect(pile.due(heap)).toBe(true);
  });

  it('then waits for a debt as large as the last collection measured, and starts from what the collection left', () => {
    const pile = new ScriptPile(1);
    growing(pile, 100, 1, 3);
    expect(pile.due(0)).toBe(true);
    pile.collected(20);
    expect(pile.lastCostMs).toBe(20);
    expect(pile.debtMs).toBe(0);
    // After the collection the count is the program's own again: the floor is found anew (here higher: it loaded modules).
    pile.replayed(150);
    pile.replayed(152);
    pile.replayed(155);
    expect(pile.debtMs).toBe(7);
    expect(pile.owesEnough).toBe(false);
    expect(pile.due(1e12)).toBe(false);
    pile.replayed(163);
    expect(pile.debtMs).toBe(20);
    expect(pile.due()).toBe(true);
  });

  it('never collects for less than the least worth a collection, a small heap or a cheap last one', () => {
    const pile = new ScriptPile(0.1);
    pile.replayed(10);
    pile.replayed(15);
    expect(pile.debtMs).toBeLessThan(LEAST_COLLECTION_MS);
    expect(pile.due(0)).toBe(false);
    pile.collected(0.01);
    pile.replayed(10);
    pile.replayed(19);
    expect(pile.due()).toBe(false);
    pile.replayed(20);
    expect(pile.due()).toBe(true);
  });

  it('keeps its pile where the target has no collector', () => {
    const pile = new ScriptPile(1);
    growing(pile, 100, 5, 10);
    expect(pile.due(0)).toBe(true);
    pile.cannotCollect();
    expect(pile.owesEnough).toBe(false);
    expect(pile.due(0)).toBe(false);
  });
});
