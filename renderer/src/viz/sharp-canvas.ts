/**
 * A canvas drawn in CSS pixels that stays sharp on high-density screens: its backing
 * store gets devicePixelRatio device pixels per CSS pixel and the context is scaled to
 * match, so the drawing code works in CSS pixels. Shared by the plots that draw points,
 * lines and text (the Data tab's scatter plot, the Results tab's decision regions).
 */

/**
 * Sizes `canvas` for a width x height CSS-pixel drawing and returns its 2-D context, scaled
 * so one unit is one CSS pixel (null where the canvas has no 2-D context). Setting the size
 * clears the canvas.
 */
export function sharpContext(canvas: HTMLCanvasElement, width: number, height: number, dpr = globalThis.devicePixelRatio || 1): CanvasRenderingContext2D | null {
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
