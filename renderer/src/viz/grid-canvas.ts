/**
 * Drawing a grid of values onto a canvas, shared by the Inspector's heatmaps and weight
 * images and the network graph's small tensor heatmaps: values to pixels on the diverging
 * scale (one pixel per cell; CSS scales the canvas up), the pixels onto the canvas, and the
 * pointer back into the picture's own units for hit-testing. `gridImage` and `pointerAt` are
 * pure arithmetic; `paintImage` is the one step that needs a browser.
 */
import { divergingLut, symmetricLimit, type Theme } from './color.js';
import { heatmapPixels } from './heatmap.js';

/** A rows x cols matrix stored row-major. */
export interface ValueGrid {
  values: Float32Array;
  rows: number;
  cols: number;
}

/** RGBA bytes of a width x height picture, row-major (what ImageData holds). */
export interface GridImage {
  pixels: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
}

export interface GridImageOptions {
  /** Half-width of the scale; values past it saturate. Default: the largest finite |v|. */
  limit?: number;
  /** Draw rows as columns: the picture is cols tall and rows wide. */
  transpose?: boolean;
  /** NaN cells stay transparent (the gaps a trace leaves between an image's channels) instead of the non-finite colour. */
  clearNaN?: boolean;
}

/** The grid as a picture on the theme's diverging scale, one pixel per cell. */
export function gridImage({ values, rows, cols }: ValueGrid, theme: Theme, options: GridImageOptions = {}): GridImage {
  const transpose = options.transpose ?? false;
  const pixels = heatmapPixels(values, rows, cols, divergingLut(theme), options.limit ?? symmetricLimit(values), transpose);
  if (options.clearNaN) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (Number.isNaN(values[r * cols + c]!)) pixels[(transpose ? c * rows + r : r * cols + c) * 4 + 3] = 0;
      }
    }
  }
  return transpose ? { pixels, width: rows, height: cols } : { pixels, width: cols, height: rows };
}

/** Puts the picture on the canvas, sizing the canvas to one canvas pixel per picture pixel. */
export function paintImage(canvas: HTMLCanvasElement, { pixels, width, height }: GridImage): void {
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')?.putImageData(new ImageData(pixels, width, height), 0, 0);
}

/**
 * Where a pointer event falls on an element, in units where the element's box is
 * width x height (its drawing size): undoes whatever CSS scaling the page applied.
 */
export function pointerAt(
  element: Pick<Element, 'getBoundingClientRect'>,
  event: Pick<MouseEvent, 'clientX' | 'clientY'>,
  width: number,
  height: number,
): { x: number; y: number } {
  const rect = element.getBoundingClientRect();
  return { x: ((event.clientX - rect.left) * width) / rect.width, y: ((event.clientY - rect.top) * height) / rect.height };
}
