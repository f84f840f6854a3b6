import { describe, expect, it } from 'vitest';
import {
  classColor,
  contrastRatio,
  divergingAt,
  divergingColor,
  divergingIndex,
  divergingLut,
  LUT_SIZE,
  NON_FINITE_COLOR,
  rgbToOklab,
  sequentialAt,
  symmetricLimit,
  textColorOn,
  type RGB,
  type Theme,
} from '../../../renderer/src/viz/color.js';

const THEMES: Theme[] = ['light', 'dark'];
// The backgrounds the studio's themes are built around (near white, near black).
const BACKGROUND: Record<Theme, RGB> = { light: [255, 255, 255], dark: [24, 25, 30] };
const chroma = (c: RGB) => Math.hypot(rgbToOklab(c).a, rgbToOklab(c).b);

describe('diverging colour scale', () => {
  for (const theme of THEMES) {
    describe(theme, () => {
      it('is symmetric around zero: +v and -v have the same lightness and chroma', () => {
        for (let t = 0.05; t <= 1; t += 0.05) {
          const pos = rgbToOklab(divergingAt(t, theme));
          const neg = rgbToOklab(divergingAt(-t, theme));
          expect(Math.abs(pos.L - neg.L)).toBeLessThan(0.01);
          expect(Math.abs(Math.hypot(pos.a, pos.b) - Math.hypot(neg.a, neg.b))).toBeLessThan(0.012);
        }
      });

      it('puts zero at a neutral grey and the two signs on different hues', () => {
        expect(chroma(divergingAt(0, theme))).toBeLessThan(0.005);
        const pos = rgbToOklab(divergingAt(1, theme));
        const neg = rgbToOklab(divergingAt(-1, theme));
        // Positive is warm (a > 0: red side), negative is cool (b < 0: blue side).
        expect(pos.a).toBeGreaterThan(0.05);
        expect(neg.b).toBeLessThan(-0.05);
      });

      it('gets stronger with |v|: the distance from the zero colour grows monotonically', () => {
        const zero = rgbToOklab(divergingAt(0, theme));
        let prev = 0;
        for (let t = 0.1; t <= 1.0001; t += 0.1) {
          const c = rgbToOklab(divergingAt(t, theme));
          const d = Math.hypot(c.L - zero.L, c.a - zero.a, c.b - zero.b);
          expect(d).toBeGreaterThan(prev);
          prev = d;
        }
      });

      it('keeps zero close to the background and the extremes readable against it', () => {
        expect(contrastRatio(divergingAt(0, theme), BACKGROUND[theme])).toBeLessThan(1.6);
        expect(contrastRatio(divergingAt(1, theme), BACKGROUND[theme])).toBeGreaterThan(3);
        expect(contrastRatio(divergingAt(-1, theme), BACKGROUND[theme])).toBeGreaterThan(3);
      });

      it('has a lookup table whose middle entry is zero and whose ends mirror each other', () => {
        const lut = divergingLut(theme);
        expect(lut.length).toBe(LUT_SIZE * 4);
        const mid = (LUT_SIZE - 1) / 2;
        expect(Array.from(lut.slice(mid * 4, mid * 4 + 3))).toEqual([...divergingAt(0, theme)]);
        expect(Array.from(lut.slice(0, 3))).toEqual([...divergingAt(-1, theme)]);
        expect(Array.from(lut.slice((LUT_SIZE - 1) * 4, (LUT_SIZE - 1) * 4 + 3))).toEqual([...divergingAt(1, theme)]);
      });
    });
  }

  it('maps values through the limit and saturates beyond it', () => {
    const mid = (LUT_SIZE - 1) / 2;
    expect(divergingIndex(0, 2)).toBe(mid);
    expect(divergingIndex(2, 2)).toBe(LUT_SIZE - 1);
    expect(divergingIndex(-2, 2)).toBe(0);
    expect(divergingIndex(50, 2)).toBe(LUT_SIZE - 1);
    expect(divergingIndex(1, 2)).toBe(mid + Math.round(mid / 2));
    expect(mid - divergingIndex(-0.3, 1)).toBe(divergingIndex(0.3, 1) - mid);
  });

  it('maps everything to the zero colour when the limit is 0 (fresh zero biases)', () => {
    expect(divergingIndex(0, 0)).toBe((LUT_SIZE - 1) / 2);
    expect(divergingColor(0, 0, 'light')).toEqual(divergingAt(0, 'light'));
  });

  it('shows NaN and infinities in a colour no finite value gets', () => {
    expect(divergingColor(NaN, 1, 'dark')).toEqual(NON_FINITE_COLOR);
    expect(divergingColor(Infinity, 1, 'light')).toEqual(NON_FINITE_COLOR);
    const lut = divergingLut('light');
    for (let i = 0; i < LUT_SIZE; i++) {
      const c = [lut[i * 4], lut[i * 4 + 1], lut[i * 4 + 2]];
      expect(c).not.toEqual([...NON_FINITE_COLOR]);
    }
  });
});

describe('symmetricLimit', () => {
  it('is the largest |v| among finite values', () => {
    expect(symmetricLimit(new Float32Array([0.5, -3, 2, NaN, -Infinity]))).toBe(3);
    expect(symmetricLimit([])).toBe(0);
  });

  it('with a quantile ignores a lone outlier', () => {
    const v = new Float32Array(1000).map((_, i) => (i % 2 ? 1 : -1) * ((i % 100) / 100));
    v[3] = 1000;
    expect(symmetricLimit(v)).toBe(1000);
    const q = symmetricLimit(v, 0.99);
    expect(q).toBeGreaterThan(0.9);
    expect(q).toBeLessThan(1);
  });
});

describe('sequential scale and text colours', () => {
  for (const theme of THEMES) {
    it(`${theme}: runs from near the background to a strong colour, lightness monotone`, () => {
      expect(contrastRatio(sequentialAt(0, theme), BACKGROUND[theme])).toBeLessThan(1.3);
      expect(contrastRatio(sequentialAt(1, theme), BACKGROUND[theme])).toBeGreaterThan(3);
      const Ls = [0, 0.25, 0.5, 0.75, 1].map((t) => rgbToOklab(sequentialAt(t, theme)).L);
      const dir = Math.sign(Ls[4]! - Ls[0]!);
      for (let i = 1; i < Ls.length; i++) expect(Math.sign(Ls[i]! - Ls[i - 1]!)).toBe(dir);
    });

    it(`${theme}: text on any cell colour has a contrast of at least 4.5`, () => {
      for (let t = 0; t <= 1; t += 0.05) {
        const bg = sequentialAt(t, theme);
        expect(contrastRatio(textColorOn(bg), bg)).toBeGreaterThanOrEqual(4.5);
      }
    });
  }
});

describe('class colours', () => {
  it('are distinct for the first 20 classes and stable', () => {
    const seen = new Set<string>();
    for (let k = 0; k < 20; k++) seen.add(classColor(k).join(','));
    expect(seen.size).toBe(20);
    expect(classColor(0)).toEqual(classColor(0));
  });
});
