import { readFileSync } from 'node:fs';
import { buildNetwork } from '../../core/network.js';
import { createOptimizer } from '../../core/optimizers.js';
import type { Ops } from '../../core/ops/types.js';
import { trainingConfigSchema, type NetworkSpec } from '../../core/spec.js';

/**
 * The NumPy parity fixture (../shared/anchors/make_parity_fixture.py) and its replay:
 * the engine started from the fixture's weights, taking its batches with SGD. Shared
 * by the reference-kernel and the WebAssembly-kernel parity tests.
 */
export interface Case {
  name: string;
  layerSizes: number[];
  activation: 'relu' | 'sigmoid';
  optimizer: { kind: 'sgd'; lr: number };
  x: number[][];
  labels: number[];
  initial: { W: number[][]; b: number[] }[];
  batches: number[][];
  lossBeforeEachStep: number[];
  final: { W: number[][]; b: number[] }[];
}

export function loadParityFixture(file: string | URL): { cases: Case[] } {
  return JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };
}

export function specOf(c: Case): NetworkSpec {
  const layers: NetworkSpec['layers'] = [];
  c.layerSizes.slice(1).forEach((units, i) => {
    layers.push({ kind: 'affine', units });
    if (i < c.layerSizes.length - 2) layers.push({ kind: c.activation });
  });
  return { inputSize: c.layerSizes[0]!, layers, loss: 'softmax-cross-entropy' };
}

/** Largest |actual - expected| / |expected| over the elements (each element against its own size). */
export function maxRelError(actual: ArrayLike<number>, expected: number[]): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.abs(expected[i]!));
  return worst;
}

export function replay(c: Case, ops: Ops) {
  const network = buildNetwork(specOf(c), { ops });
  network.affineLayers().forEach((fc, i) => {
    fc.W.data.set(c.initial[i]!.W.flat());
    fc.b.data.set(c.initial[i]!.b);
  });
  const optimizer = createOptimizer(trainingConfigSchema.parse({ optimizer: 'sgd', learningRate: c.optimizer.lr }), ops);
  const features = c.layerSizes[0]!;
  const data = ops.precision === 'f32' ? Float32Array.from(c.x.flat()) : Float64Array.from(c.x.flat());
  const labels = Int32Array.from(c.labels);
  const batchX = ops.alloc(c.batches[0]!.length, features);
  const batchT = new Int32Array(c.batches[0]!.length);
  const losses = c.batches.map((batch) => {
    const indices = Int32Array.from(batch);
    // gatherRows is typed for the data sets' storage (bytes, float32); float64 rows gather the same way.
    ops.gatherRows(data as Float32Array, features, indices, 1, batchX);
    indices.forEach((row, r) => (batchT[r] = labels[row]!));
    const loss = network.gradient(batchX, batchT);
    optimizer.step(network.params());
    return loss;
  });
  return { network, losses };
}
