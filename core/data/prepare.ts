import { StudioError } from '../errors.js';
import { Rng } from '../rng.js';
import type { Normalization } from '../spec.js';
import type { Dataset } from './dataset.js';
import { clip } from './limits.js';

/**
 * What happens to a data set between reading and training: a seeded train/test
 * split, standardization with statistics from the training set only (the test
 * set must not leak into them), class alignment between files, class counts.
 * All functions return new data sets and leave their inputs untouched.
 */

/** The samples at `indices`, in that order, in the same compact form (bytes stay bytes). */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const f = ds.features;
  const x = ds.x instanceof Uint8Array ? new Uint8Array(indices.length * f) : new Float32Array(indices.length * f);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= ds.count) throw new RangeError(`subset: index ${i} outside 0..${ds.count - 1}`);
    x.set(ds.x.subarray(i * f, (i + 1) * f), k * f);
    labels[k] = ds.labels[i]!;
  }
  return { ...ds, count: indices.length, x, labels };
}

/**
 * Hold out `testFraction` of the samples, chosen by a seeded shuffle: the same
 * seed gives the same split on every machine. Both parts keep the file's order.
 */
export function splitDataset(ds: Dataset, testFraction: number, seed: number): { train: Dataset; test: Dataset } {
  if (!Number.isFinite(testFraction) || testFraction <= 0 || testFraction >= 1) {
    throw new StudioError('BAD_USAGE', `the test share must be between 0 and 1 (exclusive), got ${testFraction}`, {
      field: 'split',
    });
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) {
    throw new StudioError('BAD_USAGE', `the seed must be an integer from 0 to 4294967295, got ${seed}`, { field: 'seed' });
  }
  const nTest = Math.round(ds.count * testFraction);
  if (nTest < 1 || nTest > ds.count - 1) {
    throw new StudioError(
      'BAD_USAGE',
      `holding out ${testFraction} of ${ds.count} samples leaves ${nTest < 1 ? 'no test' : 'no training'} samples`,
      { field: 'split' },
    );
  }
  const order = new Rng(seed).permutation(ds.count);
  const test = order.slice(0, nTest).sort();
  const train = order.slice(nTest).sort();
  return { train: subset(ds, train), test: subset(ds, test) };
}

/**
 * Per-feature mean and standard deviation (population, like scikit-learn's
 * StandardScaler) of the training set, in float64; a constant feature gets
 * std 1 so it maps to 0 instead of dividing by zero.
 */
export function fitNormalization(ds: Dataset): Normalization {
  const { count: n, features: f, x, scale } = ds;
  if (n === 0) throw new StudioError('NOT_READY', 'cannot standardize an empty data set');
  const sum = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    const o = i * f;
    for (let j = 0; j < f; j++) sum[j]! += x[o + j]!;
  }
  const mean = new Float64Array(f);
  for (let j = 0; j < f; j++) mean[j] = (sum[j]! / n) * scale;
  const sq = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    const o = i * f;
    for (let j = 0; j < f; j++) {
      const d = x[o + j]! * scale - mean[j]!;
      sq[j]! += d * d;
    }
  }
  const std = new Float32Array(f);
  for (let j = 0; j < f; j++) {
    const s = Math.sqrt(sq[j]! / n);
    std[j] = s > 0 && Number.isFinite(s) ? s : 1;
    // A std that underflows float32 would divide by zero later.
    if (std[j] === 0) std[j] = 1;
  }
  return { mean: Float32Array.from(mean), std };
}

/** (x - mean) / std per feature, as float32 with scale 1. */
export function applyNormalization(ds: Dataset, norm: Normalization): Dataset {
  const f = ds.features;
  if (norm.mean.length !== f || norm.std.length !== f) {
    throw new StudioError(
      'SHAPE_MISMATCH',
      `the data has ${f} features but the standardization statistics are for ${norm.mean.length}`,
    );
  }
  for (let j = 0; j < f; j++) {
    if (!Number.isFinite(norm.mean[j]!) || !(norm.std[j]! > 0) || !Number.isFinite(norm.std[j]!)) {
      throw new StudioError('BAD_SPEC', `standardization of feature ${j}: mean ${norm.mean[j]}, std ${norm.std[j]} cannot be used`);
    }
  }
  const { count: n, x, scale } = ds;
  const out = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    const o = i * f;
    for (let j = 0; j < f; j++) out[o + j] = (x[o + j]! * scale - norm.mean[j]!) / norm.std[j]!;
  }
  return { ...ds, x: out, scale: 1 };
}

/** Statistics from `train` only, applied to both. */
export function standardize<T extends Dataset | undefined = undefined>(
  train: Dataset,
  test?: T,
): { train: Dataset; test: T; normalization: Normalization } {
  const normalization = fitNormalization(train);
  return {
    train: applyNormalization(train, normalization),
    test: (test === undefined ? undefined : applyNormalization(test, normalization)) as T,
    normalization,
  };
}

/** Samples per class, in class order; unlabelled samples (-1) are not counted. */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.classNames.length).fill(0);
  for (const l of ds.labels) if (l >= 0 && l < counts.length) counts[l]!++;
  return counts;
}

/** The same names in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/**
 * Renumber a data set's labels to another list of class names (the training
 * set's, or a saved model's), so class i means the same thing in both. A test
 * file may lack some classes; a class the reference does not know is an error.
 */
export function alignClasses(ds: Dataset, classNames: readonly string[], file?: string): Dataset {
  if (sameList(ds.classNames, classNames)) return ds;
  const target = new Map(classNames.map((c, i) => [c, i]));
  const map = ds.classNames.map((c) => {
    const i = target.get(c);
    if (i === undefined) {
      const known = classNames.slice(0, 12).map((k) => clip(k, 30)).join(', ') + (classNames.length > 12 ? ', ...' : '');
      throw new StudioError('BAD_DATA', `class "${clip(c)}" is not one of the known classes (${known})`, file ? { file } : {});
    }
    return i;
  });
  const labels = ds.labels.map((l) => (l >= 0 ? map[l]! : l));
  return { ...ds, labels, classNames: [...classNames] };
}

/**
 * Line up a file's feature columns with the ones a network was trained on, by
 * name: the same columns in another order are put back in the trained order (a
 * silent mix-up otherwise), and names that differ are reported (the columns are
 * then taken by position). `have` names ds's features in its order; `want` the
 * trained order, as `reference` read them. Returns the data set (new when reordered)
 * and a note for the user.
 */
export function matchFeatureNames(
  ds: Dataset,
  have: readonly string[],
  want: readonly string[],
  file?: string,
  reference = 'the training file',
): { dataset: Dataset; note?: string } {
  if (have.length !== ds.features || want.length !== ds.features) return { dataset: ds };
  if (sameList(have, want)) return { dataset: ds };
  const where = file === undefined ? '' : `${file}: `;
  const position = new Map<string, number>();
  have.forEach((h, j) => position.set(h, position.has(h) ? -1 : j)); // -1: the name is not unique
  const from = want.map((w) => position.get(w) ?? -1);
  if (from.every((j) => j >= 0) && new Set(from).size === from.length) {
    const f = ds.features;
    const x = ds.x instanceof Uint8Array ? new Uint8Array(ds.x.length) : new Float32Array(ds.x.length);
    for (let i = 0; i < ds.count; i++) {
      const o = i * f;
      for (let j = 0; j < f; j++) x[o + j] = ds.x[o + from[j]!]!;
    }
    return { dataset: { ...ds, x }, note: `${where}the columns are in another order than in ${reference}; they were matched by name` };
  }
  const missing = want.filter((w) => !position.has(w));
  const extra = have.filter((h) => !want.includes(h));
  const list = (xs: string[]): string => xs.slice(0, 5).map((x) => `"${x}"`).join(', ') + (xs.length > 5 ? ', ...' : '');
  const parts = [...(missing.length ? [`not here: ${list(missing)}`] : []), ...(extra.length ? [`new: ${list(extra)}`] : [])];
  return {
    dataset: ds,
    note:
      `${where}the column names differ from ${reference}'s (${parts.length ? parts.join('; ') : 'some names repeat'}); ` +
      'the columns were taken by position',
  };
}