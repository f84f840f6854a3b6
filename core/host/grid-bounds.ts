import { StudioError } from '../errors.js';
import type { Normalization } from '../spec.js';

/**
 * Decision-region bounds the network can be asked about: finite, with a finite
 * span (xMax - xMin of ±1e308 is Infinity, and every cell centre becomes NaN),
 * and cell centres that stay finite float32 inputs once standardized. Refused
 * with one line instead of answering a grid of NaN.
 */
const FLOAT32_MAX = 3.4028234663852886e38;

export function checkGridBounds(
  bounds: { xMin: number; xMax: number; yMin: number; yMax: number },
  norm: Normalization | null,
): void {
  const bad = (msg: string): StudioError => new StudioError('BAD_MESSAGE', `decision regions: ${msg}`, { field: 'bounds' });
  const { xMin, xMax, yMin, yMax } = bounds;
  for (const [name, v] of Object.entries(bounds)) if (!Number.isFinite(v)) throw bad(`${name} is ${v}, not a finite number`);
  if (!(xMax > xMin) || !(yMax > yMin)) throw bad('bounds must have xMax > xMin and yMax > yMin');
  if (!Number.isFinite(xMax - xMin) || !Number.isFinite(yMax - yMin)) {
    throw bad(`the area from (${xMin}, ${yMin}) to (${xMax}, ${yMax}) is too large to divide into cells`);
  }
  for (const [axis, lo, hi] of [[0, xMin, xMax], [1, yMin, yMax]] as const) {
    for (const v of [lo, hi]) {
      const input = norm ? (v - norm.mean[axis]!) / norm.std[axis]! : v;
      if (!(Math.abs(input) <= FLOAT32_MAX)) {
        throw bad(`${v} is outside what the network takes as input (float32, after standardization: ${input})`);
      }
    }
  }
}

/** After the grid is computed: a network that overflows on these inputs answers NaN, which is no answer. */
export function checkGridAnswer(confidence: Float32Array): void {
  const i = confidence.findIndex((c) => !Number.isFinite(c));
  if (i >= 0) {
    throw new StudioError(
      'BAD_MESSAGE',
      `decision regions: the network's output is not a number at cell ${i} (the inputs there are too large for it); choose smaller bounds`,
      { field: 'bounds' },
    );
  }
}
