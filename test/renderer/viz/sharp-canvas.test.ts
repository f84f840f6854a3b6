import { describe, expect, it } from 'vitest';
import { sharpContext } from '../../../renderer/src/viz/sharp-canvas.js';

/** Just what sharpContext touches of a canvas and its context. */
function fakeCanvas(hasContext = true) {
  const transforms: number[][] = [];
  const ctx = { setTransform: (...m: number[]) => transforms.push(m) };
  const canvas = { width: 300, height: 150, getContext: (kind: string) => (hasContext && kind === '2d' ? ctx : null) };
  return { canvas, ctx, transforms, asCanvas: canvas as unknown as HTMLCanvasElement };
}

describe('sharpContext', () => {
  it('gives the canvas dpr device pixels per CSS pixel and scales the context back to CSS pixels', () => {
    const f = fakeCanvas();
    expect(sharpContext(f.asCanvas, 201, 100, 1.5)).toBe(f.ctx);
    expect([f.canvas.width, f.canvas.height]).toEqual([302, 150]); // 301.5 rounds up
    expect(f.transforms).toEqual([[1.5, 0, 0, 1.5, 0, 0]]);
  });

  it('on a plain screen the backing store is the CSS size', () => {
    const f = fakeCanvas();
    sharpContext(f.asCanvas, 640, 480, 1);
    expect([f.canvas.width, f.canvas.height]).toEqual([640, 480]);
    expect(f.transforms).toEqual([[1, 0, 0, 1, 0, 0]]);
  });

  it('says null where the canvas has no 2-D context (it is still sized)', () => {
    const f = fakeCanvas(false);
    expect(sharpContext(f.asCanvas, 10, 20, 2)).toBeNull();
    expect([f.canvas.width, f.canvas.height]).toEqual([20, 40]);
  });
});
