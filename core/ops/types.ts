import type { FloatArray, Matrix } from '../matrix.js';

/**
 * Where a sliding window (a convolution's kernel, a pooling window) visits an image.
 * Images are channels first: a batch is a Matrix with one sample per row and
 * channels·height·width columns, each sample laid out as [c][y][x] (NCHW memory).
 * outHeight = (height + 2·pad - kernel) / stride + 1, likewise outWidth; callers
 * check that the window fits before any kernel sees the geometry.
 */
export interface WindowGeometry {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Square window: kernel x kernel. */
  readonly kernel: number;
  readonly stride: number;
  /** Zero padding on every side (0 for pooling). */
  readonly pad: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

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
  /**
   * Set by the host that made this backend when it is not the one asked for (e.g. "native
   * kernels unavailable, using WebAssembly: ..."): the engine tells the user once.
   */
  note?: string;

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
  /**
   * Nesterov's accelerated gradient in the book's form (common/optimizer.py):
   * v = momentum · v - lr · g; w += momentum² · v; w -= (1 + momentum) · lr · g
   */
  nesterovUpdate(w: FloatArray, g: FloatArray, v: FloatArray, lr: number, momentum: number): void;
  /** h += g²; w -= lr · g / (√h + 1e-7) */
  adagradUpdate(w: FloatArray, g: FloatArray, h: FloatArray, lr: number): void;
  /** RMSprop as in the book: h = decay · h + (1 - decay) · g²; w -= lr · g / (√h + 1e-7) */
  rmspropUpdate(w: FloatArray, g: FloatArray, h: FloatArray, lr: number, decay: number): void;
  /**
   * Adam as in the book (common/optimizer.py): lr_t = lr·√(1-β2^t)/(1-β1^t);
   * m += (1-β1)(g-m); v += (1-β2)(g²-v); w -= lr_t·m/(√v + 1e-7).
   */
  adamUpdate(
    w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray,
    lr: number, beta1: number, beta2: number, t: number,
  ): void;

  // ---- Convolution (the book's ch. 7: im2col, one product, col2im) ----

  /**
   * The book's im2col: `x` (N x C·H·W) becomes `col` (N·OH·OW x C·K·K). Row
   * n·OH·OW + oy·OW + ox holds the window under output pixel (oy, ox) of sample n,
   * ordered [c][ky][kx] (the order of a [out, in, kh, kw] weight's rows); positions
   * in the padding are 0. Convolution is then col · Wᵀ with W as [F, C·K·K].
   */
  im2col(x: Matrix, g: WindowGeometry, col: Matrix): void;
  /**
   * The adjoint of im2col: `dx` (N x C·H·W) = Σ over every window of its row of
   * `dcol` (N·OH·OW x C·K·K), added where the window sat (overlaps add up; padding
   * is dropped). `dx` is overwritten, not accumulated into.
   */
  col2im(dcol: Matrix, g: WindowGeometry, dx: Matrix): void;
  /**
   * Products come out one row per output pixel (N·P x F, P = OH·OW); images are
   * channels first. out[n, f·P + p] = rows[n·P + p, f] + bias[f]; bias (1 x F) may be null.
   */
  rowsToChannels(rows: Matrix, bias: Matrix | null, out: Matrix): void;
  /** The inverse reordering, for the backward pass: rows[n·P + p, f] = x[n, f·P + p] (P = x.cols / rows.cols). */
  channelsToRows(x: Matrix, rows: Matrix): void;

  // ---- Max pooling ----

  /**
   * Integer scratch that lives where this backend's kernels can read it (argmax
   * positions of a pooling layer). Contents are unspecified; give it back with freeIndices.
   */
  allocIndices(length: number): Int32Array;
  freeIndices(a: Int32Array): void;
  /**
   * out (N x C·OH·OW) = the maximum of each window (g.pad is 0); argmax[i] = the index
   * into x.data of the value that won out[i] (the first one on ties, scanning [ky][kx],
   * as NumPy's argmax and PyTorch do).
   */
  maxPoolForward(x: Matrix, g: WindowGeometry, out: Matrix, argmax: Int32Array): void;
  /** dx = 0, then dx.data[argmax[i]] += dout.data[i] for every output i (overlapping windows add up). */
  maxPoolBackward(dout: Matrix, argmax: Int32Array, dx: Matrix): void;

  // ---- Batch normalization (per channel: x is N x C·P, P = 1 after Affine, H·W after Convolution) ----

  /** mean[c] and the biased variance[c] over the N·P values of channel c (both 1 x C). */
  channelMeanVariance(x: Matrix, channels: number, mean: Matrix, variance: Matrix): void;
  /**
   * xhat = (x - mean[c]) / √(variance[c] + eps);  out = gamma[c]·xhat + beta[c].
   * Training passes the batch's statistics, evaluation the running ones.
   */
  batchNormForward(
    x: Matrix, channels: number, mean: Matrix, variance: Matrix, eps: number,
    gamma: Matrix, beta: Matrix, xhat: Matrix, out: Matrix,
  ): void;
  /**
   * Backward of a batch-statistics forward, M = N·P values per channel:
   *   dbeta[c] = Σ dout;  dgamma[c] = Σ dout·xhat;
   *   dx = gamma[c] / √(variance[c] + eps) / M · (M·dout - dbeta[c] - xhat·dgamma[c]).
   */
  batchNormBackward(
    dout: Matrix, xhat: Matrix, channels: number, variance: Matrix, eps: number, gamma: Matrix,
    dx: Matrix, dgamma: Matrix, dbeta: Matrix,
  ): void;

  /** out = a ⊙ b elementwise (Dropout: x times its mask of 0 and 1/(1-p), and dout times the same mask). */
  multiply(a: Matrix, b: Matrix, out: Matrix): void;

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

/** The kernels of convolution, pooling, BatchNorm and Dropout (a backend may build them in a module of their own). */
export type ConvOps = Pick<
  Ops,
  | 'im2col' | 'col2im' | 'rowsToChannels' | 'channelsToRows'
  | 'allocIndices' | 'freeIndices' | 'maxPoolForward' | 'maxPoolBackward'
  | 'channelMeanVariance' | 'batchNormForward' | 'batchNormBackward' | 'multiply'
>;
