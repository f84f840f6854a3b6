import type { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';
import type { LayerSpec, LossKind } from '../spec.js';
import { AffineLayer } from './affine.js';
import { createActivation } from './activations.js';
import { MseLayer } from './mse.js';
import { SoftmaxWithLossLayer } from './softmax-with-loss.js';
import type { Layer } from './types.js';

/** What a loss compares the network's output with: class indices, or a one-hot / regression matrix. */
export type Targets = Int32Array | Matrix;

/**
 * The last node of the graph: turns scores and targets into one number, and starts
 * backward with dL/dscores (no dout: the loss is the end of the chain, dL/dL = 1).
 */
export interface LossLayer {
  readonly kind: LossKind;
  forward(scores: Matrix, t: Targets): number;
  backward(): Matrix;
  /** What a user reads as the prediction: softmax probabilities, or the raw outputs for regression. */
  predict(scores: Matrix): Matrix;
}

/** Everything a layer factory needs to know about its place in the network. */
export interface LayerContext {
  /** Values per row coming in. */
  inputSize: number;
  /** 1-based position among the Affine layers so far (fc1, fc2, … and relu1 after fc1). */
  affineIndex: number;
  ops: Ops;
}

export interface LayerKind<S extends LayerSpec = LayerSpec> {
  /** The name stem: "fc" for Affine (PyTorch style), the kind itself for activations. */
  readonly stem: string;
  /** Does this kind start a new numbered block (fc1, fc2…)? */
  readonly numbered: boolean;
  outputSize(spec: S, inputSize: number): number;
  create(spec: S, name: string, ctx: LayerContext): Layer;
}

/**
 * The layer kinds a spec may name. Adding a kind means: its zod schema in
 * spec.ts, one entry here, and its class beside the others.
 */
export const LAYER_KINDS: { [K in LayerSpec['kind']]: LayerKind<Extract<LayerSpec, { kind: K }>> } = {
  affine: {
    stem: 'fc',
    numbered: true,
    outputSize: (spec) => spec.units,
    create: (spec, name, ctx) => new AffineLayer(name, ctx.inputSize, spec.units, ctx.ops),
  },
  relu: {
    stem: 'relu',
    numbered: false,
    outputSize: (_spec, inputSize) => inputSize,
    create: (_spec, name, ctx) => createActivation('relu', name, ctx.inputSize, ctx.ops),
  },
  sigmoid: {
    stem: 'sigmoid',
    numbered: false,
    outputSize: (_spec, inputSize) => inputSize,
    create: (_spec, name, ctx) => createActivation('sigmoid', name, ctx.inputSize, ctx.ops),
  },
  tanh: {
    stem: 'tanh',
    numbered: false,
    outputSize: (_spec, inputSize) => inputSize,
    create: (_spec, name, ctx) => createActivation('tanh', name, ctx.inputSize, ctx.ops),
  },
};

export function layerKind(spec: LayerSpec): LayerKind {
  return LAYER_KINDS[spec.kind] as LayerKind;
}

/** Number of learnable values a layer spec adds (W and b for Affine, none otherwise). */
export function layerParamCount(spec: LayerSpec, inputSize: number): number {
  return spec.kind === 'affine' ? inputSize * spec.units + spec.units : 0;
}

export function createLossLayer(kind: LossKind, outputs: number, ops: Ops): LossLayer {
  switch (kind) {
    case 'softmax-cross-entropy':
      return new SoftmaxWithLossLayer(outputs, ops);
    case 'mse':
      return new MseLayer(outputs, ops);
  }
}
