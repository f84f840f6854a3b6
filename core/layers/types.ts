import type { Matrix } from '../matrix.js';

/** A learnable tensor and its gradient, same shape. Affine: weight [in, out], bias [1, out]. */
export interface Param {
  readonly name: 'weight' | 'bias';
  readonly value: Matrix;
  readonly grad: Matrix;
}

/**
 * One node of the layer-wise graph. `forward` keeps what `backward` needs;
 * `backward(dout)` returns dx, fills each param's `grad`, and never mutates `dout`.
 * Returned matrices are owned by the layer and reused on the next call of the same
 * shape: copy them if you need to keep them.
 */
export interface Layer {
  readonly kind: string;
  /** PyTorch-style name: fc1, fc2 for Affine; relu1, sigmoid2 for activations. */
  readonly name: string;
  readonly params: readonly Param[];
  forward(x: Matrix, train: boolean): Matrix;
  backward(dout: Matrix): Matrix;
}
