import { describe, expect, it } from 'vitest';
import { Matrix } from '../../../core/matrix.js';
import { buildNetwork } from '../../../core/network.js';
import { Rng } from '../../../core/rng.js';
import type { NetworkSpec } from '../../../core/spec.js';
import { checkWeightGradient, traceNetwork } from '../../../core/graph/network-trace.js';
import { blockMean } from '../../../core/graph/tensor-summary.js';

const SPEC: NetworkSpec = {
  inputSize: 6,
  layers: [{ kind: 'affine', units: 5 }, { kind: 'relu' }, { kind: 'affine', units: 4 }, { kind: 'sigmoid' }, { kind: 'affine', units: 3 }],
  loss: 'softmax-cross-entropy',
};

function batch(rows: number, cols: number, seed: number): { x: Matrix; t: Int32Array } {
  const rng = new Rng(seed);
  const x = Matrix.zeros(rows, cols);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  return { x, t: Int32Array.from({ length: rows }, () => rng.int(3)) };
}

function heatOf(trace: ReturnType<typeof traceNetwork>, s: { heat: { offset: number; rows: number; cols: number } | null }): Float32Array {
  const h = s.heat!;
  return trace.heat.subarray(h.offset, h.offset + h.rows * h.cols);
}

describe('network trace (the network as a computational graph)', () => {
  it('draws x → fc1 → relu1 → … → loss → L with W and b on the Affine nodes and the book’s local rules', () => {
    const net = buildNetwork(SPEC, { init: 'xavier', seed: 3 });
    const { x, t } = batch(4, 6, 1);
    const trace = traceNetwork(net, x, t);
    expect(trace.nodes.map((n) => n.name)).toEqual(['x', 'fc1', 'relu1', 'fc2', 'sigmoid2', 'fc3', 'loss', 'L']);
    expect(trace.edges.map((e) => e.label)).toEqual(['x', 'h1', 'h2', 'h3', 'h4', 'scores', 'L']);
    expect(trace.nodes[1]!.params.map((p) => [p.name, p.label, p.value.shape])).toEqual([
      ['fc1.weight', 'W', [6, 5]],
      ['fc1.bias', 'b', [1, 5]],
    ]);
    expect(trace.nodes[1]!.rule!.backward).toContain('dW = xᵀ·dout');
    expect(trace.nodes[2]!.rule!.backward).toContain('x > 0');
    expect(trace.nodes[4]!.rule!.backward).toContain('y(1 − y)');
    expect(trace.nodes[6]!.rule!.backward).toBe('dx = (y − t) / N');
    // The end of the chain: the loss forward, dL/dL = 1 backward.
    const lEdge = trace.edges[6]!;
    expect(lEdge.value.head).toEqual([trace.loss]);
    expect(lEdge.grad.head).toEqual([1]);
    expect(trace.loss).toBeCloseTo(net.loss(x, t), 5);
  });

  it('gives the same dW and db as the engine’s own Network.gradient for the same batch, bit for bit', () => {
    const net = buildNetwork(SPEC, { init: 'he', seed: 7 });
    const { x, t } = batch(8, 6, 2);
    const trace = traceNetwork(net, x, t);
    const engine = buildNetwork(SPEC, { init: 'he', seed: 7 });
    engine.gradient(x, t);
    const byName = new Map(trace.nodes.flatMap((n) => n.params).map((p) => [p.name, p]));
    for (const { layer, name, param } of engine.namedParams()) {
      const p = byName.get(`${layer}.${name}`)!;
      const g = param.grad.data;
      // Summaries of identical arrays are identical: stats of all values, head of the first row.
      expect(p.grad.head).toEqual(Array.from(g.subarray(0, Math.min(6, param.grad.cols))));
      let sum = 0, min = Infinity, max = -Infinity, sq = 0;
      for (const v of g) {
        sum += v;
        sq += v * v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(p.grad.mean).toBe(sum / g.length);
      expect(p.grad.min).toBe(min);
      expect(p.grad.max).toBe(max);
      expect(p.grad.norm).toBe(Math.sqrt(sq));
      // Small parameters are their own heatmap: every value compared.
      if (param.grad.rows <= 28 && param.grad.cols <= 56) expect(Array.from(heatOf(trace, p.grad))).toEqual(Array.from(g));
    }
  });

  it('never disturbs the live network: its weights and gradients stay as they were', () => {
    const net = buildNetwork(SPEC, { init: 'xavier', seed: 5 });
    const a = batch(5, 6, 3);
    net.gradient(a.x, a.t);
    const before = net.namedParams().map((p) => [Float32Array.from(p.param.value.data), Float32Array.from(p.param.grad.data)]);
    const b = batch(9, 6, 4);
    traceNetwork(net, b.x, b.t);
    net.namedParams().forEach((p, i) => {
      expect(p.param.value.data).toEqual(before[i]![0]);
      expect(p.param.grad.data).toEqual(before[i]![1]);
    });
  });

  it('one sample: the gradient into the loss is (y − t) / 1', () => {
    const net = buildNetwork(SPEC, { init: 'xavier', seed: 2 });
    const { x, t } = batch(1, 6, 9);
    const trace = traceNetwork(net, x, t);
    const scores = trace.edges[5]!;
    const y = heatOf(trace, trace.nodes[6]!.probs!);
    const expected = Array.from(y, (p, c) => p - (c === t[0] ? 1 : 0));
    Array.from(heatOf(trace, scores.grad)).forEach((g, c) => expect(g).toBeCloseTo(expected[c]!, 6));
  });

  it('an image input is drawn as the image (C x H x W), not as a row of numbers', () => {
    const spec: NetworkSpec = { inputSize: 16, layers: [{ kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };
    const net = buildNetwork(spec, { seed: 1 });
    const { x, t } = batch(2, 16, 5);
    const trace = traceNetwork(net, x, t, { inputImage: [1, 4, 4] });
    const xEdge = trace.edges[0]!;
    expect(xEdge.value.shape).toEqual([2, 1, 4, 4]);
    expect(xEdge.value.heat).toMatchObject({ rows: 4, cols: 4 });
    expect(Array.from(heatOf(trace, xEdge.value))).toEqual(Array.from(x.data.subarray(0, 16)));
  });

  it('the numerical gradient of one weight agrees with backprop to < 1e-6', () => {
    const net = buildNetwork(SPEC, { init: 'xavier', seed: 11 });
    const { x, t } = batch(4, 6, 6);
    for (const [param, index] of [['fc1.weight', 7], ['fc2.bias', 2], ['fc3.weight', 11]] as const) {
      const r = checkWeightGradient(net, x, t, param, index);
      expect(r.relError).toBeLessThan(1e-6);
      expect(Math.abs(r.numeric)).toBeGreaterThan(0);
    }
    // The check is also a check: the float32 trace value agrees to float32 precision.
    const trace = traceNetwork(net, x, t);
    const fc1w = trace.nodes[1]!.params[0]!;
    expect(heatOf(trace, fc1w.grad)[7]).toBeCloseTo(checkWeightGradient(net, x, t, 'fc1.weight', 7).numeric, 5);
  });

  it('with Dropout, the one-weight check keeps the masks of its backprop, and they are the trace\'s masks', () => {
    const spec: NetworkSpec = {
      inputSize: 6,
      layers: [{ kind: 'affine', units: 8 }, { kind: 'relu' }, { kind: 'dropout', rate: 0.5 }, { kind: 'affine', units: 3 }],
      loss: 'softmax-cross-entropy',
    };
    const net = buildNetwork(spec, { init: 'he', seed: 5 });
    const { x, t } = batch(4, 6, 3);
    const before = JSON.stringify(net.getRngState());
    const trace = traceNetwork(net, x, t);
    const dW = heatOf(trace, trace.nodes[1]!.params[0]!.grad);
    // Weights into units the masks keep (a dropped unit's weights have no gradient).
    const live = Array.from(dW.keys()).filter((i) => Math.abs(dW[i]!) > 1e-4).slice(0, 4);
    expect(live.length).toBe(4);
    for (const i of live) {
      const r = checkWeightGradient(net, x, t, 'fc1.weight', i);
      expect(r.relError).toBeLessThan(1e-6);
      expect(dW[i]).toBeCloseTo(r.numeric, 5);
    }
    // Looking does not move the network's own Dropout stream (training draws what it would have).
    expect(JSON.stringify(net.getRngState())).toBe(before);
  });

  it('names the parameter or index that does not exist', () => {
    const net = buildNetwork(SPEC, { seed: 1 });
    const { x, t } = batch(2, 6, 1);
    expect(() => checkWeightGradient(net, x, t, 'fc9.weight', 0)).toThrow(/no parameter named 'fc9.weight'.*fc1.weight/);
    expect(() => checkWeightGradient(net, x, t, 'fc1.bias', 5)).toThrow(/fc1.bias has 5 values \(index 0..4\), got index 5/);
    expect(() => traceNetwork(net, Matrix.zeros(2, 5), t)).toThrow(/expects 6 features per sample, got 5/);
  });

  it('heatmaps are block means down to a small grid', () => {
    const m = Float32Array.from({ length: 4 * 6 }, (_, i) => i);
    const s = blockMean(m, 4, 6, 2, 3);
    expect(s).toMatchObject({ rows: 2, cols: 3 });
    // Top-left block: rows 0-1, cols 0-1 → (0 + 1 + 6 + 7) / 4.
    expect(s.values[0]).toBe(3.5);
  });
});
