import type { Matrix } from './matrix.js';
import type { Ops } from './ops/types.js';
import { createReferenceOps } from './ops/reference.js';
import { Rng } from './rng.js';
import { scopedOps, type ScopedOps } from './ops/scoped-ops.js';
import { StudioError } from './errors.js';
import {
  INITIALIZERS,
  LIMITS,
  describeZodError,
  networkSpecSchema,
  type InitializerKind,
  type NetworkSpec,
} from './spec.js';
import type { Layer, LayerBuffer, Param } from './layers/types.js';
import { AffineLayer } from './layers/affine.js';
import { DropoutLayer } from './layers/dropout.js';
import { createLossLayer, kindEntry, planLayers, specInputShape, type LossLayer, type Targets } from './layers/registry.js';
import { shapeSize, type LayerShape } from './layers/shape.js';
import type { RngState } from './rng.js';
import { initializeLayers } from './init.js';

export type { Targets } from './layers/registry.js';

export interface BuildOptions {
  /** Numeric backend; default: the plain TypeScript kernels in float32. */
  ops?: Ops;
  /** Weight initializer; default 'std' (0.01·randn, the book's TwoLayerNet). */
  init?: InitializerKind;
  /** Seed of the initial weights; default 1. */
  seed?: number;
}

export interface NamedParam {
  /** Layer name: conv1, bn1, fc1, … */
  layer: string;
  name: 'weight' | 'bias';
  param: Param;
}

export interface NamedBuffer {
  layer: string;
  buffer: LayerBuffer;
}

/** How a forward pass runs. */
export interface PassOptions {
  /** Training mode: BatchNorm on batch statistics (and updating its running ones), Dropout active. */
  train?: boolean;
  /** The book's weight decay λ: the loss gets ½λ·ΣW² over the weights that decay. */
  weightDecay?: number;
}

/** Dropout masks come from their own stream of the run's seed, apart from the initializer's and the shuffle's. */
const DROPOUT_STREAM = 0xd50d50d5;

/**
 * Check a spec (shape with zod, then the things a schema cannot say) and return
 * it with defaults filled in. Throws StudioError('BAD_SPEC') naming the field.
 */
export function validateSpec(spec: unknown): NetworkSpec {
  const parsed = networkSpecSchema.safeParse(spec);
  if (!parsed.success) throw new StudioError('BAD_SPEC', describeZodError(parsed.error, 'network spec'));
  const s = parsed.data;
  if (s.inputShape && shapeSize(s.inputShape) !== s.inputSize) {
    throw new StudioError(
      'BAD_SPEC',
      `network spec: input shape ${s.inputShape.join('x')} holds ${shapeSize(s.inputShape)} values, but inputSize is ${s.inputSize}`,
      { field: 'inputShape' },
    );
  }
  if (!s.layers.some((l) => kindEntry(l).naming === 'block')) {
    throw new StudioError('BAD_SPEC', 'network spec: needs at least one affine layer or convolution (there is nothing to learn)', {
      field: 'layers',
    });
  }
  const plan = planLayers(s);
  const count = plan.reduce((n, l) => n + l.params, 0);
  if (count > LIMITS.maxParams) {
    throw new StudioError(
      'TOO_LARGE',
      `network spec: ${count.toLocaleString('en-US')} parameters is over the limit of ${LIMITS.maxParams.toLocaleString('en-US')}`,
      { field: 'layers' },
    );
  }
  const size = shapeSize(plan[plan.length - 1]!.output);
  if (s.loss === 'softmax-cross-entropy' && size < 2) {
    throw new StudioError(
      'BAD_SPEC',
      `network spec: softmax-cross-entropy needs at least 2 outputs (classes), the last layer gives ${size}`,
      { field: 'layers' },
    );
  }
  return s;
}

/**
 * A feed-forward network built from a spec: a list of layers and a loss layer on top.
 * forward runs the layers in order; backward runs them in reverse, each turning
 * dL/d(its output) into dL/d(its input) and filling its own parameter gradients.
 */
export class Network {
  readonly spec: NetworkSpec;
  readonly layers: Layer[];
  readonly lossLayer: LossLayer;
  readonly inputSize: number;
  /** One sample coming in: [C, H, W] for images, [size] for feature rows. */
  readonly inputShape: LayerShape;
  readonly outputSize: number;
  readonly parameterCount: number;
  /** Dropout's stream: part of a checkpoint, so a resumed run drops what the uninterrupted one would. */
  readonly rng: Rng;
  private readonly paramList: readonly Param[];
  private readonly namedParamList: readonly NamedParam[];
  private readonly namedBufferList: readonly NamedBuffer[];

  /**
   * The backend as this network sees it: everything its layers allocate (and the trainers
   * and probes that use `network.ops`) is given back by dispose() (see scoped-ops.ts).
   */
  readonly ops: ScopedOps;

  /** Use buildNetwork: this constructor trusts a validated spec and leaves all weights zero. */
  constructor(spec: NetworkSpec, ops: Ops, seed = 1) {
    this.ops = scopedOps(ops);
    ops = this.ops; // the layers below allocate through the scope, so dispose() gives their memory back
    this.spec = spec;
    this.inputSize = spec.inputSize;
    this.inputShape = specInputShape(spec);
    this.rng = new Rng((seed ^ DROPOUT_STREAM) >>> 0);
    const plan = planLayers(spec);
    this.layers = plan.map((p) => kindEntry(p.spec).create(p.spec, p.name, { input: p.input, ops, rng: this.rng }));
    const size = plan.length ? shapeSize(plan[plan.length - 1]!.output) : spec.inputSize;
    this.outputSize = size;
    this.lossLayer = createLossLayer(spec.loss, size, ops);
    // Parameters never change identity after construction: list them once (the trainer asks every step).
    this.paramList = this.layers.flatMap((l) => [...l.params]);
    this.namedParamList = this.layers.flatMap((l) => l.params.map((param) => ({ layer: l.name, name: param.name, param })));
    this.namedBufferList = this.layers.flatMap((l) => (l.buffers ?? []).map((buffer) => ({ layer: l.name, buffer })));
    this.parameterCount = this.paramList.reduce((n, p) => n + p.value.size, 0);
  }

  /** Running statistics and counters (BatchNorm), in layer order: saved with the weights, never stepped. */
  namedBuffers(): readonly NamedBuffer[] {
    return this.namedBufferList;
  }

  getRngState(): RngState {
    return this.rng.getState();
  }

  setRngState(state: RngState): void {
    this.rng.setState(state);
  }

  /**
   * Dropout layers keep their last mask instead of drawing new ones while frozen:
   * the gradient check's numeric differences must see the mask backprop saw.
   */
  freezeRandomness(frozen: boolean): void {
    for (const l of this.layers) if (l instanceof DropoutLayer) l.frozen = frozen;
  }

  /** The Affine layers in order (the ones with weights). */
  affineLayers(): AffineLayer[] {
    return this.layers.filter((l): l is AffineLayer => l instanceof AffineLayer);
  }

  /**
   * Give the backend memory of this network back: weights, gradients, layer buffers and
   * whatever else was allocated through `ops` and is still held (a trainer's state, a
   * traced twin). The network must not be used afterwards. Without it a dropped network
   * stays in the WebAssembly heap for the engine's lifetime.
   */
  dispose(): void {
    this.ops.releaseAll();
  }

  /** Every parameter in the order fc1.weight, fc1.bias, fc2.weight, … (what optimizers step). */
  params(): readonly Param[] {
    return this.paramList;
  }

  namedParams(): readonly NamedParam[] {
    return this.namedParamList;
  }

  /** The scores before the loss (the last layer's output, owned by it: copy to keep). */
  forward(x: Matrix, train = false): Matrix {
    if (x.cols !== this.inputSize) {
      throw new StudioError('SHAPE_MISMATCH', `network expects ${this.inputSize} features per sample, got ${x.cols}`);
    }
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, train);
    return h;
  }

  /** The loss of a batch (evaluation mode unless asked), with the weight-decay term when λ is given. */
  loss(x: Matrix, t: Targets, opts: PassOptions = {}): number {
    return this.lossLayer.forward(this.forward(x, opts.train ?? false), t) + this.decayTerm(opts.weightDecay ?? 0);
  }

  /**
   * Forward in training mode, then backward through every layer: fills each param.grad.
   * Returns the loss. With weight decay λ (the book's ch. 6) the loss gets ½λ·ΣW² and
   * each decaying weight's gradient λW. The gradient with respect to the input data is
   * not computed: the first layer fills only its parameter gradients when it can.
   */
  gradient(x: Matrix, t: Targets, weightDecay = 0): number {
    const loss = this.lossLayer.forward(this.forward(x, true), t);
    let d = this.lossLayer.backward();
    for (let i = this.layers.length - 1; i >= 1; i--) d = this.layers[i]!.backward(d);
    const first = this.layers[0]!;
    if (first.backwardParams) first.backwardParams(d);
    else first.backward(d);
    if (weightDecay > 0) {
      // dW += λ·W: the backend's w -= a·g with a = -λ.
      for (const p of this.paramList) if (p.decay) this.ops.sgdUpdate(p.grad.data, p.value.data, -weightDecay);
    }
    return loss + this.decayTerm(weightDecay);
  }

  /** ½λ·ΣW² over the weights that decay (Convolution and Affine; not biases, not BatchNorm). */
  decayTerm(weightDecay: number): number {
    if (!(weightDecay > 0)) return 0;
    let sum = 0;
    for (const p of this.paramList) {
      if (!p.decay) continue;
      const w = p.value.data;
      for (let i = 0; i < w.length; i++) sum += w[i]! * w[i]!;
    }
    return 0.5 * weightDecay * sum;
  }

  /** Softmax rows for classification, the raw outputs for mse (owned by the network: copy to keep). */
  predictProbabilities(x: Matrix): Matrix {
    return this.lossLayer.predict(this.forward(x, false));
  }

  /** Copy every weight, bias and running statistic from a network of the same shape (any precision). */
  copyParamsFrom(source: Network): void {
    const mine = this.namedParams();
    const theirs = source.namedParams();
    const describe = (ps: readonly NamedParam[]): string =>
      ps.map((p) => `${p.layer}.${p.name}[${p.param.value.rows}x${p.param.value.cols}]`).join(', ');
    const same =
      mine.length === theirs.length &&
      mine.every((p, i) => {
        const q = theirs[i]!;
        return p.layer === q.layer && p.name === q.name && p.param.value.rows === q.param.value.rows && p.param.value.cols === q.param.value.cols;
      });
    if (!same) {
      throw new StudioError('SHAPE_MISMATCH', `cannot copy parameters: ${describe(theirs)} into ${describe(mine)}`);
    }
    mine.forEach((p, i) => p.param.value.data.set(theirs[i]!.param.value.data));
    const theirBuffers = source.namedBuffers();
    this.namedBufferList.forEach((b, i) => b.buffer.data.set(theirBuffers[i]!.buffer.data));
  }
}

export function buildNetwork(spec: NetworkSpec, opts: BuildOptions = {}): Network {
  const valid = validateSpec(spec);
  const init = opts.init ?? 'std';
  if (!(INITIALIZERS as readonly string[]).includes(init)) {
    throw new StudioError('BAD_SPEC', `initializer "${String(init)}" is not one of ${INITIALIZERS.join(', ')}`, { field: 'init' });
  }
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) {
    throw new StudioError('BAD_SPEC', `seed must be an integer from 0 to 4294967295, got ${seed}`, { field: 'seed' });
  }
  const network = new Network(valid, opts.ops ?? createReferenceOps('f32'), seed);
  initializeLayers(network.layers, init, new Rng(seed));
  return network;
}
