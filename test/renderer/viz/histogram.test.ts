import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogram, summarize } from '../../../renderer/src/viz/histogram.js';

const sum = (a: Uint32Array) => a.reduce((s, v) => s + v, 0);

describe('histogram', () => {
  it('bins sum to the number of finite values, for any input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity))),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (values, bins, symmetric) => {
          const h = histogram(values, bins, { symmetric });
          const finite = values.filter(Number.isFinite).length;
          expect(sum(h.counts)).toBe(finite);
          expect(h.finite).toBe(finite);
          expect(h.nonFinite).toBe(values.length - finite);
          expect(h.edges.length).toBe(bins + 1);
          for (let i = 1; i < h.edges.length; i++) expect(h.edges[i]!).toBeGreaterThan(h.edges[i - 1]!);
        },
      ),
    );
  });

  it('puts every value in the bin whose edges contain it', () => {
    const values = [-1, -0.5, 0, 0.24, 0.25, 0.99, 1];
    const h = histogram(values, 4);
    expect(Array.from(h.edges)).toEqual([-1, -0.5, 0, 0.5, 1]);
    // [-1,-0.5): -1 | [-0.5,0): -0.5 | [0,0.5): 0, 0.24, 0.25 | [0.5,1]: 0.99, 1 (last bin closed)
    expect(Array.from(h.counts)).toEqual([1, 1, 3, 2]);
    expect(h.min).toBe(-1);
    expect(h.max).toBe(1);
  });

  it('symmetric ranges centre zero', () => {
    const h = histogram([0.1, 0.3, -0.05], 6, { symmetric: true });
    expect(h.edges[0]).toBeCloseTo(-0.3);
    expect(h.edges[6]).toBeCloseTo(0.3);
    expect(h.edges[3]).toBeCloseTo(0);
  });

  it('draws a visible bar when every value is the same', () => {
    const h = histogram(new Float32Array(50), 10);
    expect(sum(h.counts)).toBe(50);
    expect(h.edges[0]!).toBeLessThan(0);
    expect(h.edges[10]!).toBeGreaterThan(0);
    const h2 = histogram([3, 3, 3], 5);
    expect(sum(h2.counts)).toBe(3);
    expect(h2.edges[0]!).toBeLessThan(3);
    expect(h2.edges[5]!).toBeGreaterThan(3);
  });

  it('clamps values outside a fixed range into the end bins', () => {
    const h = histogram([-5, 0.5, 5], 2, { range: [0, 1] });
    expect(Array.from(h.counts)).toEqual([1, 2]);
  });

  it('rejects nonsense bin counts and ranges with a clear message', () => {
    expect(() => histogram([1], 0)).toThrow(/bins must be a positive integer/);
    expect(() => histogram([1], 2.5)).toThrow(/bins/);
    expect(() => histogram([1], 2, { range: [1, 1] })).toThrow(/range/);
  });

  it('counts a NaN-only tensor as non-finite, not as an empty one', () => {
    const h = histogram([NaN, NaN], 4);
    expect(h.nonFinite).toBe(2);
    expect(h.finite).toBe(0);
    expect(Number.isNaN(h.min)).toBe(true);
  });
});

describe('summarize', () => {
  it('gives mean, population std and L2 norm of the finite values', () => {
    const s = summarize([3, 4, NaN]);
    expect(s.mean).toBe(3.5);
    expect(s.std).toBeCloseTo(0.5);
    expect(s.norm).toBe(5);
    expect(s.finite).toBe(2);
  });
});
