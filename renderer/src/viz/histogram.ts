/**
 * Histogram binning for weight and gradient distributions. NaN and ±Inf are
 * counted apart (a diverged layer must not look like an empty one) and never
 * widen the range.
 */

export interface Histogram {
  /** bins + 1 increasing edges; bin i covers [edges[i], edges[i+1]), the last one is closed. */
  edges: Float64Array;
  counts: Uint32Array;
  /** Smallest and largest finite value (NaN when there is none). */
  min: number;
  max: number;
  /** Finite values binned (the sum of counts). */
  finite: number;
  /** NaN and ±Inf values, not binned. */
  nonFinite: number;
}

export interface HistogramOptions {
  /** Use [-m, m] with m = max |v|, so that zero sits in the middle (weights, gradients). */
  symmetric?: boolean;
  /** Fixed range; values outside it are clamped into the first or last bin. */
  range?: readonly [number, number];
}

export function histogram(values: ArrayLike<number>, bins: number, options: HistogramOptions = {}): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histogram: bins must be a positive integer, got ${bins}`);
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const finite = values.length - nonFinite;
  let lo: number;
  let hi: number;
  if (options.range) {
    [lo, hi] = options.range;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
      throw new RangeError(`histogram: range must be two finite increasing numbers, got [${lo}, ${hi}]`);
    }
  } else if (finite === 0) {
    [lo, hi] = [-1, 1];
  } else if (options.symmetric) {
    const m = Math.max(Math.abs(min), Math.abs(max));
    [lo, hi] = [-m, m];
  } else {
    [lo, hi] = [min, max];
  }
  if (!options.range && !((hi - lo) / bins > Math.max(Math.abs(lo), Math.abs(hi), 1e-300) * 1e-12)) {
    // All values (nearly) equal, or so tiny that bin edges would collapse: widen
    // the range around them so that the one bar is visible and edges increase.
    const centre = options.symmetric ? 0 : (lo + hi) / 2;
    const half = Math.abs(centre) > 1e-30 ? Math.abs(centre) * 0.5 : 0.5;
    [lo, hi] = [centre - half, centre + half];
  }
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = lo + ((hi - lo) * i) / bins;
  edges[bins] = hi;
  const counts = new Uint32Array(bins);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    let b = Math.floor((v - lo) / width);
    if (b < 0) b = 0;
    else if (b >= bins) b = bins - 1;
    counts[b]!++;
  }
  return {
    edges,
    counts,
    min: finite > 0 ? min : NaN,
    max: finite > 0 ? max : NaN,
    finite,
    nonFinite,
  };
}

/** Mean and standard deviation of the finite values (NaN when there are none). */
export function summarize(values: ArrayLike<number>): { mean: number; std: number; norm: number; finite: number } {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    sq += v * v;
  }
  if (n === 0) return { mean: NaN, std: NaN, norm: NaN, finite: 0 };
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), norm: Math.sqrt(sq), finite: n };
}
