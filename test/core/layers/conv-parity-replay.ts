import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { buildNetwork, type Network } from '../../../core/network.js';
import { Matrix } from '../../../core/matrix.js';
import type { Ops } from '../../../core/ops/types.js';
import type { LayerSpec, NetworkSpec } from '../../../core/spec.js';

/*
 * Replaying ../shared/anchors/conv-parity-fixture.json (PyTorch, float64) on any backend:
 * conv-parity.test.ts runs it on the reference kernels, test/node/native on the native one.
 */
export interface Params {
  layer: number;
  kind: 'conv' | 'affine' | 'batchnorm';
  W?: unknown;
  b?: number[];
  gamma?: number[];
  beta?: number[];
  runningMean?: number[];
  runningVar?: number[];
}
export interface Case {
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
export const FIXTURE = path.resolve(here, '../../fixtures/conv-parity-fixture.json');
export const ANCHOR = path.resolve(here, '../../../../shared/anchors/conv-parity-fixture.json');
export const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] };

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

export function specOf(c: Case): NetworkSpec {
  const [C, H, W] = c.input;
  return { inputSize: C * H * W, inputShape: c.input, layers: c.layers, loss: 'softmax-cross-entropy' };
}

/** The fixture's values for spec layer `index`, in the engine's layouts (Affine W is [in, out] in both). */
export function put(network: Network, p: Params): void {
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
export function maxRel(actual: ArrayLike<number>, expected: number[]): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), 1e-3));
  return worst;
}

export function replay(c: Case, ops: Ops): { network: Network; losses: number[]; scores: Matrix } {
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

export function compareFinal(network: Network, c: Case, tolerance: number): void {
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

