import type { FloatArray, Matrix } from '../matrix.js';

/**
 * The numeric backend that layers, losses and optimizers call for every hot loop.
 *
 * Layers never allocate with `new Float32Array` on the hot path: they ask their
 * backend for matrices (`alloc`) once per shape and reuse them. That is what lets
 * the WebAssembly backend keep every tensor inside its own memory (no copies
 * between JavaScript and WebAssembly), while the reference backend is plain
 * TypeScript and serves as the oracle the fast kernels are tested against.
 *
 * All kernels write into `out` arguments; none mutate their other inputs unless
 * the name says "InPlace". Shapes are checked by the callers (layers), kernels
 * trust them.
 */
export interface Ops {
  /** Short name for logs and the bench ("ts-f32", "ts-f64", "wasm-simd"). */
  readonly name: string;
  /** Float32Array or Float64Array: the element type of every matrix this backend makes. */
  readonly precision: 'f32' | 'f64';

  alloc(rows: number, cols: number): Matrix;
  /** Give a matrix from `alloc` back. Using it afterwards is a bug. */
  free(m: Matrix): void;

  /**
   * out = op(a) · op(b)  (+ out when accumulate), where op transposes when asked.
   * Shapes: op(a) is M x K, op(b) is K x N, out is M x N.
   * The Affine layer uses all three: x·W, xᵀ·dout, dout·Wᵀ.
   */
  gemm(a: Matrix, transA: boolean, b: Matrix, transB: boolean, out: Matrix, accumulate?: boolean): void;

  /** x[r, c] += bias[c] for every row (bias is 1 x cols). */
  addRowInPlace(x: Matrix, bias: Matrix): void;
  /** out[0, c] = Σ_r x[r, c] (out is 1 x cols). */
  sumRows(x: Matrix, out: Matrix): void;

  reluForward(x: Matrix, out: Matrix): void;
  /** dx = dout where y > 0, else 0 (y is the forward output). */
  reluBackward(y: Matrix, dout: Matrix, dx: Matrix): void;
  sigmoidForward(x: Matrix, out: Matrix): void;
  /** dx = dout · y · (1 - y). */
  sigmoidBackward(y: Matrix, dout: Matrix, dx: Matrix): void;
  tanhForward(x: Matrix, out: Matrix): void;
  /** dx = dout · (1 - y²). */
  tanhBackward(y: Matrix, dout: Matrix, dx: Matrix): void;

  /**
   * Row-wise softmax of `x` into `y` (subtracting each row's max first) and the
   * mean cross-entropy against class indices `labels` (length x.rows).
   * Returns the loss as a JS number.
   */
  softmaxCrossEntropy(x: Matrix, labels: Int32Array, y: Matrix): number;
  /** dx = (y - onehot(labels)) / N. */
  softmaxCrossEntropyBackward(y: Matrix, labels: Int32Array, dx: Matrix): void;

  /** w -= lr · g */
  sgdUpdate(w: FloatArray, g: FloatArray, lr: number): void;
  /** v = momentum · v - lr · g; w += v */
  momentumUpdate(w: FloatArray, g: FloatArray, v: FloatArray, lr: number, momentum: number): void;
  /** h += g²; w -= lr · g / (√h + 1e-7) */
  adagradUpdate(w: FloatArray, g: FloatArray, h: FloatArray, lr: number): void;
  /**
   * Adam as in the book (common/optimizer.py): lr_t = lr·√(1-β2^t)/(1-β1^t);
   * m += (1-β1)(g-m); v += (1-β2)(g²-v); w -= lr_t·m/(√v + 1e-7).
   */
  adamUpdate(
    w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray,
    lr: number, beta1: number, beta2: number, t: number,
  ): void;

  /**
   * Gather rows `indices` of a dataset into `out` (indices.length x cols),
   * converting to float and multiplying by `scale` (1/255 for image bytes, 1 for floats).
   * Keeping data sets as bytes and converting per batch saves memory.
   */
  gatherRows(
    source: Uint8Array | Float32Array, cols: number, indices: Int32Array | Uint32Array,
    scale: number, out: Matrix,
  ): void;
}
