import { Matrix, type FloatArray } from './matrix.js';
import { createReferenceOps } from './ops/reference.js';
import { Rng } from './rng.js';
import { StudioError } from './errors.js';
import type { InitializerKind, NetworkSpec } from './spec.js';
import { buildNetwork, type Network, type Targets } from './network.js';

/**
 * Gradient check (book ch. 5.7): compare backprop's gradients with central
 * differences, (L(w + ε) - L(w - ε)) / 2ε, one weight at a time. Always in float64:
 * in float32 the differences of L drown in rounding (L ≈ 2.3 has steps of ~2e-7,
 * so ε = 1e-5 would leave about two correct digits).
 */
export interface GradCheckRow {
  /** fc1.weight, fc1.bias, … */
  name: string;
  shape: [number, number];
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** ‖numeric − backprop‖ / (‖numeric‖ + ‖backprop‖), over the checked elements; 0 when both are 0. */
  relError: number;
  ok: boolean;
  /** Elements compared (all of them unless maxElements sampled fewer). */
  checked: number;
}

export interface GradCheckOptions {
  /** Seed of the weights, the random inputs and the sampled elements (default 1). */
  seed?: number;
  /** Rows of the random input batch when x is not given (default 3, like the book). */
  batch?: number;
  /** Inputs (batch x inputSize); default: standard normal values. */
  x?: Matrix;
  /** Targets; default: random class indices (softmax) or standard normal values (mse). */
  t?: Targets;
  /** Step of the central difference (default 1e-5). */
  epsilon?: number;
  /** Initializer of the weights (default 'xavier': gradients of every layer large enough to compare). */
  init?: InitializerKind;
  /**
   * Check at most this many elements per parameter, chosen at random (default
   * DEFAULT_MAX_ELEMENTS; Infinity checks every one). Each element costs two
   * forward passes: all 39,760 of the book's 784-50-10 net take about 30 s.
   */
  maxElements?: number;
  /** relError below which a row is ok (default GRADCHECK_THRESHOLD). */
  threshold?: number;
  /** The book's weight decay λ: checks the gradient of loss + ½λ·ΣW² (default 0). */
  weightDecay?: number;
}

export const GRADCHECK_THRESHOLD = 1e-6;
/** Float64 sweet spot: small enough to stay off ReLU kinks with 0.01 weights, large enough that rounding stays below 1e-10. */
const DEFAULT_EPSILON = 1e-5;
export const DEFAULT_MAX_ELEMENTS = 2000;
/** Gradient norms below this are compared as if they were this large (see compareGradients). */
const GRADIENT_FLOOR = 1e-4;

/**
 * Central differences of f with respect to values[i] for each i in `indices`
 * (default: every element). Puts each value back exactly as it was.
 */
export function numericalGradient(
  f: () => number,
  values: FloatArray,
  epsilon = DEFAULT_EPSILON,
  indices?: ArrayLike<number>,
): Float64Array {
  const n = indices ? indices.length : values.length;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    const saved = values[i]!;
    values[i] = saved + epsilon;
    const up = f();
    values[i] = saved - epsilon;
    const down = f();
    values[i] = saved;
    out[k] = (up - down) / (2 * epsilon);
  }
  return out;
}

export function compareGradients(
  numeric: ArrayLike<number>,
  analytic: ArrayLike<number>,
): { maxAbsDiff: number; meanAbsDiff: number; relError: number } {
  if (numeric.length !== analytic.length) {
    throw new StudioError('INTERNAL', `gradient check: ${numeric.length} numeric values vs ${analytic.length} analytic`);
  }
  let maxAbs = 0, sumAbs = 0, diff2 = 0, num2 = 0, ana2 = 0;
  for (let i = 0; i < numeric.length; i++) {
    const d = Math.abs(numeric[i]! - analytic[i]!);
    maxAbs = Math.max(maxAbs, d);
    sumAbs += d;
    diff2 += d * d;
    num2 += numeric[i]! ** 2;
    ana2 += analytic[i]! ** 2;
  }
  // A gradient that is truly zero (a bias before BatchNorm, which subtracts it right
  // back) leaves only rounding noise on both sides, ~1e-11, whose ratio means nothing:
  // the scale never counts as smaller than GRADIENT_FLOOR.
  const scale = Math.max(Math.sqrt(num2) + Math.sqrt(ana2), diff2 === 0 ? 0 : GRADIENT_FLOOR);
  return {
    maxAbsDiff: maxAbs,
    meanAbsDiff: numeric.length ? sumAbs / numeric.length : 0,
    relError: scale === 0 ? 0 : Math.sqrt(diff2) / scale,
  };
}

/** Build `spec` in float64 and check every parameter against central differences. */
export function gradientCheck(spec: NetworkSpec, opts: GradCheckOptions = {}): GradCheckRow[] {
  const seed = opts.seed ?? 1;
  const network = buildNetwork(spec, { ops: createReferenceOps('f64'), init: opts.init ?? 'xavier', seed });
  const rng = new Rng((seed ^ 0x9c4ec4ec) >>> 0);
  const batch = opts.batch ?? opts.x?.rows ?? 3;
  if (!Number.isInteger(batch) || batch < 1 || batch > 4096) {
    throw new StudioError('BAD_SPEC', `gradient check: batch must be an integer from 1 to 4096, got ${batch}`, { field: 'batch' });
  }
  const random = opts.x ? null : randomGradcheckInputs(network, batch, rng);
  const x = opts.x ? toF64(opts.x) : random!.x;
  const t = opts.t ?? random?.t ?? randomTargets(network, x.rows, rng);
  return checkGradients(network, x, t, opts, rng);
}

/**
 * Check a live network as it is now (e.g. mid-training in the studio): its
 * weights are copied into a float64 twin, which is what gets checked.
 */
export function gradientCheckNetwork(network: Network, x: Matrix, t: Targets, opts: GradCheckOptions = {}): GradCheckRow[] {
  const twin = buildNetwork(network.spec, { ops: createReferenceOps('f64') });
  twin.copyParamsFrom(network);
  const rng = new Rng(((opts.seed ?? 1) ^ 0x9c4ec4ec) >>> 0);
  return checkGradients(twin, toF64(x), t instanceof Int32Array ? t : toF64(t), opts, rng);
}

/**
 * The check itself, on a network that already computes in float64 (the two
 * functions above build one). Exported so a test can hand it a network with a
 * deliberately broken backward and see the check fail.
 */
export function checkGradients(
  network: Network,
  x: Matrix,
  t: Targets,
  opts: GradCheckOptions = {},
  rng: Rng = new Rng(((opts.seed ?? 1) ^ 0x9c4ec4ec) >>> 0),
): GradCheckRow[] {
  if (network.ops.precision !== 'f64') {
    throw new StudioError('BAD_SPEC', `gradient check needs a float64 network, this one computes in ${network.ops.precision}`);
  }
  const epsilon = opts.epsilon ?? DEFAULT_EPSILON;
  if (!(epsilon > 0 && epsilon < 1)) {
    throw new StudioError('BAD_SPEC', `gradient check: epsilon must be between 0 and 1, got ${epsilon}`, { field: 'epsilon' });
  }
  const threshold = opts.threshold ?? GRADCHECK_THRESHOLD;
  const maxElements = opts.maxElements ?? DEFAULT_MAX_ELEMENTS;
  if (!(maxElements >= 1)) {
    throw new StudioError('BAD_SPEC', `gradient check: maxElements must be at least 1, got ${maxElements}`, { field: 'maxElements' });
  }

  const weightDecay = opts.weightDecay ?? 0;
  // Training mode throughout (BatchNorm on batch statistics, Dropout active), as backprop
  // ran; Dropout keeps the mask backprop drew, so every difference sees the same function.
  const loss = network.gradient(x, t, weightDecay);
  if (!Number.isFinite(loss)) {
    throw new StudioError('BAD_SPEC', `gradient check: the loss is ${loss}; the weights or inputs are not finite`);
  }
  network.freezeRandomness(true);
  try {
    return compareAll(network, x, t, { epsilon, threshold, maxElements, weightDecay }, rng);
  } finally {
    network.freezeRandomness(false);
  }
}

function compareAll(
  network: Network,
  x: Matrix,
  t: Targets,
  o: { epsilon: number; threshold: number; maxElements: number; weightDecay: number },
  rng: Rng,
): GradCheckRow[] {
  const { epsilon, threshold, maxElements, weightDecay } = o;
  const f = (): number => network.loss(x, t, { train: true, weightDecay });
  return network.namedParams().map(({ layer, name, param }) => {
    const size = param.value.size;
    const indices = size <= maxElements ? null : sampleIndices(size, Math.floor(maxElements), rng);
    const analytic = indices ? Float64Array.from(indices, (i) => param.grad.data[i]!) : Float64Array.from(param.grad.data);
    const numeric = numericalGradient(f, param.value.data, epsilon, indices ?? undefined);
    const cmp = compareGradients(numeric, analytic);
    return {
      name: `${layer}.${name}`,
      shape: [param.value.rows, param.value.cols] as [number, number],
      ...cmp,
      ok: cmp.relError < threshold,
      checked: numeric.length,
    };
  });
}

function sampleIndices(size: number, k: number, rng: Rng): Int32Array {
  return rng.permutation(size).subarray(0, k).sort();
}

function toF64(m: Matrix): Matrix<Float64Array> {
  return new Matrix(m.rows, m.cols, Float64Array.from(m.data));
}

/**
 * Random float64 inputs for a gradient check: standard normal values, and random
 * class indices (softmax) or standard normal targets (mse). The one generator behind
 * the CLI's and the studio's checks when no data is at hand.
 */
export function randomGradcheckInputs(network: Network, rows: number, rng: Rng): { x: Matrix<Float64Array>; t: Targets } {
  const x = randomMatrix(rows, network.inputSize, rng);
  return { x, t: randomTargets(network, rows, rng) };
}

function randomMatrix(rows: number, cols: number, rng: Rng): Matrix<Float64Array> {
  const m = Matrix.zeros64(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

function randomTargets(network: Network, rows: number, rng: Rng): Targets {
  if (network.spec.loss === 'mse') return randomMatrix(rows, network.outputSize, rng);
  const t = new Int32Array(rows);
  for (let r = 0; r < rows; r++) t[r] = rng.int(network.outputSize);
  return t;
}
