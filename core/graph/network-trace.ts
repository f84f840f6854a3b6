import { StudioError } from '../errors.js';
import { Matrix } from '../matrix.js';
import { buildNetwork, type Network, type Targets } from '../network.js';
import type { Layer } from '../layers/types.js';
import { createReferenceOps } from '../ops/reference.js';
import { localRule, type LocalRule } from './layer-rules.js';
import { HeatPool, scalarSummary, summarize, type TensorSummary } from './tensor-summary.js';

/**
 * The network being trained as the book's computational graph (ch. 5), with the
 * numbers of one batch on every edge:
 *
 *   x → fc1 → relu1 → fc2 → … → Softmax-with-Loss → L,   W and b flowing into their nodes.
 *
 * Forward runs layer by layer, keeping every edge's value; backward starts from
 * dL/dL = 1 and runs node by node, keeping every edge's gradient and every
 * parameter's. All of it is computed by the layers' own forward and backward (so
 * any layer kind the engine gains shows up with its real numbers), on a twin of
 * the network that uses the same backend: the live network's weights, gradients,
 * cached inputs, optimizer and random state are never touched, and a trace can be
 * taken in the middle of a run.
 */
export interface TraceParam {
  /** fc1.weight, fc1.bias, … (the model file's names). */
  name: string;
  /** W, b (what the book calls them); other parameter names as they are. */
  label: string;
  value: TensorSummary;
  grad: TensorSummary;
}

export interface TraceNode {
  /** x, fc1, relu1, …, loss, L */
  name: string;
  /** 'input', a layer kind (affine, relu, conv…), a loss kind, or 'output' for L. */
  kind: string;
  rule: LocalRule | null;
  params: TraceParam[];
  /** Softmax-with-Loss: the probabilities y it computed. */
  probs?: TensorSummary;
}

/** The edge from node `from` into node `from + 1`: its forward value and dL/d(value). */
export interface TraceEdge {
  from: number;
  to: number;
  /** x, h1, h2, …, scores, L */
  label: string;
  value: TensorSummary;
  grad: TensorSummary;
}

export interface NetworkTrace {
  nodes: TraceNode[];
  edges: TraceEdge[];
  loss: number;
  rows: number;
  /** Every summary's heatmap, packed (see TensorSummary.heat). */
  heat: Float32Array;
}

export interface TraceOptions {
  /** The input rows are images of this [channels, height, width] (C·H·W = inputSize). */
  inputImage?: readonly [number, number, number];
}

/** A same-backend twin per live network, reused: building one per trace would leak backend memory. */
const twins = new WeakMap<Network, Network>();

function twinOf(network: Network): Network {
  let twin = twins.get(network);
  if (!twin) {
    twin = buildNetwork(network.spec, { ops: network.ops });
    twins.set(network, twin);
  }
  twin.copyParamsFrom(network);
  // Dropout draws the masks the network's next training batch would draw (its stream is not advanced).
  twin.setRngState(network.getRngState());
  return twin;
}

/** [C, H, W] of a layer's output when the layer says it is image-shaped (convolution, pooling). */
function outputImage(layer: Layer, cols: number): [number, number, number] | undefined {
  const s = (layer as { outputShape?: unknown }).outputShape;
  if (Array.isArray(s) && s.length === 3 && s.every((v) => Number.isInteger(v) && v > 0) && s[0] * s[1] * s[2] === cols) {
    return [s[0], s[1], s[2]];
  }
  return undefined;
}

const PARAM_LABELS: Record<string, string> = { weight: 'W', bias: 'b' };

/**
 * Forward and backward of `x` (rows x inputSize) with targets `t` through a twin of
 * `network`, in training mode exactly as Network.gradient does it, so the
 * parameter gradients equal the engine's own for the same batch bit for bit.
 */
export function traceNetwork(network: Network, x: Matrix, t: Targets, opts: TraceOptions = {}): NetworkTrace {
  if (x.cols !== network.inputSize) {
    throw new StudioError('SHAPE_MISMATCH', `trace: the network expects ${network.inputSize} features per sample, got ${x.cols}`);
  }
  if (x.rows < 1) throw new StudioError('BAD_USAGE', 'trace: pick at least one sample', { field: 'indices' });
  const twin = twinOf(network);
  const pool = new HeatPool();
  const layers = twin.layers;

  // Forward, keeping a copy of every edge value (layers reuse their output buffers).
  const values: Float32Array[] = [Float32Array.from(x.data)];
  const images: (readonly [number, number, number] | undefined)[] = [opts.inputImage];
  let h: Matrix = x;
  for (const layer of layers) {
    h = layer.forward(h, true);
    values.push(Float32Array.from(h.data));
    images.push(outputImage(layer, h.cols));
  }
  const loss = twin.lossLayer.forward(h, t);
  const probs = twin.lossLayer.kind === 'softmax-cross-entropy' ? Float32Array.from(twin.lossLayer.predict(h).data) : null;

  // Backward from dL/dL = 1: the loss layer's backward is dL/dscores.
  const grads: Float32Array[] = new Array<Float32Array>(layers.length + 1);
  let d = twin.lossLayer.backward();
  grads[layers.length] = Float32Array.from(d.data);
  const paramGrads = new Map<Layer, Float32Array[]>();
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    d = layer.backward(d);
    grads[i] = Float32Array.from(d.data);
    paramGrads.set(layer, layer.params.map((p) => Float32Array.from(p.grad.data)));
  }

  const widths = [x.cols, ...layers.map((_, i) => values[i + 1]!.length / x.rows)];
  const edge = (i: number): Omit<TraceEdge, 'from' | 'to' | 'label'> => ({
    value: summarize(values[i]!, x.rows, widths[i]!, pool, images[i]),
    grad: summarize(grads[i]!, x.rows, widths[i]!, pool, images[i]),
  });

  const nodes: TraceNode[] = [{ name: 'x', kind: 'input', rule: null, params: [] }];
  const edges: TraceEdge[] = [];
  layers.forEach((layer, i) => {
    edges.push({ from: i, to: i + 1, label: i === 0 ? 'x' : `h${i}`, ...edge(i) });
    const pg = paramGrads.get(layer)!;
    nodes.push({
      name: layer.name,
      kind: layer.kind,
      rule: localRule(layer.kind),
      params: layer.params.map((p, k) => ({
        name: `${layer.name}.${p.name}`,
        label: PARAM_LABELS[p.name] ?? p.name,
        value: summarize(p.value.data, p.value.rows, p.value.cols, pool),
        grad: summarize(pg[k]!, p.grad.rows, p.grad.cols, pool),
      })),
    });
  });
  const last = layers.length;
  edges.push({ from: last, to: last + 1, label: 'scores', ...edge(last) });
  const lossNode: TraceNode = { name: 'loss', kind: twin.lossLayer.kind, rule: localRule(twin.lossLayer.kind), params: [] };
  if (probs) lossNode.probs = summarize(probs, x.rows, network.outputSize, pool);
  nodes.push(lossNode);
  edges.push({ from: last + 1, to: last + 2, label: 'L', value: scalarSummary(loss), grad: scalarSummary(1) });
  nodes.push({ name: 'L', kind: 'output', rule: null, params: [] });
  return { nodes, edges, loss, rows: x.rows, heat: pool.take() };
}

/** One weight's gradient, by backprop and by central differences, both in float64. */
export interface WeightCheck {
  param: string;
  index: number;
  /** (L(w + ε) − L(w − ε)) / 2ε */
  numeric: number;
  /** Backprop's gradient of the same weight in float64. */
  backprop: number;
  /** |numeric − backprop| / (|numeric| + |backprop|); 0 when both are 0. */
  relError: number;
  epsilon: number;
}

const CHECK_EPSILON = 1e-5;

/**
 * The numerical gradient of one weight for the batch (x, t), on a float64 copy of
 * the network (core/gradcheck's reasoning: in float32 the differences of L drown
 * in rounding). The loss is taken in training mode, as the gradient is.
 */
export function checkWeightGradient(network: Network, x: Matrix, t: Targets, param: string, index: number): WeightCheck {
  const found = network.namedParams().find((p) => `${p.layer}.${p.name}` === param);
  if (!found) {
    const names = network.namedParams().map((p) => `${p.layer}.${p.name}`);
    throw new StudioError('BAD_USAGE', `no parameter named '${param}'; the network has ${names.join(', ')}`, { field: 'param' });
  }
  const size = found.param.value.size;
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new StudioError('BAD_USAGE', `${param} has ${size} values (index 0..${size - 1}), got index ${index}`, { field: 'index' });
  }
  const twin = buildNetwork(network.spec, { ops: createReferenceOps('f64') });
  twin.copyParamsFrom(network);
  // The same Dropout masks as the trace of this batch (see twinOf), kept for the differences of L:
  // a new mask per forward would make the numerical gradient another function's.
  twin.setRngState(network.getRngState());
  const x64 = new Matrix(x.rows, x.cols, Float64Array.from(x.data));
  const t64: Targets = t instanceof Int32Array ? t : new Matrix(t.rows, t.cols, Float64Array.from(t.data));
  twin.gradient(x64, t64);
  twin.freezeRandomness(true);
  const target = twin.namedParams().find((p) => `${p.layer}.${p.name}` === param)!.param;
  const backprop = target.grad.data[index]!;
  const values = target.value.data;
  const saved = values[index]!;
  const lossAt = (w: number): number => {
    values[index] = w;
    return twin.lossLayer.forward(twin.forward(x64, true), t64);
  };
  const numeric = (lossAt(saved + CHECK_EPSILON) - lossAt(saved - CHECK_EPSILON)) / (2 * CHECK_EPSILON);
  values[index] = saved;
  const scale = Math.abs(numeric) + Math.abs(backprop);
  return { param, index, numeric, backprop, relError: scale === 0 ? 0 : Math.abs(numeric - backprop) / scale, epsilon: CHECK_EPSILON };
}
