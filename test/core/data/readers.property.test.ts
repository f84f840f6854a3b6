import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Dataset } from '../../../core/data/dataset.js';
import { readDataFile, type DataFileInput } from '../../../core/data/read-data.js';
import { StudioError } from '../../../core/errors.js';
import { decodeModel, encodeModel, expectedTensorShapes, type ModelFileContent } from '../../../core/model/model-file.js';
import type { NetworkSpec } from '../../../core/spec.js';
import { encodeIdx } from '../../../scripts/mnist-idx.mjs';

/**
 * Whatever bytes arrive, a reader returns a consistent result or throws a
 * StudioError; any other exception (a TypeError, a RangeError from an
 * allocation) is a bug. Valid files are mutated by truncation and byte flips,
 * which reach far deeper into the parsers than random bytes do.
 */

const RUNS = { numRuns: 200 };
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url)));

/** Run a reader; pass if it succeeds (then check the result) or throws a StudioError. */
function clean<T>(read: () => T, check: (result: T) => void): void {
  let result: T;
  try {
    result = read();
  } catch (e) {
    if (e instanceof StudioError) {
      expect(e.message.length).toBeGreaterThan(0);
      expect(e.message).not.toContain('\n');
      return;
    }
    throw e;
  }
  check(result);
}

function checkDataset(ds: Dataset): void {
  expect(ds.count).toBeGreaterThan(0);
  expect(ds.features).toBeGreaterThan(0);
  expect(ds.x.length).toBe(ds.count * ds.features);
  expect(ds.labels.length).toBe(ds.count);
  for (const l of ds.labels) expect(l === -1 || (l >= 0 && l < ds.classNames.length)).toBe(true);
  if (ds.x instanceof Float32Array) for (const v of ds.x) expect(Number.isFinite(v)).toBe(true);
}

const truncate = (b: Uint8Array) => fc.nat({ max: Math.max(0, b.length - 1) }).map((n) => b.subarray(0, n));
const flip = (b: Uint8Array) =>
  fc.array(fc.tuple(fc.nat({ max: b.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
    const out = b.slice();
    for (const [at, x] of flips) out[at]! ^= x;
    return out;
  });
const mutate = (b: Uint8Array) => fc.oneof(truncate(b), flip(b), fc.uint8Array({ maxLength: 256 }));

describe('CSV/TSV reader', () => {
  const read = (bytes: Uint8Array, name = 'p.csv') => clean(() => readDataFile({ name, bytes }), (d) => checkDataset(d.dataset));

  test('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => read(b)), RUNS);
  });

  test('random text made of CSV characters', () => {
    const chars = fc.constantFrom(...'0123456789.,;\t\n\r"-+eE abcx'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 300 }), (cs) => read(new TextEncoder().encode(cs.join('')))),
      RUNS,
    );
  });

  test('truncated and flipped valid files', () => {
    for (const name of ['flowers.csv', 'numbers.tsv', 'decimal-comma.csv']) {
      fc.assert(fc.property(mutate(fixture(name)), (b) => read(b, name)), RUNS);
    }
  });

  test('a table of float32 numbers written as CSV reads back exactly', () => {
    const table = fc.integer({ min: 1, max: 6 }).chain((cols) =>
      fc.array(
        fc.tuple(
          fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: cols, maxLength: cols }),
          fc.constantFrom('a', 'b', 'c'),
        ),
        { minLength: 1, maxLength: 20 },
      ),
    );
    fc.assert(
      fc.property(table, (rows) => {
        const text = rows.map(([xs, label]) => [...xs.map(String), label].join(',')).join('\n');
        const d = readDataFile({ name: 'p.csv', bytes: new TextEncoder().encode(text) }, { hasHeader: false }).dataset;
        expect(d.count).toBe(rows.length);
        // -0 prints as "0": compare as numbers, where 0 === -0.
        expect(Array.from(d.x).map((v) => v + 0)).toEqual(rows.flatMap(([xs]) => xs.map((v) => v + 0)));
        const names = [...new Set(rows.map(([, l]) => l))].sort();
        expect(d.classNames).toEqual(names);
        expect(Array.from(d.labels)).toEqual(rows.map(([, l]) => names.indexOf(l)));
      }),
      RUNS,
    );
  });
});

describe('IDX reader', () => {
  const images = fixture('tiny-images-idx3-ubyte');
  const labels = fixture('tiny-labels-idx1-ubyte');
  const read = (img: Uint8Array, lab: Uint8Array) => {
    const input: DataFileInput = { name: 'p-images-idx3-ubyte', bytes: img, labels: { name: 'p-labels-idx1-ubyte', bytes: lab } };
    clean(() => readDataFile(input), (d) => {
      checkDataset(d.dataset);
      expect(d.format).toBe('idx');
    });
  };

  test('mutated images, plain and gzip', () => {
    fc.assert(fc.property(mutate(images), (b) => read(b, labels)), RUNS);
    fc.assert(fc.property(mutate(new Uint8Array(gzipSync(images))), (b) => read(b, labels)), RUNS);
  });

  test('mutated labels, plain and gzip', () => {
    fc.assert(fc.property(mutate(labels), (b) => read(images, b)), RUNS);
    fc.assert(fc.property(mutate(new Uint8Array(gzipSync(labels))), (b) => read(images, b)), RUNS);
  });

  test('random headers: any dimensions, never an allocation they announce', () => {
    const header = fc.tuple(
      fc.integer({ min: 0, max: 16 }),
      fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 6 }),
      fc.uint8Array({ maxLength: 64 }),
    );
    fc.assert(
      fc.property(header, ([type, dims, body]) => {
        read(encodeIdx(dims, body, type), labels);
      }),
      RUNS,
    );
  });
});

describe('model reader', () => {
  const spec: NetworkSpec = {
    inputSize: 3,
    layers: [{ kind: 'affine', units: 4 }, { kind: 'sigmoid' }, { kind: 'affine', units: 2 }],
    loss: 'softmax-cross-entropy',
  };
  const model: ModelFileContent = {
    spec,
    normalization: { mean: Float32Array.from([1, 2, 3]), std: Float32Array.from([1, 1, 2]) },
    classNames: ['no', 'yes'],
    tensors: new Map(
      [...expectedTensorShapes(spec)].map(([name, shape]) => [
        name,
        { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i / 10 - 0.3) },
      ]),
    ),
  };
  const valid = encodeModel(model);

  const read = (bytes: Uint8Array) =>
    clean(
      () => decodeModel(bytes, 'p.safetensors'),
      (m) => {
        const shapes = expectedTensorShapes(m.spec);
        expect([...m.tensors.keys()].sort()).toEqual([...shapes.keys()].sort());
        for (const [name, t] of m.tensors) {
          expect(t.shape).toEqual(shapes.get(name));
          for (const v of t.data) expect(Number.isFinite(v)).toBe(true);
        }
      },
    );

  test('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), read), RUNS);
  });

  test('truncated and flipped valid files', () => {
    fc.assert(fc.property(truncate(valid), read), RUNS);
    fc.assert(fc.property(flip(valid), read), RUNS);
  });

  test('flips inside the JSON header', () => {
    const n = new DataView(valid.buffer).getUint32(0, true);
    const inHeader = fc
      .tuple(fc.integer({ min: 8, max: 8 + n - 1 }), fc.constantFrom(...'{}[]":,0123456789-e '.split('')))
      .map(([at, ch]) => {
        const out = valid.slice();
        out[at] = ch.charCodeAt(0);
        return out;
      });
    fc.assert(fc.property(inHeader, read), RUNS);
  });
});
