import { afterEach, describe, expect, it, vi } from 'vitest';
import { divergingAt, divergingColor, NON_FINITE_COLOR } from '../../../renderer/src/viz/color.js';
import { gridImage, paintImage, pointerAt } from '../../../renderer/src/viz/grid-canvas.js';

const px = (p: Uint8ClampedArray, i: number) => [p[i * 4], p[i * 4 + 1], p[i * 4 + 2], p[i * 4 + 3]];
const grid = { values: new Float32Array([-2, 0, 1, 0.5, NaN, Infinity]), rows: 2, cols: 3 };

describe('gridImage', () => {
  it('draws one pixel per cell, scaled by the largest finite |v| unless given a limit', () => {
    const img = gridImage(grid, 'dark');
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(px(img.pixels, 0)).toEqual([...divergingAt(-1, 'dark'), 255]);
    expect(px(img.pixels, 2)).toEqual([...divergingColor(1, 2, 'dark'), 255]);
    expect(px(gridImage(grid, 'dark', { limit: 1 }).pixels, 2)).toEqual([...divergingAt(1, 'dark'), 255]);
  });

  it('transposed, the picture is cols tall and rows wide', () => {
    const img = gridImage(grid, 'light', { limit: 2, transpose: true });
    expect([img.width, img.height]).toEqual([2, 3]);
    expect(px(img.pixels, 2 * 2 + 0)).toEqual([...divergingColor(1, 2, 'light'), 255]); // (2,0) <- (0,2)
  });

  it('shows NaN and infinities in the non-finite colour, or leaves NaN cells transparent when asked', () => {
    expect(px(gridImage(grid, 'light').pixels, 4)).toEqual([...NON_FINITE_COLOR, 255]);
    const cleared = gridImage(grid, 'light', { clearNaN: true }).pixels;
    expect(cleared[4 * 4 + 3]).toBe(0);
    expect(px(cleared, 5)).toEqual([...NON_FINITE_COLOR, 255]);
    const clearedT = gridImage(grid, 'light', { clearNaN: true, transpose: true }).pixels;
    expect(clearedT[(1 * 2 + 1) * 4 + 3]).toBe(0); // (1,1) <- (1,1)
    expect(clearedT[(2 * 2 + 1) * 4 + 3]).toBe(255); // (2,1) <- (1,2), Infinity
  });
});

describe('paintImage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sizes the canvas to the picture and puts its pixels at the origin', () => {
    vi.stubGlobal('ImageData', class {
      constructor(readonly data: Uint8ClampedArray, readonly width: number, readonly height: number) {}
    });
    const put = vi.fn();
    const canvas = { width: 300, height: 150, getContext: () => ({ putImageData: put }) } as unknown as HTMLCanvasElement;
    const img = gridImage(grid, 'light');
    paintImage(canvas, img);
    expect([canvas.width, canvas.height]).toEqual([3, 2]);
    expect(put).toHaveBeenCalledOnce();
    const [data, x, y] = put.mock.calls[0]!;
    expect(data).toMatchObject({ data: img.pixels, width: 3, height: 2 });
    expect([x, y]).toEqual([0, 0]);
  });
});

describe('pointerAt', () => {
  it('maps a pointer on a CSS-scaled element back to its drawing units', () => {
    const element = { getBoundingClientRect: () => ({ left: 100, top: 50, width: 200, height: 80 }) as DOMRect };
    expect(pointerAt(element, { clientX: 100, clientY: 50 }, 20, 8)).toEqual({ x: 0, y: 0 });
    expect(pointerAt(element, { clientX: 150, clientY: 90 }, 20, 8)).toEqual({ x: 5, y: 4 });
    expect(pointerAt(element, { clientX: 90, clientY: 140 }, 20, 8)).toEqual({ x: -1, y: 9 });
  });
});
