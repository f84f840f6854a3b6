import type { Matrix } from '../matrix.js';
import { StudioError } from '../errors.js';
import type { Layer, Param } from './types.js';

/**
 * Flatten (C, H, W) into C·H·W values, channels first (PyTorch's nn.Flatten, the
 * book's reshape). A batch of images is already one sample per row in that order,
 * so forward and backward hand the matrix on unchanged: only the shape the next
 * layer sees changes.
 */
export class FlattenLayer implements Layer {
  readonly kind = 'flatten';
  readonly params: readonly Param[] = [];
  readonly outputShape: readonly [number];

  constructor(
    readonly name: string,
    size: number,
  ) {
    this.outputShape = [size];
  }

  forward(x: Matrix, _train: boolean): Matrix {
    if (x.cols !== this.outputShape[0]) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: expects ${this.outputShape[0]} values per row, got ${x.cols}`);
    }
    return x;
  }

  backward(dout: Matrix): Matrix {
    return dout;
  }
}
