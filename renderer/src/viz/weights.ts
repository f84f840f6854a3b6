/**
 * The first layer of an image network, seen as images: column j of W [inputs,
 * outputs] holds the weights unit j gives each pixel, so reshaped to the image's
 * height x width it shows the pattern that unit responds to.
 */
import { type ColorLut, divergingIndex, NON_FINITE_COLOR } from './color.js';

/**
 * RGBA bytes (h x w x 4) of unit `unit`'s weights on a diverging scale from
 * -limit to +limit. `W` is [inputs, outputs] row-major with inputs = h * w.
 */
export function weightTilePixels(
  W: ArrayLike<number>,
  inputs: number,
  outputs: number,
  unit: number,
  lut: ColorLut,
  limit: number,
): Uint8ClampedArray<ArrayBuffer> {
  if (W.length !== inputs * outputs) throw new RangeError(`weight tiles: W needs ${inputs * outputs} values, got ${W.length}`);
  if (!(unit >= 0 && unit < outputs)) throw new RangeError(`weight tiles: unit ${unit} outside 0..${outputs - 1}`);
  const out = new Uint8ClampedArray(inputs * 4);
  for (let p = 0; p < inputs; p++) {
    const v = W[p * outputs + unit]!;
    const o = p * 4;
    if (Number.isFinite(v)) {
      const i = divergingIndex(v, limit) * 4;
      out[o] = lut[i]!;
      out[o + 1] = lut[i + 1]!;
      out[o + 2] = lut[i + 2]!;
    } else {
      out[o] = NON_FINITE_COLOR[0];
      out[o + 1] = NON_FINITE_COLOR[1];
      out[o + 2] = NON_FINITE_COLOR[2];
    }
    out[o + 3] = 255;
  }
  return out;
}

/** max |w| of each unit's column (finite values only): the per-tile scale. */
export function unitLimits(W: ArrayLike<number>, inputs: number, outputs: number): Float64Array {
  const lim = new Float64Array(outputs);
  for (let p = 0; p < inputs; p++) {
    const row = p * outputs;
    for (let j = 0; j < outputs; j++) {
      const a = Math.abs(W[row + j]!);
      if (a > lim[j]! && Number.isFinite(a)) lim[j] = a;
    }
  }
  return lim;
}

export interface TileGrid {
  columns: number;
  rows: number;
  /** Screen pixels per image pixel. */
  scale: number;
  width: number;
  height: number;
  /** How many tiles, each tileW x tileH image pixels. */
  count: number;
  tileW: number;
  tileH: number;
  /** Screen pixels from one tile's left (top) edge to the next one's: the enlarged tile and the gap. */
  stepX: number;
  stepY: number;
}

/**
 * Place `count` tiles of tileW x tileH image pixels in rows no wider than maxWidth,
 * with `gap` pixels between tiles; tiles are drawn `scale` times enlarged (the
 * largest integer ≤ maxScale that still fits at least `minColumns` per row).
 */
export function tileGrid(count: number, tileW: number, tileH: number, maxWidth: number, gap = 2, maxScale = 3, minColumns = 5): TileGrid {
  if (count <= 0) return { columns: 0, rows: 0, scale: 1, width: 0, height: 0, count: 0, tileW, tileH, stepX: tileW + gap, stepY: tileH + gap };
  let scale = maxScale;
  const wanted = Math.min(count, minColumns);
  while (scale > 1 && wanted * (tileW * scale + gap) - gap > maxWidth) scale--;
  const columns = Math.max(1, Math.min(count, Math.floor((maxWidth + gap) / (tileW * scale + gap))));
  const rows = Math.ceil(count / columns);
  return {
    columns,
    rows,
    scale,
    width: columns * (tileW * scale + gap) - gap,
    height: rows * (tileH * scale + gap) - gap,
    count,
    tileW,
    tileH,
    stepX: tileW * scale + gap,
    stepY: tileH * scale + gap,
  };
}

/** The top-left corner of tile `index` in screen pixels (tiles fill the grid row by row). */
export function tileOrigin(grid: TileGrid, index: number): { x: number; y: number } {
  return { x: (index % grid.columns) * grid.stepX, y: Math.floor(index / grid.columns) * grid.stepY };
}

/** The tile and its image pixel (row r, column c) under screen point (x, y); null in a gap or outside the tiles. */
export function tileAt(grid: TileGrid, x: number, y: number): { unit: number; r: number; c: number } | null {
  const col = Math.floor(x / grid.stepX);
  const row = Math.floor(y / grid.stepY);
  const unit = row * grid.columns + col;
  const c = Math.floor((x - col * grid.stepX) / grid.scale);
  const r = Math.floor((y - row * grid.stepY) / grid.scale);
  const inside = col >= 0 && row >= 0 && col < grid.columns && unit < grid.count && c < grid.tileW && r < grid.tileH;
  return inside ? { unit, r, c } : null;
}
