/**
 * Decision regions of a 2-D classifier, TensorFlow Playground style: the engine
 * predicts the class at the centre of every cell of a grid over the data's
 * bounds (protocol `predictGrid`, row 0 at yMax); here those predictions become
 * pixels, tinted by the class colour and made stronger where the network is
 * more sure, and the data points are mapped onto the same picture.
 */
import { classColor, type RGB } from './color.js';

export interface Bounds {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/**
 * Opaque RGBA bytes (rows x cols x 4): each cell is its class colour blended over
 * `background`. The blend runs from `minAlpha` (confidence at chance, 1/classes)
 * to `maxAlpha` (confidence 1), so unsure areas fade toward the background.
 * Without confidences every cell gets maxAlpha.
 */
export function regionPixels(
  classes: ArrayLike<number>,
  confidence: ArrayLike<number> | undefined,
  rows: number,
  cols: number,
  classCount: number,
  background: RGB,
  minAlpha = 0.12,
  maxAlpha = 0.62,
): Uint8ClampedArray<ArrayBuffer> {
  const n = rows * cols;
  if (classes.length !== n) throw new RangeError(`regions: a ${cols}x${rows} grid needs ${n} classes, got ${classes.length}`);
  if (confidence && confidence.length !== n) {
    throw new RangeError(`regions: a ${cols}x${rows} grid needs ${n} confidences, got ${confidence.length}`);
  }
  const chance = classCount > 1 ? 1 / classCount : 0;
  const palette = new Map<number, RGB>();
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const k = classes[i]!;
    let c = palette.get(k);
    if (!c) palette.set(k, (c = classColor(k)));
    let a = maxAlpha;
    if (confidence) {
      const p = confidence[i]!;
      const sure = Number.isFinite(p) ? Math.max(0, Math.min(1, (p - chance) / (1 - chance || 1))) : 0;
      a = minAlpha + (maxAlpha - minAlpha) * sure;
    }
    const o = i * 4;
    out[o] = Math.round(background[0] + (c[0] - background[0]) * a);
    out[o + 1] = Math.round(background[1] + (c[1] - background[1]) * a);
    out[o + 2] = Math.round(background[2] + (c[2] - background[2]) * a);
    out[o + 3] = 255;
  }
  return out;
}

/** Data coordinates to picture pixels (y grows upward in data, downward on screen). */
export function toPixel(bounds: Bounds, width: number, height: number, x: number, y: number): [number, number] {
  return [
    ((x - bounds.xMin) / (bounds.xMax - bounds.xMin)) * width,
    ((bounds.yMax - y) / (bounds.yMax - bounds.yMin)) * height,
  ];
}

/** Picture pixels back to data coordinates. */
export function toData(bounds: Bounds, width: number, height: number, px: number, py: number): [number, number] {
  return [
    bounds.xMin + (px / width) * (bounds.xMax - bounds.xMin),
    bounds.yMax - (py / height) * (bounds.yMax - bounds.yMin),
  ];
}

/** The grid cell (row 0 at the top) under a picture pixel, or null outside. */
export function gridCellAt(px: number, py: number, width: number, height: number, rows: number, cols: number): { row: number; col: number } | null {
  if (px < 0 || py < 0 || px >= width || py >= height) return null;
  return { row: Math.min(rows - 1, Math.floor((py / height) * rows)), col: Math.min(cols - 1, Math.floor((px / width) * cols)) };
}

/**
 * Round tick values for an axis from lo to hi (about `target` of them), at
 * 1, 2 or 5 times a power of ten.
 */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const raw = (hi - lo) / Math.max(1, target);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}
