import { describe, expect, it } from 'vitest';
import { divergingAt, divergingLut, NON_FINITE_COLOR } from '../../../renderer/src/viz/color.js';
import { cellAt, cellLayout, heatmapPixels } from '../../../renderer/src/viz/heatmap.js';
import { tileAt, tileGrid, tileOrigin, unitLimits, weightTilePixels } from '../../../renderer/src/viz/weights.js';

const lut = divergingLut('light');
const px = (p: Uint8ClampedArray, i: number) => [p[i * 4], p[i * 4 + 1], p[i * 4 + 2], p[i * 4 + 3]];

describe('heatmapPixels', () => {
  const values = new Float32Array([-1, 0, 1, 0.5, NaN, -0.5]); // 2 x 3

  it('colours every cell by its value, row-major, opaque', () => {
    const p = heatmapPixels(values, 2, 3, lut, 1);
    expect(p.length).toBe(2 * 3 * 4);
    expect(px(p, 0)).toEqual([...divergingAt(-1, 'light'), 255]);
    expect(px(p, 1)).toEqual([...divergingAt(0, 'light'), 255]);
    expect(px(p, 2)).toEqual([...divergingAt(1, 'light'), 255]);
    expect(px(p, 4)).toEqual([...NON_FINITE_COLOR, 255]);
  });

  it('transposed, pixel (i, j) shows value (j, i)', () => {
    const p = heatmapPixels(values, 2, 3, lut, 1, true); // picture is 3 rows x 2 cols
    expect(px(p, 0 * 2 + 1)).toEqual(px(heatmapPixels(values, 2, 3, lut, 1), 1 * 3 + 0)); // (0,1) <- (1,0)
    expect(px(p, 2 * 2 + 0)).toEqual([...divergingAt(1, 'light'), 255]); // (2,0) <- (0,2)
    expect(px(p, 1 * 2 + 1)).toEqual([...NON_FINITE_COLOR, 255]); // (1,1) <- (1,1)
  });

  it('names the mismatch when the values do not fill the shape', () => {
    expect(() => heatmapPixels(values, 3, 3, lut, 1)).toThrow('heatmap: 3x3 needs 9 values, got 6');
  });
});

describe('cellLayout and cellAt', () => {
  it('uses square cells when they fit', () => {
    const l = cellLayout(10, 10, 200, 200, 24);
    expect(l).toEqual({ cellW: 20, cellH: 20, width: 200, height: 200, downsampled: false });
  });

  it('stretches the short side of a long matrix instead of making it a hairline', () => {
    const l = cellLayout(1, 50, 600, 300); // a bias vector
    expect(l.cellW).toBe(12);
    expect(l.cellH).toBeGreaterThan(l.cellW);
    expect(l.cellH).toBeLessThanOrEqual(24);
  });

  it('scales a matrix with more cells than pixels down to fit the box, whole', () => {
    const l = cellLayout(784, 50, 600, 300);
    expect(l.downsampled).toBe(true);
    expect(l.height).toBeCloseTo(300);
    expect(l.cellH).toBeCloseTo(300 / 784);
    expect(l.cellW).toBe(12);
    // The mouse still finds the last row at the bottom edge.
    expect(cellAt(5, 299.9, l, 784, 50)).toEqual({ row: 783, col: 0 });
  });

  it('finds the cell under the mouse and nothing outside', () => {
    const l = { cellW: 4, cellH: 3 };
    expect(cellAt(0, 0, l, 5, 7)).toEqual({ row: 0, col: 0 });
    expect(cellAt(27.9, 14.9, l, 5, 7)).toEqual({ row: 4, col: 6 });
    expect(cellAt(28, 0, l, 5, 7)).toBeNull();
    expect(cellAt(-1, 0, l, 5, 7)).toBeNull();
  });
});

describe('first-layer weight tiles', () => {
  // W is [inputs=4 (2x2 image), outputs=3]; unit j's tile is column j.
  const W = new Float32Array([
    1, 0, -2, //
    0, 0.5, 0, //
    -1, 0, 2, //
    0, -0.5, 0,
  ]);

  it('reads one column of W as the tile of that unit', () => {
    const p = weightTilePixels(W, 4, 3, 2, lut, 2);
    expect(px(p, 0)).toEqual([...divergingAt(-1, 'light'), 255]);
    expect(px(p, 2)).toEqual([...divergingAt(1, 'light'), 255]);
    expect(px(p, 1)).toEqual([...divergingAt(0, 'light'), 255]);
  });

  it('gives each unit its own scale', () => {
    expect(Array.from(unitLimits(W, 4, 3))).toEqual([1, 0.5, 2]);
  });

  it('rejects a unit that does not exist', () => {
    expect(() => weightTilePixels(W, 4, 3, 3, lut, 1)).toThrow(/unit 3 outside 0..2/);
  });

  it('lays 50 tiles of 28x28 out in rows that fit the width', () => {
    const g = tileGrid(50, 28, 28, 600, 2, 3);
    expect(g.width).toBeLessThanOrEqual(600);
    expect(g.columns * g.rows).toBeGreaterThanOrEqual(50);
    expect((g.rows - 1) * g.columns).toBeLessThan(50);
    expect(g.scale).toBeGreaterThanOrEqual(1);
    // Narrow panes shrink the tiles before giving up columns.
    expect(tileGrid(50, 28, 28, 200, 2, 3).scale).toBe(1);
  });

  it('finds the tile and the image pixel under the mouse, and nothing in the gaps or past the last tile', () => {
    const g = tileGrid(7, 4, 3, 100, 2, 3); // tiles of 4x3 pixels drawn 3x: 12x9 screen pixels, 14 and 11 apart
    expect([g.columns, g.rows, g.scale, g.stepX, g.stepY]).toEqual([7, 1, 3, 14, 11]);
    const g3 = tileGrid(7, 4, 3, 20, 2, 3); // 20 px wide: unenlarged, 3 a row, 6 and 5 apart
    expect([g3.columns, g3.rows, g3.scale, g3.stepX, g3.stepY]).toEqual([3, 3, 1, 6, 5]);
    expect(tileOrigin(g3, 4)).toEqual({ x: 6, y: 5 });
    expect(tileAt(g, 0, 0)).toEqual({ unit: 0, r: 0, c: 0 });
    expect(tileAt(g, 14 + 11.9, 8.9)).toEqual({ unit: 1, r: 2, c: 3 });
    expect(tileAt(g, 12.5, 4)).toBeNull(); // the gap after tile 0
    expect(tileAt(g, 4, 9.5)).toBeNull(); // under the tiles' last pixel row
    expect(tileAt(g, -1, 4)).toBeNull();
    expect(tileAt(g3, 1, 11)).toEqual({ unit: 6, r: 1, c: 1 }); // the last tile, alone on the third row
    expect(tileAt(g3, 7, 11)).toBeNull(); // where an 8th tile would be
  });
});
