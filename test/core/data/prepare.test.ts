import { describe, expect, test } from 'vitest';
import type { Dataset } from '../../../core/data/dataset.js';
import {
  alignClasses,
  applyNormalization,
  classCounts,
  fitNormalization,
  matchFeatureNames,
  splitDataset,
  standardize,
} from '../../../core/data/prepare.js';
import { StudioError } from '../../../core/errors.js';

/** n samples of 2 features: (i, 10 * i), label i % 3. */
function numbers(n: number): Dataset {
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) x.set([i, 10 * i], 2 * i);
  return { count: n, features: 2, x, scale: 1, labels: Int32Array.from({ length: n }, (_, i) => i % 3), classNames: ['a', 'b', 'c'] };
}

function images(n: number): Dataset {
  return {
    count: n,
    features: 4,
    x: Uint8Array.from({ length: n * 4 }, (_, i) => (i * 37) % 256),
    scale: 1 / 255,
    labels: Int32Array.from({ length: n }, (_, i) => i % 2),
    classNames: ['0', '1'],
    imageShape: [2, 2],
  };
}

const firstFeature = (d: Dataset): number[] => Array.from({ length: d.count }, (_, i) => d.x[i * d.features]!);

describe('splitDataset', () => {
  test('holds out the rounded share; the parts are disjoint, cover everything and keep file order', () => {
    const ds = numbers(10);
    const { train, test: held } = splitDataset(ds, 0.3, 42);
    expect(held.count).toBe(3);
    expect(train.count).toBe(7);
    const a = firstFeature(train);
    const b = firstFeature(held);
    expect([...a, ...b].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a).toEqual([...a].sort((p, q) => p - q));
    expect(b).toEqual([...b].sort((p, q) => p - q));
    // Rows travel with their labels.
    for (const part of [train, held]) {
      for (let i = 0; i < part.count; i++) {
        expect(part.x[2 * i + 1]).toBe(10 * part.x[2 * i]!);
        expect(part.labels[i]).toBe(part.x[2 * i]! % 3);
      }
    }
    expect(train.classNames).toEqual(['a', 'b', 'c']);
  });

  test('the same seed gives the same split; another seed another one', () => {
    const ds = numbers(50);
    const one = firstFeature(splitDataset(ds, 0.2, 7).test);
    expect(firstFeature(splitDataset(ds, 0.2, 7).test)).toEqual(one);
    expect(firstFeature(splitDataset(ds, 0.2, 8).test)).not.toEqual(one);
  });

  test('bytes stay bytes and the image shape survives', () => {
    const { train, test: held } = splitDataset(images(20), 0.25, 1);
    expect(train.x).toBeInstanceOf(Uint8Array);
    expect(held.x).toBeInstanceOf(Uint8Array);
    expect(held.scale).toBe(1 / 255);
    expect(held.imageShape).toEqual([2, 2]);
    expect(held.x.length).toBe(5 * 4);
  });

  test('the input is left untouched', () => {
    const ds = numbers(10);
    const before = Array.from(ds.x);
    splitDataset(ds, 0.5, 3);
    expect(Array.from(ds.x)).toEqual(before);
  });

  test('impossible shares and seeds are usage errors', () => {
    for (const f of [0, 1, -0.1, 1.5, NaN]) {
      expect(() => splitDataset(numbers(10), f, 1)).toThrow(StudioError);
    }
    expect(() => splitDataset(numbers(3), 0.1, 1)).toThrow('holding out 0.1 of 3 samples leaves no test samples');
    expect(() => splitDataset(numbers(3), 0.9, 1)).toThrow('holding out 0.9 of 3 samples leaves no training samples');
    expect(() => splitDataset(numbers(10), 0.2, -1)).toThrow('the seed must be an integer from 0 to 4294967295, got -1');
  });
});

describe('standardize', () => {
  test('training features get mean 0 and std 1 (population std)', () => {
    const { train, normalization } = standardize(numbers(5));
    // Feature 0 is 0..4: mean 2, population std sqrt(2).
    expect(normalization.mean[0]).toBeCloseTo(2, 6);
    expect(normalization.std[0]).toBeCloseTo(Math.SQRT2, 6);
    expect(normalization.mean[1]).toBeCloseTo(20, 5);
    expect(train.x).toBeInstanceOf(Float32Array);
    expect(train.scale).toBe(1);
    for (let j = 0; j < 2; j++) {
      const col = Array.from({ length: 5 }, (_, i) => train.x[i * 2 + j]!);
      const mean = col.reduce((a, b) => a + b, 0) / 5;
      const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / 5;
      expect(mean).toBeCloseTo(0, 6);
      expect(variance).toBeCloseTo(1, 5);
    }
  });

  test('the test set is transformed with the training statistics only', () => {
    const train = numbers(5);
    const held: Dataset = { ...numbers(1), x: new Float32Array([100, -50]) };
    const { test: t, normalization } = standardize(train, held);
    expect(t!.x[0]).toBeCloseTo((100 - 2) / Math.SQRT2, 4);
    expect(t!.x[1]).toBeCloseTo((-50 - 20) / (10 * Math.SQRT2), 4);
    // Adding the test set must not move the statistics.
    expect(Array.from(normalization.mean)).toEqual(Array.from(fitNormalization(train).mean));
  });

  test('a constant feature gets std 1 and maps to 0, not NaN', () => {
    const ds: Dataset = { ...numbers(3), x: new Float32Array([5, 1, 5, 2, 5, 3]) };
    const { train, normalization } = standardize(ds);
    expect(normalization.std[0]).toBe(1);
    expect([train.x[0], train.x[2], train.x[4]]).toEqual([0, 0, 0]);
  });

  test('bytes are scaled before their statistics are taken', () => {
    const ds = images(10);
    const { normalization } = standardize(ds);
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += ds.x[i * 4]! / 255;
    expect(normalization.mean[0]).toBeCloseTo(sum / 10, 6);
  });

  test('applyNormalization refuses statistics of another width', () => {
    const norm = fitNormalization(numbers(4));
    const wide: Dataset = { ...numbers(2), features: 1, x: new Float32Array([1, 2]) };
    let error: unknown;
    try {
      applyNormalization(wide, norm);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StudioError);
    expect((error as StudioError).code).toBe('SHAPE_MISMATCH');
    expect((error as StudioError).message).toBe('the data has 1 features but the standardization statistics are for 2');
  });
});

describe('classes', () => {
  test('classCounts counts per class and ignores unlabelled samples', () => {
    const ds = { ...numbers(7), labels: Int32Array.from([0, 1, 2, 0, 0, -1, 2]) };
    expect(classCounts(ds)).toEqual([3, 1, 2]);
  });

  test('alignClasses renumbers to a reference list and refuses unknown classes', () => {
    const ds: Dataset = { ...numbers(3), labels: Int32Array.from([0, 1, 0]), classNames: ['dog', 'cat'] };
    const aligned = alignClasses(ds, ['cat', 'bird', 'dog']);
    expect(aligned.classNames).toEqual(['cat', 'bird', 'dog']);
    expect(Array.from(aligned.labels)).toEqual([2, 0, 2]);
    expect(Array.from(ds.labels)).toEqual([0, 1, 0]);
    expect(() => alignClasses(ds, ['cat', 'bird'], 'test.csv')).toThrow(
      'test.csv: class "dog" is not one of the known classes (cat, bird)',
    );
  });
});

describe('matchFeatureNames', () => {
  const ds = numbers(3); // features (i, 10 i)
  test('the same names in the same order: untouched', () => {
    expect(matchFeatureNames(ds, ['a', 'b'], ['a', 'b'])).toEqual({ dataset: ds });
  });

  test('the same names in another order: reordered to the trained order, with a note', () => {
    const { dataset, note } = matchFeatureNames(ds, ['b', 'a'], ['a', 'b'], 'new.csv');
    expect(Array.from(dataset.x)).toEqual([0, 0, 10, 1, 20, 2]);
    expect(note).toBe('new.csv: the columns are in another order than in the training file; they were matched by name');
    expect(Array.from(ds.x)).toEqual([0, 0, 1, 10, 2, 20]); // the input is left alone
  });

  test('other names: taken by position, the difference said', () => {
    const { dataset, note } = matchFeatureNames(ds, ['a', 'c'], ['a', 'b'], 'new.csv');
    expect(dataset).toBe(ds);
    expect(note).toBe('new.csv: the column names differ from the training file\'s (not here: "b"; new: "c"); the columns were taken by position');
    expect(matchFeatureNames(ds, ['a', 'a'], ['a', 'b']).note).toBe(
      'the column names differ from the training file\'s (not here: "b"); the columns were taken by position',
    );
  });
});
