import type { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';
import type { LossKind, NetworkSpec } from '../spec.js';
import { StudioError } from '../errors.js';
import { MseLayer } from './mse.js';
import { SoftmaxWithLossLayer } from './softmax-with-loss.js';
import { LIMITS } from './limits.js';
import { describeShape, shapeSize, ShapeRuleError, type LayerShape } from './shape.js';
import { kindEntry, layerToken, type LayerKindEntry, type LayerSpec, type TensorDecl } from './kinds/index.js';

/**
 * Building networks from specs. Every kind-specific fact (schema, shape rule,
 * parameters, file tensors, editor fields, CLI token, factory) lives in the layer-kind
 * table, core/layers/kinds/index.ts, whose comment says what adding a kind takes;
 * this module only walks a spec through that table.
 */

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

export { LAYER_TABLE, kindEntry, parseLayerToken, layerToken } from './kinds/index.js';
export type { LayerKindEntry, LayerContext } from './kinds/index.js';

/** One layer of a spec with everything its place in the network decides. */
export interface PlannedLayer {
  index: number;
  spec: LayerSpec;
  /** conv1, bn1, fc1, relu1, pool1 … (numbered per stem, in order) */
  name: string;
  /** The CLI token of the layer (conv30x5, pool2, fc100). */
  token: string;
  input: LayerShape;
  output: LayerShape;
  params: number;
  /** Model-file tensors with full names (conv1.weight …). */
  tensors: (TensorDecl & { name: string })[];
  workspacePerSample: number;
}

/** The input shape of a spec: its image shape when it has one, else its flat size. */
export function specInputShape(spec: Pick<NetworkSpec, 'inputSize' | 'inputShape'>): LayerShape {
  return spec.inputShape ? [spec.inputShape[0], spec.inputShape[1], spec.inputShape[2]] : [spec.inputSize];
}

/**
 * Names as PyTorch code would write them: conv1, conv2 and fc1, fc2 count their own
 * kind, as do bn1, bn2; layers without weights take the number of the Convolution or
 * Affine before them (relu1 after conv1, relu2 after fc1; relu0 before any).
 */
export function layerNames(layers: readonly LayerSpec[]): string[] {
  const counts = new Map<string, number>();
  const used = new Set<string>();
  let block = 0;
  return layers.map((l) => {
    const e = kindEntry(l);
    let base: string;
    if (e.naming === 'follows') {
      base = `${e.stem}${block}`;
    } else {
      const n = (counts.get(e.stem) ?? 0) + 1;
      counts.set(e.stem, n);
      if (e.naming === 'block') block++;
      base = `${e.stem}${n}`;
    }
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  });
}

/**
 * Walk a spec through the table: shapes, names, parameters, tensors. An impossible
 * layer (kernel larger than its input, a pool that does not fit, too many values)
 * throws one BAD_SPEC line naming the layer, its token and the shapes.
 */
export function planLayers(spec: Pick<NetworkSpec, 'inputSize' | 'inputShape' | 'layers'>): PlannedLayer[] {
  const names = layerNames(spec.layers);
  let shape = specInputShape(spec);
  return spec.layers.map((l, index) => {
    const entry = kindEntry(l) as LayerKindEntry<LayerSpec>;
    const token = layerToken(l);
    const where = { field: `layers[${index}]` };
    const fail = (why: string): never => {
      throw new StudioError('BAD_SPEC', `network spec: layer ${index + 1} (${token}) on input ${describeShape(shape)}: ${why}`, where);
    };
    let output: LayerShape = shape;
    try {
      output = entry.outputShape(l, shape);
    } catch (e) {
      if (e instanceof ShapeRuleError) fail(e.message);
      throw e;
    }
    if (output.some((d) => d < 1)) fail(`gives an empty output ${describeShape(output)}`);
    const size = shapeSize(output);
    if (size > LIMITS.maxValuesPerSample) {
      fail(`gives ${describeShape(output)} = ${size.toLocaleString('en-US')} values per sample, over the limit of ${LIMITS.maxValuesPerSample.toLocaleString('en-US')}`);
    }
    const workspace = entry.workspacePerSample(l, shape);
    if (workspace > LIMITS.maxIm2colPerSample) {
      fail(`needs ${workspace.toLocaleString('en-US')} im2col values per sample, over the limit of ${LIMITS.maxIm2colPerSample.toLocaleString('en-US')}`);
    }
    const name = names[index]!;
    const planned: PlannedLayer = {
      index, spec: l, name, token, input: shape, output,
      params: entry.paramCount(l, shape),
      tensors: entry.tensors(l, shape).map((t) => ({ ...t, name: `${name}.${t.suffix}` })),
      workspacePerSample: workspace,
    };
    shape = output;
    return planned;
  });
}

/** Shape a spec's network puts out (its input shape when it has no layers). */
export function specOutputShape(spec: Pick<NetworkSpec, 'inputSize' | 'inputShape' | 'layers'>): LayerShape {
  const plan = planLayers(spec);
  return plan.length ? plan[plan.length - 1]!.output : specInputShape(spec);
}

export function createLossLayer(kind: LossKind, outputs: number, ops: Ops): LossLayer {
  switch (kind) {
    case 'softmax-cross-entropy':
      return new SoftmaxWithLossLayer(outputs, ops);
    case 'mse':
      return new MseLayer(outputs, ops);
  }
}
