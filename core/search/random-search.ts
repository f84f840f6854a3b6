import { Rng } from '../rng.js';

/**
 * Random search of hyperparameters as the book's §6.5 does it: each trial draws
 * every parameter independently, uniformly on a log scale between its bounds
 * (`10 ** uniform(-6, -2)` for a learning rate of 1e-6..1e-2). Seeded: the same
 * seed and space give the same trials, so a search can be repeated exactly.
 */

export interface SearchRange {
  min: number;
  max: number;
}

/** The parameters searched: the learning rate always, weight decay when asked. */
export interface SearchSpace {
  learningRate: SearchRange;
  weightDecay?: SearchRange | undefined;
}

export interface Trial {
  /** 1-based. */
  index: number;
  learningRate: number;
  weightDecay?: number;
}

export const BOOK_SEARCH_SPACE: Required<SearchSpace> = {
  learningRate: { min: 1e-6, max: 1e-2 },
  weightDecay: { min: 1e-8, max: 1e-4 },
};

/** One line naming what is wrong with a range, or null. */
export function rangeProblem(name: string, r: SearchRange): string | null {
  if (!(Number.isFinite(r.min) && Number.isFinite(r.max)) || r.min <= 0 || r.max <= 0) return `${name}: bounds must be positive numbers (a log scale), got ${r.min}..${r.max}`;
  if (r.min > r.max) return `${name}: the lower bound ${r.min} is above the upper bound ${r.max}`;
  return null;
}

/** 10 ** uniform(log10 min, log10 max), rounded to 3 significant digits (what a person would type). */
function logUniform(rng: Rng, r: SearchRange): number {
  const lo = Math.log10(r.min);
  const hi = Math.log10(r.max);
  const v = 10 ** (lo + (hi - lo) * rng.next());
  return Math.min(r.max, Math.max(r.min, Number(v.toPrecision(3))));
}

export function sampleTrials(space: SearchSpace, count: number, seed: number): Trial[] {
  const problem = rangeProblem('learning rate', space.learningRate) ?? (space.weightDecay ? rangeProblem('weight decay', space.weightDecay) : null);
  if (problem) throw new RangeError(problem);
  const rng = new Rng(seed >>> 0);
  return Array.from({ length: count }, (_, i) => {
    const t: Trial = { index: i + 1, learningRate: logUniform(rng, space.learningRate) };
    if (space.weightDecay) t.weightDecay = logUniform(rng, space.weightDecay);
    return t;
  });
}
