import type { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';
import type { Rng } from '../rng.js';
import { StudioError } from '../errors.js';
import { RowBuffers } from './buffers.js';
import { shapeSize, type LayerShape } from './shape.js';
import type { Layer, Param } from './types.js';

/**
 * Inverted Dropout, as PyTorch does it: in training each value is kept with
 * probability 1 - rate and scaled by 1/(1 - rate), so evaluation is the identity
 * (the book instead keeps values unscaled in training and multiplies by 1 - rate at
 * evaluation; the expected outputs are the same, and PyTorch's form is what a
 * model file must mean there). Backward passes dout through the same mask.
 *
 * Masks are drawn from the network's own seeded stream, in layer order, so a run
 * is reproducible and a checkpoint (which saves that stream) resumes bit for bit.
 */
export class DropoutLayer implements Layer {
  readonly kind = 'dropout';
  readonly params: readonly Param[] = [];
  private readonly mask: RowBuffers;
  private readonly out: RowBuffers;
  private readonly dx: RowBuffers;
  private last: Matrix | null = null;
  /**
   * Reuse the last mask instead of drawing a new one (the gradient check: every
   * forward of a numeric difference must drop the same values as backprop did).
   */
  frozen = false;

  constructor(
    readonly name: string,
    readonly outputShape: LayerShape,
    readonly rate: number,
    private readonly rng: Rng,
    private readonly ops: Ops,
  ) {
    const size = shapeSize(outputShape);
    this.mask = new RowBuffers(ops, size);
    this.out = new RowBuffers(ops, size);
    this.dx = new RowBuffers(ops, size);
  }

  forward(x: Matrix, train: boolean): Matrix {
    if (x.cols !== this.out.cols) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: expects ${this.out.cols} values per row, got ${x.cols}`);
    }
    if (!train || this.rate === 0) {
      this.last = null;
      return x;
    }
    const mask = this.mask.get(x.rows);
    if (!(this.frozen && this.last === mask)) {
      const keep = 1 - this.rate, scale = 1 / keep, m = mask.data;
      for (let i = 0; i < m.length; i++) m[i] = this.rng.next() < keep ? scale : 0;
    }
    const y = this.out.get(x.rows);
    this.ops.multiply(x, mask, y);
    this.last = mask;
    return y;
  }

  backward(dout: Matrix): Matrix {
    const mask = this.last;
    if (!mask) return dout; // identity forward (evaluation, or rate 0)
    if (dout.rows !== mask.rows || dout.cols !== mask.cols) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: backward expects dout ${mask.shapeString()}, got ${dout.shapeString()}`);
    }
    const dx = this.dx.get(dout.rows);
    this.ops.multiply(dout, mask, dx);
    return dx;
  }
}
