import { describe, expect, it } from 'vitest';
import { generate2D } from '../../../core/data/synthetic2d.js';
import { StudioError } from '../../../core/errors.js';

describe('2-D synthetic data sets', () => {
  it('gives the same points for the same seed and different points for another seed', () => {
    const a = generate2D({ kind: 'spiral', count: 300, noise: 0.2, seed: 7 });
    const b = generate2D({ kind: 'spiral', count: 300, noise: 0.2, seed: 7 });
    const c = generate2D({ kind: 'spiral', count: 300, noise: 0.2, seed: 8 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
  });

  it('interleaves classes so every class has its share', () => {
    const d = generate2D({ kind: 'gaussians', count: 301, noise: 0.1, seed: 1, classes: 3 });
    expect(d.features).toBe(2);
    expect(d.x.length).toBe(602);
    expect(d.classNames).toHaveLength(3);
    const counts = [0, 0, 0];
    for (const l of d.labels) counts[l]!++;
    expect(counts).toEqual([101, 100, 100]);
  });

  it('circles without noise: inner disk and outer ring do not overlap', () => {
    const d = generate2D({ kind: 'circles', count: 400, noise: 0, seed: 3 });
    for (let i = 0; i < d.count; i++) {
      const r = Math.hypot(d.x[2 * i]!, d.x[2 * i + 1]!);
      if (d.labels[i] === 0) expect(r).toBeLessThanOrEqual(2.5 + 1e-5);
      else expect(r).toBeGreaterThanOrEqual(3.5 - 1e-5);
    }
  });

  it('xor without noise: the label is the sign of x·y', () => {
    const d = generate2D({ kind: 'xor', count: 400, noise: 0, seed: 3 });
    for (let i = 0; i < d.count; i++) {
      const p = d.x[2 * i]! * d.x[2 * i + 1]!;
      expect(d.labels[i]).toBe(p > 0 ? 0 : 1);
    }
  });

  it('spiral arms are not linearly separable but noise keeps points finite and bounded', () => {
    const d = generate2D({ kind: 'spiral', count: 1000, noise: 1, seed: 5, classes: 4 });
    for (const v of d.x) {
      expect(Number.isFinite(v)).toBe(true);
      expect(Math.abs(v)).toBeLessThan(20);
    }
    // Each arm winds around the origin: its points cover every quadrant.
    const quadrants = new Set<string>();
    for (let i = 0; i < d.count; i++) {
      if (d.labels[i] === 0) quadrants.add(`${Math.sign(d.x[2 * i]!)},${Math.sign(d.x[2 * i + 1]!)}`);
    }
    expect(quadrants.size).toBe(4);
  });

  it('rejects bad settings with a clear error', () => {
    expect(() => generate2D({ kind: 'xor', count: 10, noise: 0, seed: 1, classes: 3 })).toThrow(/always has 2 classes/);
    expect(() => generate2D({ kind: 'spiral', count: 1, noise: 0, seed: 1 })).toThrow(StudioError);
    expect(() => generate2D({ kind: 'spiral', count: 10, noise: 2, seed: 1 })).toThrow(/noise must be in 0\.\.1/);
    expect(() => generate2D({ kind: 'gaussians', count: 10, noise: 0, seed: 1, classes: 9 })).toThrow(/classes must be 2\.\.8/);
  });
});
