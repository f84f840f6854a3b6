import { describe, expect, it } from 'vitest';
import { Matrix } from '../../core/matrix.js';
import { createReferenceOps } from '../../core/ops/reference.js';
import type { Layer } from '../../core/layers/types.js';
import { AffineLayer } from '../../core/layers/affine.js';
import { ReluLayer, SigmoidLayer, TanhLayer } from '../../core/layers/activations.js';
import { SoftmaxWithLossLayer } from '../../core/layers/softmax-with-loss.js';
import { MseLayer } from '../../core/layers/mse.js';
import { buildNetwork } from '../../core/network.js';
import {
  GRADCHECK_THRESHOLD,
  checkGradients,
  compareGradients,
  gradientCheck,
  gradientCheckNetwork,
  numericalGradient,
} from '../../core/gradcheck.js';
import { Rng } from '../../core/rng.js';
import type { NetworkSpec } from '../../core/spec.js';

const ops = createReferenceOps('f64');
const EPS = 1e-5;

function randn(rows: number, cols: number, seed: number, scale = 1): Matrix<Float64Array> {
  const rng = new Rng(seed);
  const m = Matrix.zeros64(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal() * scale;
  return m;
}

/**
 * Check one layer in isolation. Its output is dotted with a fixed random matrix R,
 * f(x) = Σ R ⊙ layer(x), so df/d(output) = R and backward(R) must equal the
 * numerical gradient of f with respect to the input (and to W, b for Affine).
 */
function checkLayer(layer: Layer, x: Matrix): { name: string; relError: number }[] {
  const probe = layer.forward(x, true);
  const R = randn(probe.rows, probe.cols, 99);
  const f = (): number => {
    const y = layer.forward(x, true);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i]! * R.data[i]!;
    return s;
  };
  f();
  const dx = Float64Array.from(layer.backward(R).data);
  const grads = layer.params.map((p) => Float64Array.from(p.grad.data));
  const rows = [{ name: 'x', relError: compareGradients(numericalGradient(f, x.data, EPS), dx).relError }];
  layer.params.forEach((p, i) => {
    rows.push({ name: p.name, relError: compareGradients(numericalGradient(f, p.value.data, EPS), grads[i]!).relError });
  });
  return rows;
}

/** Smallest |pre-activation| entering any ReLU for input x: the distance to the kink. */
function minReluMargin(spec: NetworkSpec, x: Matrix, seed: number): number {
  const net = buildNetwork(spec, { ops, init: 'xavier', seed });
  let h: Matrix = x;
  let margin = Infinity;
  for (const l of net.layers) {
    if (l.kind === 'relu') for (const v of h.data) margin = Math.min(margin, Math.abs(v));
    h = l.forward(h, false);
  }
  return margin;
}

describe('each layer kind against central differences (float64)', () => {
  it('Affine: dx, dW and db', () => {
    const fc = new AffineLayer('fc1', 5, 4, ops);
    fc.W.data.set(randn(5, 4, 1).data);
    fc.b.data.set(randn(1, 4, 2).data);
    const rows = checkLayer(fc, randn(3, 5, 3));
    expect(rows.map((r) => r.name)).toEqual(['x', 'weight', 'bias']);
    for (const r of rows) expect(r.relError, r.name).toBeLessThan(1e-6);
  });

  it('ReLU, with every input at least 0.1 away from the kink at 0', () => {
    // At x = 0 ReLU has no derivative; central differences straddling 0 see half
    // the slope. Inputs are pushed to |x| >= 0.1, a thousand times ε·|x| away.
    const x = randn(4, 6, 4);
    for (let i = 0; i < x.data.length; i++) x.data[i] = Math.sign(x.data[i]!) * (Math.abs(x.data[i]!) + 0.1);
    const [row] = checkLayer(new ReluLayer('relu1', 6, ops), x);
    expect(row!.relError).toBeLessThan(1e-6);
  });

  it('ReLU exactly at the kink is where a check may legitimately disagree (why inputs are kept away)', () => {
    const relu = new ReluLayer('relu1', 1, ops);
    const x = Matrix.zeros64(1, 1); // x = 0
    const numeric = numericalGradient(() => relu.forward(x, true).data[0]!, x.data, EPS);
    relu.forward(x, true);
    const analytic = relu.backward(new Matrix(1, 1, Float64Array.of(1))).data[0]!;
    expect(numeric[0]).toBeCloseTo(0.5, 10);
    expect(analytic).toBe(0);
  });

  it('Sigmoid and Tanh, including saturated inputs', () => {
    const x = randn(4, 6, 5, 3);
    for (const layer of [new SigmoidLayer('sigmoid1', 6, ops), new TanhLayer('tanh1', 6, ops)]) {
      const [row] = checkLayer(layer, x);
      expect(row!.relError, layer.kind).toBeLessThan(1e-6);
    }
  });

  it('Softmax-with-Loss: dL/dscores is (y - t)/N, for indices and for one-hot targets', () => {
    const scores = randn(5, 4, 6, 2);
    const labels = Int32Array.from([0, 3, 1, 1, 2]);
    const oneHot = Matrix.zeros64(5, 4);
    labels.forEach((l, r) => oneHot.set(r, l, 1));
    for (const t of [labels, oneHot]) {
      const layer = new SoftmaxWithLossLayer(4, ops);
      const numeric = numericalGradient(() => layer.forward(scores, t), scores.data, EPS);
      layer.forward(scores, t);
      expect(compareGradients(numeric, layer.backward().data).relError).toBeLessThan(1e-6);
    }
  });

  it('MSE: dL/dy is (y - t)/N', () => {
    const y = randn(5, 3, 7);
    const t = randn(5, 3, 8);
    const layer = new MseLayer(3, ops);
    const numeric = numericalGradient(() => layer.forward(y, t), y.data, EPS);
    layer.forward(y, t);
    expect(compareGradients(numeric, layer.backward().data).relError).toBeLessThan(1e-6);
  });
});

describe('batched softmax regression (the per-row bug that gave the book differences of 0.28)', () => {
  // Rows on wildly different scales: a max or a sum taken over the whole batch
  // instead of per row gets every row but the largest wrong.
  const scores = new Matrix(5, 3, Float64Array.from([
    1000, 999, 998,
    -5, 0, 5,
    0.001, 0.002, 0,
    -1000, -990, -1010,
    3, 3, 3,
  ]));
  const labels = Int32Array.from([0, 2, 1, 1, 2]);

  it('each row of the batch equals that row computed alone, and sums to 1', () => {
    const batched = new SoftmaxWithLossLayer(3, ops);
    const all = batched.predict(scores).toArrays();
    for (let r = 0; r < 5; r++) {
      const single = new SoftmaxWithLossLayer(3, ops).predict(new Matrix(1, 3, scores.row(r).slice()));
      expect(all[r]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
      all[r]!.forEach((v, c) => expect(v).toBeCloseTo(single.get(0, c), 14));
    }
  });

  it('its gradient matches central differences over the whole batch', () => {
    const layer = new SoftmaxWithLossLayer(3, ops);
    const numeric = numericalGradient(() => layer.forward(scores, labels), scores.data, EPS);
    layer.forward(scores, labels);
    const cmp = compareGradients(numeric, layer.backward().data);
    expect(cmp.relError).toBeLessThan(1e-6);
    expect(cmp.maxAbsDiff).toBeLessThan(1e-8);
  });

  it('the same check catches a softmax normalized over the whole batch', () => {
    const N = 5, C = 3;
    const buggySoftmax = (x: Float64Array): Float64Array => {
      const max = Math.max(...x);
      const e = x.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / sum);
    };
    const x = Float64Array.from([1, 2, 3, -1, 0, 4, 2, 2, 2, 0.5, -0.5, 1, 3, 1, 0]);
    const loss = (): number => {
      const y = buggySoftmax(x);
      let l = 0;
      for (let r = 0; r < N; r++) l -= Math.log(y[r * C + labels[r]!]! + 1e-7);
      return l / N;
    };
    const y = buggySoftmax(x);
    const claimed = y.map((v, i) => (v - (labels[Math.floor(i / C)] === i % C ? 1 : 0)) / N);
    const cmp = compareGradients(numericalGradient(loss, x, EPS), claimed);
    expect(cmp.maxAbsDiff).toBeGreaterThan(0.1);
    expect(cmp.relError).toBeGreaterThan(1e-2);
  });
});

describe('whole networks', () => {
  const specs: [string, NetworkSpec][] = [
    ['784-50-10 ReLU (the book)', { inputSize: 784, layers: [{ kind: 'affine', units: 50 }, { kind: 'relu' }, { kind: 'affine', units: 10 }], loss: 'softmax-cross-entropy' }],
    ['sigmoid', { inputSize: 8, layers: [{ kind: 'affine', units: 6 }, { kind: 'sigmoid' }, { kind: 'affine', units: 4 }], loss: 'softmax-cross-entropy' }],
    ['deep mixed', {
      inputSize: 7,
      layers: [
        { kind: 'affine', units: 9 }, { kind: 'tanh' },
        { kind: 'affine', units: 8 }, { kind: 'relu' },
        { kind: 'affine', units: 6 }, { kind: 'sigmoid' },
        { kind: 'affine', units: 5 },
      ],
      loss: 'softmax-cross-entropy',
    }],
    ['tanh regression (mse)', { inputSize: 4, layers: [{ kind: 'affine', units: 6 }, { kind: 'tanh' }, { kind: 'affine', units: 2 }], loss: 'mse' }],
  ];

  for (const [label, spec] of specs) {
    it(`${label}: every parameter below ${GRADCHECK_THRESHOLD} relative error`, () => {
      const seed = 3;
      const x = randn(4, spec.inputSize, 21);
      if (spec.layers.some((l) => l.kind === 'relu')) {
        // Kink handling: with this seed no ReLU input comes within 1e-3 of 0, while a
        // step of ε = 1e-5 on any weight moves a pre-activation by at most ~1e-4.
        expect(minReluMargin(spec, x, seed)).toBeGreaterThan(1e-3);
      }
      const rows = gradientCheck(spec, { seed, x, maxElements: 300 });
      expect(rows.length).toBe(2 * spec.layers.filter((l) => l.kind === 'affine').length);
      for (const r of rows) {
        expect(r.relError, r.name).toBeLessThan(1e-6);
        expect(r.ok, r.name).toBe(true);
        expect(r.checked).toBe(Math.min(300, r.shape[0] * r.shape[1]));
      }
    });
  }

  it('reports names, shapes and all elements for a small network', () => {
    const rows = gradientCheck({ inputSize: 3, layers: [{ kind: 'affine', units: 4 }, { kind: 'tanh' }, { kind: 'affine', units: 2 }], loss: 'softmax-cross-entropy' });
    expect(rows.map((r) => [r.name, r.shape, r.checked])).toEqual([
      ['fc1.weight', [3, 4], 12],
      ['fc1.bias', [1, 4], 4],
      ['fc2.weight', [4, 2], 8],
      ['fc2.bias', [1, 2], 2],
    ]);
    for (const r of rows) expect(r.meanAbsDiff).toBeLessThanOrEqual(r.maxAbsDiff);
  });

  it('flags a wrong backward pass, and only the parameter it breaks', () => {
    const spec: NetworkSpec = { inputSize: 3, layers: [{ kind: 'affine', units: 4 }, { kind: 'tanh' }, { kind: 'affine', units: 2 }], loss: 'softmax-cross-entropy' };
    const net = buildNetwork(spec, { ops, init: 'xavier' });
    const fc1 = net.affineLayers()[0]!;
    // The first layer's input is the data, so the network asks it for dW and db only.
    const backwardParams = fc1.backwardParams.bind(fc1);
    fc1.backwardParams = (dout) => {
      backwardParams(dout);
      for (let i = 0; i < fc1.dW.data.length; i++) fc1.dW.data[i]! *= 1.01; // 1% off
    };
    const rows = checkGradients(net, randn(3, 3, 5), Int32Array.from([0, 1, 1]));
    expect(rows.map((r) => [r.name, r.ok])).toEqual([
      ['fc1.weight', false],
      ['fc1.bias', true],
      ['fc2.weight', true],
      ['fc2.bias', true],
    ]);
    expect(rows[0]!.relError).toBeGreaterThan(1e-3);
    expect(() => checkGradients(buildNetwork(spec), randn(3, 3, 5), Int32Array.from([0, 1, 1]))).toThrow(/needs a float64 network/);
  });

  it('checks a live float32 network through a float64 twin, sampling large parameters', () => {
    const spec: NetworkSpec = { inputSize: 64, layers: [{ kind: 'affine', units: 40 }, { kind: 'sigmoid' }, { kind: 'affine', units: 10 }], loss: 'softmax-cross-entropy' };
    const net = buildNetwork(spec, { init: 'he', seed: 4 });
    expect(net.ops.precision).toBe('f32');
    const x = Matrix.zeros(5, 64);
    x.data.set(randn(5, 64, 8).data);
    const rows = gradientCheckNetwork(net, x, Int32Array.from([1, 2, 3, 4, 5]), { maxElements: 100 });
    expect(rows.map((r) => r.checked)).toEqual([100, 40, 100, 10]);
    for (const r of rows) expect(r.relError, r.name).toBeLessThan(1e-6);
  });

  it('rejects a bad epsilon or batch with a clear message', () => {
    const spec: NetworkSpec = { inputSize: 3, layers: [{ kind: 'affine', units: 2 }], loss: 'softmax-cross-entropy' };
    expect(() => gradientCheck(spec, { epsilon: 0 })).toThrow(/epsilon must be between 0 and 1/);
    expect(() => gradientCheck(spec, { batch: 0 })).toThrow(/batch must be an integer/);
  });
});
