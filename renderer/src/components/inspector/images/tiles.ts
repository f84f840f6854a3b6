/**
 * Small grayscale images of filters and feature maps, as the book draws them: each
 * tile scaled to its own min..max (a filter's pattern, not its magnitude, is what
 * shows), with a cap on how many are drawn until the user asks for more.
 */

/** One tile: `h x w` values starting at `offset` of a shared array. */
export interface TileSpec {
  offset: number;
  h: number;
  w: number;
  label: string;
}

/** Tiles of a [count, h, w] block (feature-map channels, or filters of one input channel). */
export function tilesOf(offset: number, count: number, h: number, w: number, label: (i: number) => string): TileSpec[] {
  return Array.from({ length: count }, (_, i) => ({ offset: offset + i * h * w, h, w, label: label(i) }));
}

/** Filters of a Conv2d weight [F, C, k, k]: one tile per (filter, input channel), filters first. */
export function filterTiles(offset: number, shape: readonly number[]): TileSpec[] {
  const [F = 0, C = 0, kh = 0, kw = 0] = shape;
  const out: TileSpec[] = [];
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) out.push({ offset: offset + (f * C + c) * kh * kw, h: kh, w: kw, label: C > 1 ? `filter ${f + 1}, channel ${c + 1}` : `filter ${f + 1}` });
  }
  return out;
}

/** Gray levels 0..255 of one tile, its own min as black and max as white (flat tiles mid-gray, non-finite magenta). */
export function tileRgba(values: Float32Array, t: TileSpec, invert = false): Uint8ClampedArray<ArrayBuffer> {
  const n = t.h * t.w;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[t.offset + i]!;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const span = hi - lo;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const v = values[t.offset + i]!;
    const o = i * 4;
    if (!Number.isFinite(v)) {
      out[o] = 255;
      out[o + 1] = 0;
      out[o + 2] = 255;
    } else {
      const g = span > 0 ? ((v - lo) / span) * 255 : 128;
      const level = invert ? 255 - g : g;
      out[o] = out[o + 1] = out[o + 2] = level;
    }
    out[o + 3] = 255;
  }
  return out;
}

/** How many tiles to draw now: the first `shown`, never beyond the total. */
export function visibleCount(total: number, shown: number): number {
  return Math.max(0, Math.min(total, shown));
}

/** Default cap per grid and the step of "show more": a 64-filter layer draws 48 first. */
export const TILE_CAP = 48;
