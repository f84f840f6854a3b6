import { describe, expect, it } from 'vitest';
import { Matrix } from '../../core/matrix.js';
import { createReferenceOps } from '../../core/ops/reference.js';
import { buildNetwork } from '../../core/network.js';
import { TWO_LAYER_NET, type NetworkSpec } from '../../core/spec.js';
import { Rng } from '../../core/rng.js';
import { studioFailure } from './studio-failure.js';

function sampleStd(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i]!;
  m /= a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - m) ** 2;
  return Math.sqrt(v / a.length);
}

function randomInput(rows: number, cols: number, seed: number): Matrix<Float32Array> {
  const rng = new Rng(seed);
  const m = Matrix.zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

describe('buildNetwork', () => {
  it("builds the book's TwoLayerNet: 784-50-10, weights 0.01·randn, zero biases", () => {
    const net = buildNetwork(TWO_LAYER_NET);
    expect(net.layers.map((l) => l.name)).toEqual(['fc1', 'relu1', 'fc2']);
    expect(net.namedParams().map((p) => `${p.layer}.${p.name} ${p.param.value.shapeString()}`)).toEqual([
      'fc1.weight 784x50',
      'fc1.bias 1x50',
      'fc2.weight 50x10',
      'fc2.bias 1x10',
    ]);
    expect(net.parameterCount).toBe(784 * 50 + 50 + 50 * 10 + 10);
    expect(net.outputSize).toBe(10);
    expect(net.ops.precision).toBe('f32');
    const [w1, b1] = net.namedParams();
    expect(sampleStd(w1!.param.value.data)).toBeGreaterThan(0.0097);
    expect(sampleStd(w1!.param.value.data)).toBeLessThan(0.0103);
    expect(Array.from(b1!.param.value.data).every((v) => v === 0)).toBe(true);
  });

  it('scales Xavier by √(1/fan_in) and He by √(2/fan_in)', () => {
    const spec: NetworkSpec = { inputSize: 400, layers: [{ kind: 'affine', units: 300 }, { kind: 'tanh' }, { kind: 'affine', units: 4 }], loss: 'softmax-cross-entropy' };
    const xavier = buildNetwork(spec, { init: 'xavier' }).affineLayers()[0]!;
    const he = buildNetwork(spec, { init: 'he' }).affineLayers()[0]!;
    expect(sampleStd(xavier.W.data) / Math.sqrt(1 / 400)).toBeCloseTo(1, 1);
    expect(sampleStd(he.W.data) / Math.sqrt(2 / 400)).toBeCloseTo(1, 1);
  });

  it('gives the same weights for the same seed and different ones for another seed', () => {
    const a = buildNetwork(TWO_LAYER_NET, { seed: 7 }).affineLayers()[1]!.W.data;
    const b = buildNetwork(TWO_LAYER_NET, { seed: 7 }).affineLayers()[1]!.W.data;
    const c = buildNetwork(TWO_LAYER_NET, { seed: 8 }).affineLayers()[1]!.W.data;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('builds any depth, widths and activations, naming activations after the Affine before them', () => {
    const spec: NetworkSpec = {
      inputSize: 5,
      layers: [
        { kind: 'affine', units: 7 },
        { kind: 'sigmoid' },
        { kind: 'affine', units: 6 },
        { kind: 'tanh' },
        { kind: 'affine', units: 4 },
        { kind: 'relu' },
        { kind: 'affine', units: 3 },
      ],
      loss: 'softmax-cross-entropy',
    };
    const net = buildNetwork(spec, { ops: createReferenceOps('f64') });
    expect(net.layers.map((l) => l.name)).toEqual(['fc1', 'sigmoid1', 'fc2', 'tanh2', 'fc3', 'relu3', 'fc4']);
    expect(net.ops.precision).toBe('f64');
    const p = net.predictProbabilities(randomInput(4, 5, 3));
    expect(p.rows).toBe(4);
    expect(p.cols).toBe(3);
    for (let r = 0; r < 4; r++) expect(Array.from(p.row(r)).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('fills in the default loss and keeps two activations in a row apart by name', () => {
    const net = buildNetwork({ inputSize: 3, layers: [{ kind: 'relu' }, { kind: 'affine', units: 2 }, { kind: 'relu' }, { kind: 'relu' }] } as NetworkSpec);
    expect(net.spec.loss).toBe('softmax-cross-entropy');
    expect(net.layers.map((l) => l.name)).toEqual(['relu0', 'fc1', 'relu1', 'relu1_2']);
  });

  it('rejects bad specs with one clear line naming the field', () => {
    expect(studioFailure(() => buildNetwork({ inputSize: 4, layers: [{ kind: 'relu' }] } as NetworkSpec))).toMatch(
      /^BAD_SPEC: .*needs at least one affine layer/,
    );
    expect(studioFailure(() => buildNetwork({ inputSize: 4, layers: [{ kind: 'affine', units: 0 }] } as NetworkSpec))).toMatch(
      /^BAD_SPEC: network spec field layers\[0\]\.units/,
    );
    // A known kind names its own field that is wrong, not just the layer.
    expect(studioFailure(() => buildNetwork({ inputSize: 4, layers: [{ kind: 'conv' }] } as unknown as NetworkSpec))).toMatch(
      /^BAD_SPEC: network spec field layers\[0\]\.filters: .*expected number/,
    );
    expect(studioFailure(() => buildNetwork({ inputSize: 4, layers: [{ kind: 'affine', units: '3' }] } as unknown as NetworkSpec))).toMatch(
      /^BAD_SPEC: network spec field layers\[0\]\.units: .*expected number, received string/,
    );
    expect(studioFailure(() => buildNetwork({ inputSize: 4, layers: [{ kind: 'affine', units: 3, stride: 2 }] } as unknown as NetworkSpec))).toMatch(
      /^BAD_SPEC: network spec field layers\[0\]: .*"stride"/,
    );
    // An unknown or missing kind lists the kinds there are.
    const kinds = 'affine, relu, sigmoid, tanh, conv, pool, flatten, batchnorm, dropout';
    expect(studioFailure(() => buildNetwork({ inputSize: 4, layers: [{ kind: 'affine', units: 2 }, { kind: 'fc', units: 3 }] } as unknown as NetworkSpec))).toBe(
      `BAD_SPEC: network spec field layers[1].kind: "fc" is not a layer kind; the kinds are ${kinds}`,
    );
    expect(studioFailure(() => buildNetwork({ inputSize: 4, layers: [{ units: 3 }] } as unknown as NetworkSpec))).toBe(
      `BAD_SPEC: network spec field layers[0].kind: missing; the kinds are ${kinds}`,
    );
    expect(studioFailure(() => buildNetwork({ inputSize: 4, layers: [{ kind: 'affine', units: 1 }], loss: 'softmax-cross-entropy' }))).toMatch(
      /^BAD_SPEC: .*at least 2 outputs/,
    );
    expect(studioFailure(() => buildNetwork({ inputSize: 60000, layers: [{ kind: 'affine', units: 60000 }], loss: 'mse' }))).toMatch(
      /^TOO_LARGE: .*parameters is over the limit/,
    );
    expect(studioFailure(() => buildNetwork(TWO_LAYER_NET, { seed: -1 }))).toMatch(/^BAD_SPEC: .*seed/);
    expect(studioFailure(() => buildNetwork(TWO_LAYER_NET, { init: 'lecun' as 'he' }))).toMatch(/^BAD_SPEC: .*initializer "lecun"/);
  });
});

describe('Network', () => {
  const spec: NetworkSpec = { inputSize: 6, layers: [{ kind: 'affine', units: 5 }, { kind: 'relu' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };

  it('gradient returns the same loss as loss() and fills every gradient', () => {
    const net = buildNetwork(spec, { init: 'he', seed: 3 });
    const x = randomInput(8, 6, 1);
    const t = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]);
    const loss = net.loss(x, t);
    expect(net.gradient(x, t)).toBe(loss);
    for (const { layer, name, param } of net.namedParams()) {
      expect(param.grad.data.some((v) => v !== 0), `${layer}.${name}`).toBe(true);
    }
  });

  it('rejects inputs of the wrong width with SHAPE_MISMATCH', () => {
    const net = buildNetwork(spec);
    expect(studioFailure(() => net.forward(randomInput(2, 5, 1)))).toBe('SHAPE_MISMATCH: network expects 6 features per sample, got 5');
  });

  it('predicts raw outputs for an mse network', () => {
    const net = buildNetwork({ ...spec, loss: 'mse' });
    const x = randomInput(3, 6, 2);
    const scores = Array.from(net.forward(x).data);
    expect(Array.from(net.predictProbabilities(x).data)).toEqual(scores);
  });

  it('copies weights into a float64 twin that computes the same loss', () => {
    const net = buildNetwork(spec, { init: 'he', seed: 5 });
    const twin = buildNetwork(spec, { ops: createReferenceOps('f64'), seed: 99 });
    twin.copyParamsFrom(net);
    const x = randomInput(4, 6, 4);
    const t = Int32Array.from([2, 1, 0, 2]);
    expect(twin.loss(x, t)).toBeCloseTo(net.loss(x, t), 5);
    const other = buildNetwork({ ...spec, layers: [{ kind: 'affine', units: 3 }] });
    expect(studioFailure(() => twin.copyParamsFrom(other))).toMatch(/^SHAPE_MISMATCH: cannot copy parameters/);
  });
});

describe('first-layer input gradient', () => {
  it('network.gradient fills the same dW and db as a full backward pass that also computes dx', () => {
    const spec: NetworkSpec = { inputSize: 6, layers: [{ kind: 'affine', units: 5 }, { kind: 'relu' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };
    const rng = new Rng(3);
    const x = Matrix.zeros(4, 6);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
    const t = Int32Array.from([0, 2, 1, 2]);
    const a = buildNetwork(spec, { init: 'he', seed: 9 });
    const b = buildNetwork(spec, { init: 'he', seed: 9 });
    a.gradient(x, t);
    // b: the same pass by hand, with every layer's full backward (dx of the input included).
    b.lossLayer.forward(b.forward(x, true), t);
    let d = b.lossLayer.backward();
    for (let i = b.layers.length - 1; i >= 0; i--) d = b.layers[i]!.backward(d);
    expect(d.rows).toBe(4);
    expect(d.cols).toBe(6);
    a.namedParams().forEach((p, i) => expect(Array.from(p.param.grad.data)).toEqual(Array.from(b.namedParams()[i]!.param.grad.data)));
  });
});
