import { StudioError } from './errors.js';
import type { Dataset } from './data/dataset.js';
import { Rng } from './rng.js';

/**
 * Which samples of the training set a run trains on. Two training settings pick
 * them, both seeded by the run's seed so a run is reproducible:
 *  - validationSplit: a share held out as the validation set (never trained on);
 *    the hyperparameter search and early stopping look at it, never at the test set
 *    (the book's §6.5);
 *  - trainLimit: train on this many samples only (the book's overfitting demo
 *    trains on 300 MNIST digits).
 * Samples keep their order in the file within each part.
 */
export interface TrainingSplitSettings {
  seed: number;
  validationSplit?: number | undefined;
  trainLimit?: number | undefined;
}

export interface TrainingSplit {
  train: Dataset;
  validation: Dataset | null;
}

/** The split draws from its own stream: the same seed's weights and shuffle stay what they were. */
const SPLIT_STREAM = 0x7a11d8e1;

export function splitTraining(ds: Dataset, s: TrainingSplitSettings): TrainingSplit {
  const share = s.validationSplit ?? 0;
  const limit = s.trainLimit;
  if (share <= 0 && (limit === undefined || limit >= ds.count)) return { train: ds, validation: null };
  const order = new Rng((s.seed ^ SPLIT_STREAM) >>> 0).permutation(ds.count);
  const held = share > 0 ? Math.max(1, Math.round(ds.count * share)) : 0;
  const rest = ds.count - held;
  if (rest < 1) {
    throw new StudioError('BAD_SPEC', `validation split ${share} leaves no training samples out of ${ds.count}`, { field: 'validationSplit' });
  }
  const trained = Math.min(rest, limit ?? rest);
  const pick = (from: number, to: number): Int32Array => order.slice(from, to).sort();
  return {
    train: subset(ds, pick(0, trained)),
    validation: held > 0 ? subset(ds, pick(rest, ds.count)) : null,
  };
}

/** The samples at `indices`, copied in compact form (bytes stay bytes). */
export function subset(ds: Dataset, indices: Int32Array): Dataset {
  const f = ds.features;
  const x = ds.x instanceof Uint8Array ? new Uint8Array(indices.length * f) : new Float32Array(indices.length * f);
  const labels = new Int32Array(indices.length);
  indices.forEach((i, k) => {
    x.set(ds.x.subarray(i * f, (i + 1) * f), k * f);
    labels[k] = ds.labels[i]!;
  });
  // Everything else (class names, image shape…) is the whole set's.
  return { ...ds, count: indices.length, x, labels };
}
