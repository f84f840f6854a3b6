import { tileRgba, type TileSpec } from './tiles.js';

/**
 * Svelte action: draws a tile into its canvas once the canvas comes on screen (an
 * IntersectionObserver), so a grid of hundreds of feature maps costs only what is seen.
 */
export function tile(canvas: HTMLCanvasElement, params: { values: Float32Array; spec: TileSpec; invert?: boolean }) {
  let current = params;
  let seen = false;
  const draw = (): void => {
    const { values, spec, invert } = current;
    canvas.width = spec.w;
    canvas.height = spec.h;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(tileRgba(values, spec, invert), spec.w, spec.h), 0, 0);
    canvas.dataset.drawn = 'true';
  };
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      seen = true;
      draw();
      io.disconnect();
    }
  });
  io.observe(canvas);
  return {
    update(next: typeof params) {
      current = next;
      if (seen) draw();
    },
    destroy() {
      io.disconnect();
    },
  };
}
