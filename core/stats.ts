import type { FloatArray } from './matrix.js';
import type { Network } from './network.js';

/** Summary of one tensor, what the studio plots per layer to show learning (and dying or exploding gradients). */
export interface Stats {
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** L2 norm, √Σv². */
  norm: number;
  min: number;
  max: number;
}

export interface LayerStats {
  /** fc1, fc2, … */
  layer: string;
  W: Stats;
  b: Stats;
  dW: Stats;
  db: Stats;
}

export function tensorStats(values: FloatArray): Stats {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 0, norm: 0, min: 0, max: 0 };
  let sum = 0, sumSq = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  // Second pass for the variance: Σv²/n − mean² cancels badly when |mean| ≫ std.
  let dev = 0;
  for (let i = 0; i < n; i++) dev += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(dev / n), norm: Math.sqrt(sumSq), min, max };
}

/** W, b and their latest gradients for every Affine layer, in order. */
export function layerStats(network: Network): LayerStats[] {
  return network.affineLayers().map((l) => ({
    layer: l.name,
    W: tensorStats(l.W.data),
    b: tensorStats(l.b.data),
    dW: tensorStats(l.dW.data),
    db: tensorStats(l.db.data),
  }));
}
