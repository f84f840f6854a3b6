import type { Matrix } from './matrix.js';
import type { Ops } from './ops/types.js';
import { createReferenceOps } from './ops/reference.js';
import { Rng } from './rng.js';
import { StudioError } from './errors.js';
import {
  INITIALIZERS,
  LIMITS,
  describeZodError,
  networkSpecSchema,
  type InitializerKind,
  type NetworkSpec,
} from './spec.js';
import type { Layer, Param } from './layers/types.js';
import { AffineLayer } from './layers/affine.js';
import { createLossLayer, layerKind, layerParamCount, type LossLayer, type Targets } from './layers/registry.js';
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
  /** Layer name: fc1, fc2, … */
  layer: string;
  name: 'weight' | 'bias';
  param: Param;
}

/**
 * Check a spec (shape with zod, then the things a schema cannot say) and return
 * it with defaults filled in. Throws StudioError('BAD_SPEC') naming the field.
 */
export function validateSpec(spec: unknown): NetworkSpec {
  const parsed = networkSpecSchema.safeParse(spec);
  if (!parsed.success) throw new StudioError('BAD_SPEC', describeZodError(parsed.error, 'network spec'));
  const s = parsed.data;
  if (!s.layers.some((l) => l.kind === 'affine')) {
    throw new StudioError('BAD_SPEC', 'network spec: needs at least one affine layer (there is nothing to learn)', {
      field: 'layers',
    });
  }
  let size = s.inputSize;
  let count = 0;
  s.layers.forEach((l) => {
    count += layerParamCount(l, size);
    size = layerKind(l).outputSize(l, size);
  });
  if (count > LIMITS.maxParams) {
    throw new StudioError(
      'TOO_LARGE',
      `network spec: ${count.toLocaleString('en-US')} parameters is over the limit of ${LIMITS.maxParams.toLocaleString('en-US')}`,
      { field: 'layers' },
    );
  }
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
  readonly outputSize: number;
  readonly parameterCount: number;
  private readonly paramList: readonly Param[];
  private readonly namedParamList: readonly NamedParam[];

  /** Use buildNetwork: this constructor trusts a validated spec and leaves all weights zero. */
  constructor(
    spec: NetworkSpec,
    readonly ops: Ops,
  ) {
    this.spec = spec;
    this.inputSize = spec.inputSize;
    this.layers = [];
    const used = new Set<string>();
    let size = spec.inputSize;
    let affineIndex = 0;
    for (const ls of spec.layers) {
      const kind = layerKind(ls);
      if (kind.numbered) affineIndex++;
      const name = uniqueName(`${kind.stem}${affineIndex}`, used);
      this.layers.push(kind.create(ls, name, { inputSize: size, affineIndex, ops }));
      size = kind.outputSize(ls, size);
    }
    this.outputSize = size;
    this.lossLayer = createLossLayer(spec.loss, size, ops);
    // Parameters never change identity after construction: list them once (the trainer asks every step).
    this.paramList = this.layers.flatMap((l) => [...l.params]);
    this.namedParamList = this.layers.flatMap((l) => l.params.map((param) => ({ layer: l.name, name: param.name, param })));
    this.parameterCount = this.paramList.reduce((n, p) => n + p.value.size, 0);
  }

  /** The Affine layers in order (the ones with weights). */
  affineLayers(): AffineLayer[] {
    return this.layers.filter((l): l is AffineLayer => l instanceof AffineLayer);
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

  loss(x: Matrix, t: Targets): number {
    return this.lossLayer.forward(this.forward(x, false), t);
  }

  /**
   * Forward, then backward through every layer: fills each param.grad. Returns the loss.
   * The gradient with respect to the input data is not computed: when the first layer
   * is Affine, it fills only its dW and db.
   */
  gradient(x: Matrix, t: Targets): number {
    const loss = this.lossLayer.forward(this.forward(x, true), t);
    let d = this.lossLayer.backward();
    for (let i = this.layers.length - 1; i >= 1; i--) d = this.layers[i]!.backward(d);
    const first = this.layers[0]!;
    if (first instanceof AffineLayer) first.backwardParams(d);
    else first.backward(d);
    return loss;
  }

  /** Softmax rows for classification, the raw outputs for mse (owned by the network: copy to keep). */
  predictProbabilities(x: Matrix): Matrix {
    return this.lossLayer.predict(this.forward(x, false));
  }

  /** Copy every weight and bias from a network of the same shape (any precision). */
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
  }
}

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
  used.add(name);
  return name;
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
  const network = new Network(valid, opts.ops ?? createReferenceOps('f32'));
  initializeLayers(network.layers, init, new Rng(seed));
  return network;
}
