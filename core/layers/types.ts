import type { FloatArray, Matrix } from '../matrix.js';
import type { Rng } from '../rng.js';
import type { InitializerKind } from '../spec.js';
import type { LayerShape } from './shape.js';

/**
 * A learnable tensor and its gradient, same shape. The engine's layout is what its
 * kernels want (Affine weight [in, out], Convolution weight [out, in·kh·kw], biases and
 * BatchNorm's gamma/beta [1, n]); `fileShape` is PyTorch's, what a model file stores.
 */
export interface Param {
  readonly name: 'weight' | 'bias';
  readonly value: Matrix;
  readonly grad: Matrix;
  /**
   * PyTorch's shape of this tensor (Linear.weight [out, in], Conv2d.weight [out, in, kh, kw],
   * biases [n]); default [cols] for one row, else [rows, cols] (see paramFileShape).
   */
  readonly fileShape?: readonly number[];
  /** The file's tensor is this matrix transposed (Affine: [in, out] here, [out, in] in PyTorch). */
  readonly transposed?: boolean;
  /** Weight decay applies (Convolution and Affine weights; not biases, not BatchNorm). */
  readonly decay?: boolean;
}

/**
 * State that is not learned but belongs to the model (BatchNorm's running statistics):
 * saved in model files and checkpoints under PyTorch's names, never stepped by an optimizer.
 */
export interface LayerBuffer {
  readonly name: string;
  readonly data: FloatArray;
  readonly fileShape: readonly number[];
  /** I64 for counters (num_batches_tracked, int64 in PyTorch). */
  readonly dtype: 'F32' | 'I64';
}

/**
 * One node of the layer-wise graph. `forward` keeps what `backward` needs;
 * `backward(dout)` returns dx, fills each param's `grad`, and never mutates `dout`.
 * Returned matrices are owned by the layer (or are its input, for layers that do not
 * change values) and reused on the next call of the same shape: copy them to keep them.
 */
export interface Layer {
  readonly kind: string;
  /** PyTorch-style name: conv1, bn1, fc1, …; relu1, pool1 for layers without weights. */
  readonly name: string;
  readonly params: readonly Param[];
  readonly buffers?: readonly LayerBuffer[];
  /** What one sample looks like coming out ([C, H, W] for image-shaped outputs). */
  readonly outputShape: LayerShape;
  forward(x: Matrix, train: boolean): Matrix;
  backward(dout: Matrix): Matrix;
  /**
   * Parameter gradients only, no dx: for the network's first layer, whose input is the
   * data (nothing reads that gradient). Layers without it get backward().
   */
  backwardParams?(dout: Matrix): void;
  /** Fresh parameters: weights drawn by `init` from `rng`, biases zero (layers with weights). */
  initialize?(init: InitializerKind, rng: Rng): void;
}

/** The shape a param has in a model file (PyTorch's). */
export function paramFileShape(p: Param): readonly number[] {
  if (p.fileShape) return p.fileShape;
  const v = p.value;
  if (p.transposed) return [v.cols, v.rows];
  return v.rows === 1 ? [v.cols] : [v.rows, v.cols];
}
