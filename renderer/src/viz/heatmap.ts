/**
 * Matrices as pictures: values to RGBA pixels (one pixel per cell), the size of a
 * cell on screen, and the inverse (which cell is under the mouse). The component
 * puts the pixels into an ImageData and lets the canvas scale them up without
 * smoothing; hit-testing is pure arithmetic so it can be tested without a DOM.
 */
import { type ColorLut, divergingIndex, LUT_SIZE, NON_FINITE_COLOR } from './color.js';

/**
 * RGBA bytes for a rows x cols matrix stored row-major in `values`, on a
 * diverging scale from -limit to +limit. With `transpose`, the picture has
 * `cols` rows and `rows` columns (pixel (i, j) shows values[j * cols + i]).
 */
export function heatmapPixels(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  lut: ColorLut,
  limit: number,
  transpose = false,
): Uint8ClampedArray<ArrayBuffer> {
  if (values.length !== rows * cols) {
    throw new RangeError(`heatmap: ${rows}x${cols} needs ${rows * cols} values, got ${values.length}`);
  }
  if (lut.length !== LUT_SIZE * 4) throw new RangeError(`heatmap: colour table must hold ${LUT_SIZE} colours`);
  const out = new Uint8ClampedArray(rows * cols * 4);
  const outCols = transpose ? rows : cols;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      const p = ((transpose ? c * outCols + r : r * outCols + c) * 4) | 0;
      if (Number.isFinite(v)) {
        const i = divergingIndex(v, limit) * 4;
        out[p] = lut[i]!;
        out[p + 1] = lut[i + 1]!;
        out[p + 2] = lut[i + 2]!;
      } else {
        out[p] = NON_FINITE_COLOR[0];
        out[p + 1] = NON_FINITE_COLOR[1];
        out[p + 2] = NON_FINITE_COLOR[2];
      }
      out[p + 3] = 255;
    }
  }
  return out;
}

export interface CellLayout {
  /** Screen pixels per cell, horizontally and vertically (integers, or a fraction < 1 when downsampled). */
  cellW: number;
  cellH: number;
  width: number;
  height: number;
  /** More cells than pixels along some side: the picture is scaled down (smoothly) to fit. */
  downsampled: boolean;
}

/**
 * Cell sizes that fit a rows x cols picture into maxW x maxH. Cells are whole
 * pixels and square when that fits; a long matrix gets cells up to `maxAspect`
 * times wider than tall rather than shrinking to a hairline. A side with more
 * cells than pixels gets fractional cells (the canvas scales the picture down),
 * so the whole matrix is always visible and the mouse still finds every cell.
 */
export function cellLayout(rows: number, cols: number, maxW: number, maxH: number, maxCell = 24, maxAspect = 8): CellLayout {
  if (rows <= 0 || cols <= 0 || !(maxW > 0) || !(maxH > 0)) return { cellW: 0, cellH: 0, width: 0, height: 0, downsampled: false };
  const fitW = maxW / cols;
  const fitH = maxH / rows;
  let cellW: number;
  let cellH: number;
  if (fitW >= 1 && fitH >= 1) {
    const square = Math.min(Math.floor(fitW), Math.floor(fitH), maxCell);
    // Let the short side stretch when the box has room for it, up to maxAspect.
    cellW = Math.min(Math.floor(fitW), maxCell, square * maxAspect);
    cellH = Math.min(Math.floor(fitH), maxCell, square * maxAspect);
  } else {
    cellW = fitW >= 1 ? Math.min(Math.floor(fitW), maxCell) : fitW;
    cellH = fitH >= 1 ? Math.min(Math.floor(fitH), maxCell) : fitH;
  }
  return { cellW, cellH, width: cellW * cols, height: cellH * rows, downsampled: fitW < 1 || fitH < 1 };
}

/**
 * The cell under a point (x, y), given in the picture's layout pixels (the
 * caller divides out any CSS scaling first), in picture coordinates; null outside.
 */
export function cellAt(
  x: number,
  y: number,
  layout: Pick<CellLayout, 'cellW' | 'cellH'>,
  rows: number,
  cols: number,
): { row: number; col: number } | null {
  if (!(layout.cellW > 0 && layout.cellH > 0)) return null;
  const col = Math.floor(x / layout.cellW);
  const row = Math.floor(y / layout.cellH);
  if (row < 0 || col < 0 || row >= rows || col >= cols) return null;
  return { row, col };
}
