import type { FloatArray } from '../matrix.js';

/**
 * What the network graph shows of one tensor (an edge's value or gradient, a
 * weight, its gradient): its shape, summary statistics, the first few numbers and
 * a small heatmap. Heatmaps of every tensor of a trace are packed into one
 * Float32Array (the `HeatPool`) so a trace travels as one transferred buffer.
 */
export interface TensorSummary {
  /** [rows, cols] of a matrix, [N, C, H, W] of an image batch, [1] of a scalar. */
  shape: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
  /** L2 norm √Σv². */
  norm: number;
  /** The first values of the first row (at most HEAD_VALUES). */
  head: number[];
  /** Where the heatmap sits in the pool: `rows` x `cols` values from `offset`; null for a scalar. */
  heat: { offset: number; rows: number; cols: number } | null;
}

export const HEAD_VALUES = 6;
/** Heatmaps are block means down to at most this many rows and columns. */
export const HEAT_MAX_ROWS = 28;
export const HEAT_MAX_COLS = 56;
/** Channels of an image-shaped tensor shown side by side. */
export const HEAT_MAX_CHANNELS = 8;

/** Grows one Float32Array of heatmap values; `take()` gives the packed result. */
export class HeatPool {
  private parts: Float32Array[] = [];
  private length = 0;

  add(values: Float32Array): number {
    const offset = this.length;
    this.parts.push(values);
    this.length += values.length;
    return offset;
  }

  take(): Float32Array {
    const out = new Float32Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    this.parts = [];
    this.length = 0;
    return out;
  }
}

/**
 * Summarize `data`, a rows x cols matrix. `image` ([C, H, W], C·H·W = cols) says
 * each row is an image: the heatmap then shows the first row's channels side by
 * side instead of the matrix.
 */
export function summarize(data: FloatArray, rows: number, cols: number, pool: HeatPool, image?: readonly [number, number, number]): TensorSummary {
  let sum = 0, sumSq = 0, min = Infinity, max = -Infinity;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : 0;
  const shape = image ? [rows, image[0], image[1], image[2]] : [rows, cols];
  const head = Array.from(data.subarray(0, Math.min(HEAD_VALUES, cols)));
  let heat: TensorSummary['heat'] = null;
  if (n > 1) {
    const grid = image ? channelTiles(data.subarray(0, cols), image) : { values: data, rows, cols };
    const small = blockMean(grid.values, grid.rows, grid.cols, HEAT_MAX_ROWS, image ? HEAT_MAX_COLS * 2 : HEAT_MAX_COLS);
    heat = { offset: pool.add(small.values), rows: small.rows, cols: small.cols };
  }
  return {
    shape,
    mean,
    std: n ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0,
    min: n ? min : 0,
    max: n ? max : 0,
    norm: Math.sqrt(sumSq),
    head,
    heat,
  };
}

/** A single number (the loss, dL/dL) as a summary. */
export function scalarSummary(v: number): TensorSummary {
  return { shape: [1], mean: v, std: 0, min: v, max: v, norm: Math.abs(v), head: [v], heat: null };
}

/** One image's channels (C x H x W, row-major) laid side by side, one column of gap between them. */
function channelTiles(img: FloatArray, [c, h, w]: readonly [number, number, number]): { values: Float32Array; rows: number; cols: number } {
  const shown = Math.min(c, HEAT_MAX_CHANNELS);
  const cols = shown * w + (shown - 1);
  const values = new Float32Array(h * cols).fill(NaN); // NaN: the gap, drawn as background
  for (let k = 0; k < shown; k++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) values[y * cols + k * (w + 1) + x] = img[k * h * w + y * w + x]!;
    }
  }
  return { values, rows: h, cols };
}

/** Means of blocks so the result has at most maxRows x maxCols cells (NaN cells are left out of a mean). */
export function blockMean(data: FloatArray, rows: number, cols: number, maxRows: number, maxCols: number): { values: Float32Array; rows: number; cols: number } {
  const outRows = Math.min(rows, maxRows);
  const outCols = Math.min(cols, maxCols);
  const values = new Float32Array(outRows * outCols);
  for (let r = 0; r < outRows; r++) {
    const r0 = Math.floor((r * rows) / outRows);
    const r1 = Math.max(r0 + 1, Math.floor(((r + 1) * rows) / outRows));
    for (let c = 0; c < outCols; c++) {
      const c0 = Math.floor((c * cols) / outCols);
      const c1 = Math.max(c0 + 1, Math.floor(((c + 1) * cols) / outCols));
      let s = 0, k = 0;
      for (let i = r0; i < r1; i++) {
        for (let j = c0; j < c1; j++) {
          const v = data[i * cols + j]!;
          if (!Number.isNaN(v)) {
            s += v;
            k++;
          }
        }
      }
      values[r * outCols + c] = k ? s / k : NaN;
    }
  }
  return { values, rows: outRows, cols: outCols };
}
