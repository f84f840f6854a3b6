import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Dataset } from '../../../core/data/dataset.js';
import type { RawData } from '../../../core/host/data-load.js';
import { lineUpDataWithModel } from '../../../core/host/model-lineup.js';

/**
 * Whatever order a file lists its columns in and whichever of the model's classes it
 * holds, every sample lined up with the model reads the same values under the same
 * column names and keeps its class by name, now at the model's index for it.
 */

const RUNS = { numRuns: 200 };

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
const CLASSES = ['cat', 'dog', 'owl', 'eel', 'fox'];

interface Case {
  modelFeatures: string[];
  fileOrder: number[]; // the file's column j is the model's column fileOrder[j]
  modelClasses: string[];
  fileClasses: string[];
  labels: number[]; // indices into fileClasses
  values: number[];
}

const cases = fc
  .record({
    features: fc.integer({ min: 1, max: NAMES.length }),
    classes: fc.integer({ min: 2, max: CLASSES.length }),
    count: fc.integer({ min: 1, max: 12 }),
  })
  .chain(({ features, classes, count }) =>
    fc.record({
      modelFeatures: fc.constant(NAMES.slice(0, features)),
      fileOrder: fc.shuffledSubarray([...Array(features).keys()], { minLength: features, maxLength: features }),
      modelClasses: fc.shuffledSubarray(CLASSES, { minLength: classes, maxLength: classes }),
      pick: fc.integer({ min: 1, max: classes }),
      labelsSeed: fc.array(fc.nat(), { minLength: count, maxLength: count }),
      values: fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: count * features, maxLength: count * features }),
    }),
  )
  .chain((c) =>
    fc.shuffledSubarray(c.modelClasses, { minLength: c.pick, maxLength: c.pick }).map((fileClasses): Case => ({
      modelFeatures: c.modelFeatures,
      fileOrder: c.fileOrder,
      modelClasses: c.modelClasses,
      fileClasses,
      labels: c.labelsSeed.map((n) => n % fileClasses.length),
      values: c.values,
    })),
  );

function fileData(c: Case): RawData {
  const f = c.modelFeatures.length;
  const train: Dataset = {
    count: c.labels.length,
    features: f,
    x: Float32Array.from(c.values),
    scale: 1,
    labels: Int32Array.from(c.labels),
    classNames: c.fileClasses,
  };
  return {
    name: 'file.csv',
    train,
    test: null,
    options: {},
    preview: { kind: 'table', header: [], rows: [], labelColumn: 0 },
    featureNames: c.fileOrder.map((m) => c.modelFeatures[m]!),
    warnings: [],
  };
}

describe('lineUpDataWithModel', () => {
  it('keeps every value under its column name and every label under its class name', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const raw = fileData(c);
        const { raw: lined } = lineUpDataWithModel(raw, { classNames: c.modelClasses, featureNames: c.modelFeatures });
        const f = c.modelFeatures.length;
        expect(lined.train.classNames).toEqual(c.modelClasses);
        const names = lined.featureNames!;
        for (let i = 0; i < raw.train.count; i++) {
          expect(lined.train.classNames[lined.train.labels[i]!]).toBe(c.fileClasses[c.labels[i]!]);
          for (let j = 0; j < f; j++) {
            const fileColumn = raw.featureNames!.indexOf(names[j]!);
            expect(lined.train.x[i * f + j]).toBe(raw.train.x[i * f + fileColumn]);
          }
        }
        // The columns end in the model's order.
        expect(names).toEqual(c.modelFeatures);
      }),
      RUNS,
    );
  });
});
