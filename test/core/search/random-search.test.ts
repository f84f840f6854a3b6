import { describe, expect, it } from 'vitest';
import { BOOK_SEARCH_SPACE, rangeProblem, sampleTrials } from '../../../core/search/random-search.js';

describe('random search (the book §6.5)', () => {
  it('draws every trial inside its bounds, the same trials for the same seed', () => {
    const a = sampleTrials(BOOK_SEARCH_SPACE, 200, 7);
    expect(a).toHaveLength(200);
    for (const t of a) {
      expect(t.learningRate).toBeGreaterThanOrEqual(1e-6);
      expect(t.learningRate).toBeLessThanOrEqual(1e-2);
      expect(t.weightDecay).toBeGreaterThanOrEqual(1e-8);
      expect(t.weightDecay).toBeLessThanOrEqual(1e-4);
    }
    expect(sampleTrials(BOOK_SEARCH_SPACE, 200, 7)).toEqual(a);
    expect(sampleTrials(BOOK_SEARCH_SPACE, 200, 8)).not.toEqual(a);
    expect(a.map((t) => t.index)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('is uniform on a log scale: each decade of 1e-6..1e-2 gets about a quarter of the trials', () => {
    const trials = sampleTrials({ learningRate: { min: 1e-6, max: 1e-2 } }, 4000, 1);
    const decades = [0, 0, 0, 0];
    for (const t of trials) decades[Math.min(3, Math.floor(Math.log10(t.learningRate) + 6))]!++;
    for (const n of decades) expect(n / trials.length).toBeGreaterThan(0.2);
    expect(trials.every((t) => t.weightDecay === undefined)).toBe(true);
  });

  it('refuses bounds a log scale cannot have, naming them', () => {
    expect(rangeProblem('learning rate', { min: 0, max: 1 })).toMatch(/learning rate: bounds must be positive/);
    expect(rangeProblem('weight decay', { min: 1e-2, max: 1e-4 })).toMatch(/weight decay: the lower bound 0.01 is above the upper bound 0.0001/);
    expect(() => sampleTrials({ learningRate: { min: -1, max: 1 } }, 3, 1)).toThrow(/learning rate/);
  });
});
