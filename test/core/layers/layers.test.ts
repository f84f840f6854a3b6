import { describe, expect, it } from 'vitest';
import { Matrix } from '../../../core/matrix.js';
import type { Ops } from '../../../core/ops/types.js';
import { createReferenceOps } from '../../../core/ops/reference.js';
import { AffineLayer } from '../../../core/layers/affine.js';
import { ReluLayer, SigmoidLayer, TanhLayer } from '../../../core/layers/activations.js';
import { SoftmaxWithLossLayer } from '../../../core/layers/softmax-with-loss.js';
import { MseLayer } from '../../../core/layers/mse.js';
import { StudioError } from '../../../core/errors.js';

const ops = createReferenceOps('f64');

function arrays(m: Matrix): number[][] {
  return m.toArrays();
}

function expectClose(actual: Matrix, expected: number[][], digits = 12): void {
  expect(actual.rows).toBe(expected.length);
  actual.toArrays().forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(expected[r]![c]!, digits)));
}

function f64(rows: number[][]): Matrix {
  const m = Matrix.zeros64(rows.length, rows[0]!.length);
  rows.forEach((row, r) => m.data.set(row, r * row.length));
  return m;
}

/** Wraps a backend and counts how many matrices it hands out. */
function countingOps(base: Ops): Ops & { allocs: number } {
  const o = { ...base, allocs: 0 } as Ops & { allocs: number };
  o.alloc = (r, c) => {
    o.allocs++;
    return base.alloc(r, c);
  };
  return o;
}

describe('Affine', () => {
  const setup = () => {
    const fc = new AffineLayer('fc1', 3, 2, ops);
    fc.W.data.set([1, 2, 3, 4, 5, 6]); // [[1,2],[3,4],[5,6]]
    fc.b.data.set([0.5, -1]);
    return fc;
  };

  it('forward is x·W + b for every row of the batch', () => {
    const fc = setup();
    const y = fc.forward(f64([[1, 0, 0], [1, 1, 1]]), true);
    expect(arrays(y)).toEqual([[1.5, 1], [9.5, 11]]);
  });

  it('backward gives dx = dout·Wᵀ, dW = xᵀ·dout, db = Σ rows of dout', () => {
    const fc = setup();
    fc.forward(f64([[1, 0, 0], [1, 1, 1]]), true);
    const dout = f64([[1, 0], [2, 1]]);
    const dx = fc.backward(dout);
    expect(arrays(dx)).toEqual([[1, 3, 5], [4, 10, 16]]);
    expect(arrays(fc.dW)).toEqual([[3, 1], [2, 1], [2, 1]]);
    expect(arrays(fc.db)).toEqual([[3, 1]]);
  });

  it('names its params weight [in, out] and bias [1, out]', () => {
    const fc = setup();
    expect(fc.params.map((p) => [p.name, p.value.rows, p.value.cols])).toEqual([
      ['weight', 3, 2],
      ['bias', 1, 2],
    ]);
    expect(fc.params[0].grad.rows).toBe(3);
  });

  it('rejects an input of the wrong width, naming the layer', () => {
    expect(() => setup().forward(f64([[1, 2]]), false)).toThrow(/fc1: expects 3 inputs per row, got 2/);
    const fc = setup();
    fc.forward(f64([[1, 2, 3]]), true);
    expect(() => fc.backward(f64([[1, 2, 3]]))).toThrow(StudioError);
  });
});

describe('activations', () => {
  const x = f64([[-2, -0.5, 0.5, 3], [1, -1, 0.25, -4]]);
  const dout = f64([[1, 2, 3, 4], [-1, -2, -3, -4]]);

  it('ReLU passes positive inputs and their gradients, blocks the rest', () => {
    const relu = new ReluLayer('relu1', 4, ops);
    expect(arrays(relu.forward(x, true))).toEqual([[0, 0, 0.5, 3], [1, 0, 0.25, 0]]);
    expect(arrays(relu.backward(dout))).toEqual([[0, 0, 3, 4], [-1, 0, -3, 0]]);
  });

  it('ReLU at exactly 0 gives 0 and blocks the gradient (the book: mask = x <= 0)', () => {
    const relu = new ReluLayer('relu1', 2, ops);
    expect(arrays(relu.forward(f64([[0, 1]]), true))).toEqual([[0, 1]]);
    expect(arrays(relu.backward(f64([[5, 5]])))).toEqual([[0, 5]]);
  });

  it('Sigmoid is 1/(1+e^-x) with backward dout·y·(1-y)', () => {
    const s = new SigmoidLayer('sigmoid1', 4, ops);
    const y = s.forward(x, true);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(y, x.toArrays().map((r) => r.map(sig)));
    const dx = s.backward(dout);
    expectClose(
      dx,
      x.toArrays().map((r, i) => r.map((v, j) => dout.get(i, j) * sig(v) * (1 - sig(v)))),
    );
  });

  it('Tanh is tanh(x) with backward dout·(1-y²)', () => {
    const t = new TanhLayer('tanh1', 4, ops);
    expectClose(t.forward(x, true), x.toArrays().map((r) => r.map(Math.tanh)));
    expectClose(
      t.backward(dout),
      x.toArrays().map((r, i) => r.map((v, j) => dout.get(i, j) * (1 - Math.tanh(v) ** 2))),
    );
  });
});

describe('Softmax-with-Loss', () => {
  it('gives probabilities per row, the mean cross-entropy, and (y - t)/N', () => {
    const layer = new SoftmaxWithLossLayer(3, ops);
    const scores = f64([[0, 0, 0], [Math.log(1), Math.log(2), Math.log(7)]]);
    const loss = layer.forward(scores, Int32Array.from([1, 2]));
    // row 0: uniform, -log(1/3); row 1: probabilities 0.1, 0.2, 0.7, -log(0.7)
    expect(loss).toBeCloseTo((Math.log(3) - Math.log(0.7)) / 2, 12);
    expectClose(layer.backward(), [
      [1 / 3 / 2, (1 / 3 - 1) / 2, 1 / 3 / 2],
      [0.1 / 2, 0.2 / 2, (0.7 - 1) / 2],
    ]);
    expectClose(layer.predict(scores), [[1 / 3, 1 / 3, 1 / 3], [0.1, 0.2, 0.7]]);
  });

  it('does not overflow on large scores: subtracting the row max keeps exp finite', () => {
    const layer = new SoftmaxWithLossLayer(2, ops);
    const loss = layer.forward(f64([[1000, 1000], [-1000, 1000]]), Int32Array.from([0, 1]));
    expect(loss).toBeCloseTo(Math.log(2) / 2, 12);
    expectClose(layer.predict(f64([[1000, 1000], [-1000, 1000]])), [[0.5, 0.5], [0, 1]]);
  });

  it('accepts one-hot rows and gives exactly what class indices give', () => {
    const scores = f64([[1, 2, 3], [3, -1, 0.5]]);
    const a = new SoftmaxWithLossLayer(3, ops);
    const b = new SoftmaxWithLossLayer(3, ops);
    expect(a.forward(scores, Int32Array.from([2, 0]))).toBe(b.forward(scores, f64([[0, 0, 1], [1, 0, 0]])));
    expect(arrays(a.backward())).toEqual(arrays(b.backward()));
  });

  it('rejects labels out of range, wrong counts and rows that are not one-hot', () => {
    const layer = new SoftmaxWithLossLayer(3, ops);
    const scores = f64([[1, 2, 3]]);
    expect(() => layer.forward(scores, Int32Array.from([3]))).toThrow(/label 3 in row 0 is outside the 3 classes/);
    expect(() => layer.forward(scores, Int32Array.from([0, 1]))).toThrow(/1 rows of scores but 2 labels/);
    expect(() => layer.forward(scores, f64([[0.5, 0.5, 0]]))).toThrow(/not one-hot/);
    expect(() => layer.forward(scores, f64([[0, 0, 0]]))).toThrow(/all zeros/);
    expect(() => layer.forward(f64([[1, 2]]), Int32Array.from([0]))).toThrow(/expects 3 scores per row/);
  });
});

describe('MSE', () => {
  it('is ½·Σ(y - t)² averaged over the rows, with backward (y - t)/N', () => {
    const layer = new MseLayer(2, ops);
    const loss = layer.forward(f64([[1, 2], [3, 5]]), f64([[0, 2], [1, 1]]));
    expect(loss).toBeCloseTo((0.5 * (1 + 0 + 4 + 16)) / 2, 12);
    expectClose(layer.backward(), [[0.5, 0], [1, 2]]);
    expect(arrays(layer.predict(f64([[7, 8]])))).toEqual([[7, 8]]);
  });

  it('reads class indices as one-hot targets', () => {
    const layer = new MseLayer(3, ops);
    const loss = layer.forward(f64([[1, 0, 0], [0, 0, 0]]), Int32Array.from([0, 2]));
    expect(loss).toBeCloseTo(0.25, 12);
    expectClose(layer.backward(), [[0, 0, 0], [0, 0, -0.5]]);
  });

  it('rejects targets of the wrong shape and non-finite targets', () => {
    const layer = new MseLayer(2, ops);
    expect(() => layer.forward(f64([[1, 2]]), f64([[1, 2, 3]]))).toThrow(/targets must be 1x2, got 1x3/);
    expect(() => layer.forward(f64([[1, 2]]), f64([[1, Number.NaN]]))).toThrow(/row 0, column 1 is NaN/);
    expect(() => layer.forward(f64([[1, 2]]), Int32Array.from([2]))).toThrow(/label 2 in row 0/);
  });
});

describe('every layer', () => {
  const make = (o: Ops) => ({
    affine: new AffineLayer('fc1', 4, 4, o),
    relu: new ReluLayer('relu1', 4, o),
    sigmoid: new SigmoidLayer('sigmoid1', 4, o),
    tanh: new TanhLayer('tanh1', 4, o),
  });
  const x = f64([[-2, -0.5, 0.5, 3], [1, -1, 0.25, -4]]);

  it('backward never mutates dout', () => {
    for (const [kind, layer] of Object.entries(make(ops))) {
      if (layer instanceof AffineLayer) layer.W.data.set(Array.from({ length: 16 }, (_, i) => i / 10 - 0.7));
      layer.forward(x, true);
      const dout = f64([[1, -2, 3, -4], [0.5, 0.25, -0.125, 2]]);
      const before = Float64Array.from(dout.data);
      layer.backward(dout);
      expect(Array.from(dout.data), kind).toEqual(Array.from(before));
    }
    const sm = new SoftmaxWithLossLayer(4, ops);
    const scores = f64([[1, 2, 3, 4], [4, 3, 2, 1]]);
    const before = Array.from(scores.data);
    const t = Int32Array.from([1, 3]);
    sm.forward(scores, t);
    sm.backward();
    expect(Array.from(scores.data)).toEqual(before);
    expect(Array.from(t)).toEqual([1, 3]);
  });

  it('allocates its matrices once per batch size, then reuses them', () => {
    const o = countingOps(createReferenceOps('f32'));
    const layers = Object.values(make(o));
    const run = (rows: number) => {
      const input = o.alloc(rows, 4);
      const dout = o.alloc(rows, 4);
      const before = o.allocs;
      for (const l of layers) {
        l.forward(input, true);
        l.backward(dout);
      }
      return o.allocs - before;
    };
    expect(run(5)).toBeGreaterThan(0);
    expect(run(5)).toBe(0);
    expect(run(3)).toBeGreaterThan(0);
    expect(run(5)).toBe(0);
    expect(run(3)).toBe(0);
  });
});
