import { describe, expect, it } from 'vitest';
import { classColor } from '../../../renderer/src/viz/color.js';
import { confusionSize, rowNormalize, summarizeConfusion } from '../../../renderer/src/viz/confusion.js';
import { gridCellAt, niceTicks, regionPixels, toData, toPixel } from '../../../renderer/src/viz/regions.js';

describe('confusion matrix arithmetic', () => {
  // true class rows, predicted columns
  const counts = new Int32Array([
    5, 1, 0, //
    2, 6, 2, //
    0, 0, 0,
  ]);

  it('row-normalises, leaving empty rows at zero', () => {
    const r = rowNormalize(counts);
    expect(Array.from(r.slice(0, 3))).toEqual([5 / 6, 1 / 6, 0]);
    expect(Array.from(r.slice(3, 6))).toEqual([0.2, 0.6, 0.2]);
    expect(Array.from(r.slice(6, 9))).toEqual([0, 0, 0]);
  });

  it('summarises accuracy, recall per true class and precision per predicted class', () => {
    const s = summarizeConfusion(counts);
    expect(s.total).toBe(16);
    expect(s.correct).toBe(11);
    expect(s.accuracy).toBe(11 / 16);
    expect(s.recall[0]).toBe(5 / 6);
    expect(s.recall[1]).toBe(0.6);
    expect(Number.isNaN(s.recall[2])).toBe(true);
    expect(s.precision[0]).toBe(5 / 7);
    expect(s.precision[2]).toBe(0);
  });

  it('checks the counts against the class names', () => {
    expect(confusionSize(9, 3)).toBe(3);
    expect(() => confusionSize(8)).toThrow('confusion matrix: 8 counts is not a square number');
    expect(() => confusionSize(9, 4)).toThrow('confusion matrix: 3x3 counts for 4 class names');
  });
});

describe('decision regions', () => {
  const bg = [255, 255, 255] as const;

  it('tints each cell with its class colour, stronger where the network is sure', () => {
    const p = regionPixels(new Uint8Array([0, 1]), new Float32Array([1, 0.5]), 1, 2, 2, bg, 0.1, 0.6);
    const c0 = classColor(0);
    // confidence 1 -> maxAlpha
    expect(p[0]).toBe(Math.round(255 + (c0[0] - 255) * 0.6));
    // confidence 0.5 with 2 classes is chance -> minAlpha
    const c1 = classColor(1);
    expect(p[4 + 2]).toBe(Math.round(255 + (c1[2] - 255) * 0.1));
    expect(p[3]).toBe(255);
  });

  it('names a grid whose arrays do not fit its size', () => {
    expect(() => regionPixels(new Uint8Array(3), undefined, 2, 2, 2, bg)).toThrow('regions: a 2x2 grid needs 4 classes, got 3');
  });

  it('maps data to pixels with y up and back again', () => {
    const b = { xMin: -2, xMax: 2, yMin: -1, yMax: 1 };
    expect(toPixel(b, 400, 200, -2, 1)).toEqual([0, 0]);
    expect(toPixel(b, 400, 200, 2, -1)).toEqual([400, 200]);
    expect(toPixel(b, 400, 200, 0, 0)).toEqual([200, 100]);
    const [x, y] = toData(b, 400, 200, ...toPixel(b, 400, 200, 0.7, -0.3));
    expect(x).toBeCloseTo(0.7);
    expect(y).toBeCloseTo(-0.3);
  });

  it('finds the grid cell under a pixel with row 0 at the top (yMax), as the engine sends it', () => {
    expect(gridCellAt(0, 0, 400, 200, 10, 20)).toEqual({ row: 0, col: 0 });
    expect(gridCellAt(399, 199, 400, 200, 10, 20)).toEqual({ row: 9, col: 19 });
    expect(gridCellAt(400, 0, 400, 200, 10, 20)).toBeNull();
  });

  it('picks round axis ticks', () => {
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0, 7, 5)).toEqual([0, 2, 4, 6]);
    expect(niceTicks(1, 1)).toEqual([]);
  });
});
