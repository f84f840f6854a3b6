import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildNetwork, type Network } from '../../../core/network.js';
import { Matrix } from '../../../core/matrix.js';
import { createReferenceOps } from '../../../core/ops/reference.js';
import type { Ops } from '../../../core/ops/types.js';
import type { LayerSpec, NetworkSpec } from '../../../core/spec.js';

/**
 * Parity with PyTorch (float64) on the layers of the book's chapters 6-7: the
 * fixture (../shared/anchors/make_conv_parity_fixture.py, conventions at its top)
 * trains two small CNNs with plain SGD: conv + BatchNorm2d + pool + Affine +
 * BatchNorm1d, and a strided convolution with an overlapping pool and weight decay.
 * From its initial weights and batches the engine must reproduce the loss before
 * every step within 1e-5 relative, the final weights and BatchNorm running
 * statistics within 1e-4 in float32 (1e-9 in float64), and the evaluation-mode scores.
 */
interface Params {
  layer: number;
  kind: 'conv' | 'affine' | 'batchnorm';
  W?: unknown;
  b?: number[];
  gamma?: number[];
  beta?: number[];
  runningMean?: number[];
  runningVar?: number[];
}
interface Case {
  name: string;
  input: [number, number, number];
  layers: LayerSpec[];
  classes: number;
  lr: number;
  batch: number;
  steps: number;
  weightDecay: number;
  x: unknown[];
  t: number[];
  initial: Params[];
  batches: number[][];
  lossBeforeEachStep: number[];
  final: Params[];
  evalScores: number[][];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.resolve(here, '../../fixtures/conv-parity-fixture.json');
const ANCHOR = path.resolve(here, '../../../../shared/anchors/conv-parity-fixture.json');
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] };

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

function specOf(c: Case): NetworkSpec {
  const [C, H, W] = c.input;
  return { inputSize: C * H * W, inputShape: c.input, layers: c.layers, loss: 'softmax-cross-entropy' };
}

/** The fixture's values for spec layer `index`, in the engine's layouts (Affine W is [in, out] in both). */
function put(network: Network, p: Params): void {
  const layer = network.layers[p.layer]!;
  const [w, b] = layer.params;
  if (p.kind === 'batchnorm') {
    w!.value.data.set(p.gamma!);
    b!.value.data.set(p.beta!);
    layer.buffers![0]!.data.set(p.runningMean!);
    layer.buffers![1]!.data.set(p.runningVar!);
  } else {
    w!.value.data.set(flat(p.W));
    b!.value.data.set(p.b!);
  }
}

/** Largest |a - e| / max(|e|, 1e-3): relative, with near-zero expected values compared absolutely. */
function maxRel(actual: ArrayLike<number>, expected: number[]): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), 1e-3));
  return worst;
}

function replay(c: Case, ops: Ops): { network: Network; losses: number[]; scores: Matrix } {
  const network = buildNetwork(specOf(c), { ops });
  c.initial.forEach((p) => put(network, p));
  const xs = c.x.map(flat);
  const width = xs[0]!.length;
  const lossWeights = network.params().filter((p) => p.decay);
  expect(lossWeights.length).toBe(c.layers.filter((l) => l.kind === 'conv' || l.kind === 'affine').length);
  const losses: number[] = [];
  for (const batch of c.batches) {
    const x = ops.alloc(batch.length, width);
    batch.forEach((i, r) => x.data.set(xs[i]!, r * width));
    const t = Int32Array.from(batch, (i) => c.t[i]!);
    losses.push(network.gradient(x, t, c.weightDecay));
    for (const p of network.params()) ops.sgdUpdate(p.value.data, p.grad.data, c.lr);
  }
  const all = ops.alloc(xs.length, width);
  xs.forEach((row, r) => all.data.set(row, r * width));
  return { network, losses, scores: network.forward(all, false) };
}

function compareFinal(network: Network, c: Case, tolerance: number): void {
  for (const p of c.final) {
    const layer = network.layers[p.layer]!;
    const [w, b] = layer.params;
    if (p.kind === 'batchnorm') {
      expect(maxRel(w!.value.data, p.gamma!), `${layer.name}.weight`).toBeLessThan(tolerance);
      expect(maxRel(b!.value.data, p.beta!), `${layer.name}.bias`).toBeLessThan(tolerance);
      expect(maxRel(layer.buffers![0]!.data, p.runningMean!), `${layer.name}.running_mean`).toBeLessThan(tolerance);
      expect(maxRel(layer.buffers![1]!.data, p.runningVar!), `${layer.name}.running_var`).toBeLessThan(tolerance);
      expect(layer.buffers![2]!.data[0], `${layer.name}.num_batches_tracked`).toBe(c.steps);
    } else {
      expect(maxRel(w!.value.data, flat(p.W)), `${layer.name}.weight`).toBeLessThan(tolerance);
      expect(maxRel(b!.value.data, p.b!), `${layer.name}.bias`).toBeLessThan(tolerance);
    }
  }
}

describe('parity with PyTorch on Convolution, Pooling, BatchNorm and weight decay', () => {
  it('the fixture holds the two documented problems', () => {
    expect(fixture.cases.map((c) => [c.name, c.steps, c.weightDecay])).toEqual([
      ['conv-bn-pool', 30, 0],
      ['strided-conv-overlapping-pool-decay', 30, 0.01],
    ]);
  });

  for (const c of fixture.cases) {
    it(`${c.name}: float32, every loss within 1e-5, final weights, running statistics and eval scores within 1e-4`, () => {
      const { network, losses, scores } = replay(c, createReferenceOps('f32'));
      expect(maxRel(losses, c.lossBeforeEachStep)).toBeLessThan(1e-5);
      expect(c.lossBeforeEachStep.at(-1)!).toBeLessThan(c.lossBeforeEachStep[0]!);
      compareFinal(network, c, 1e-4);
      expect(maxRel(scores.data, c.evalScores.flat())).toBeLessThan(1e-4);
    });

    it(`${c.name}: float64 takes the very same steps (within 1e-9)`, () => {
      const { network, losses, scores } = replay(c, createReferenceOps('f64'));
      expect(maxRel(losses, c.lossBeforeEachStep)).toBeLessThan(1e-9);
      compareFinal(network, c, 1e-9);
      expect(maxRel(scores.data, c.evalScores.flat())).toBeLessThan(1e-9);
    });
  }

  it('the in-repo copy is the anchor file (checked when ../shared/anchors is beside the clone)', (ctx) => {
    if (!existsSync(ANCHOR)) {
      console.log(`conv parity: ${ANCHOR} not found; using the in-repo copy ${FIXTURE} only`);
      ctx.skip();
    }
    expect(readFileSync(FIXTURE, 'utf8')).toBe(readFileSync(ANCHOR, 'utf8'));
  });
});
