import { describe, expect, it } from 'vitest';
import { filterTiles, tileRgba, tilesOf, visibleCount } from '../../../../../renderer/src/components/inspector/images/tiles.js';

describe('filter and feature-map tiles', () => {
  it('cuts a Conv2d weight [F, C, k, k] into one tile per filter and input channel', () => {
    const t = filterTiles(100, [2, 3, 5, 5]);
    expect(t).toHaveLength(6);
    expect(t.map((x) => x.offset)).toEqual([100, 125, 150, 175, 200, 225]);
    expect(t[4]!.label).toBe('filter 2, channel 2');
    expect(filterTiles(0, [30, 1, 5, 5])[29]!.label).toBe('filter 30');
  });

  it('cuts feature maps [C, H, W] into one tile per channel', () => {
    expect(tilesOf(16, 3, 2, 4, (i) => `c${i}`).map((t) => [t.offset, t.h, t.w, t.label])).toEqual([[16, 2, 4, 'c0'], [24, 2, 4, 'c1'], [32, 2, 4, 'c2']]);
  });

  it('scales each tile to its own range: lowest black, highest white; flat gray; non-finite magenta', () => {
    const values = new Float32Array([9, -2, 0, 2, 5, 5, NaN, 5]);
    const gray = (rgba: Uint8ClampedArray) => Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]!);
    expect(gray(tileRgba(values, { offset: 1, h: 1, w: 3, label: '' }))).toEqual([0, 128, 255]);
    expect(gray(tileRgba(values, { offset: 4, h: 1, w: 2, label: '' }))).toEqual([128, 128]);
    const bad = tileRgba(values, { offset: 6, h: 1, w: 2, label: '' });
    expect(Array.from(bad.subarray(0, 4))).toEqual([255, 0, 255, 255]);
  });

  it('draws at most the tiles asked for', () => {
    expect(visibleCount(30, 48)).toBe(30);
    expect(visibleCount(64, 48)).toBe(48);
  });
});
