import { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';
import { StudioError } from '../errors.js';
import { RowBuffers } from './buffers.js';
import type { LossLayer, Targets } from './registry.js';

/**
 * Mean squared error for regression, the book's mean_squared_error averaged over
 * the batch:  loss = (1 / 2N) · Σ_rows Σ_cols (y - t)²,  dx = (y - t) / N.
 * The ½ makes the gradient exactly (y - t)/N, the same form as softmax-with-loss.
 *
 * Targets are a matrix of the output's shape, or class indices, which mean the
 * one-hot rows (classification trained with squared error, as in the book's ch. 4).
 *
 * Every numeric loop runs on the backend: `sgdUpdate(w, g, a)` is the backend's
 * "w -= a·g" (axpy), which gives the difference and the scaling, and a 1 x n by
 * n x 1 product gives the sum of squares.
 */
export class MseLayer implements LossLayer {
  readonly kind = 'mse';
  private readonly targets: RowBuffers;
  private readonly diff: RowBuffers;
  private readonly dx: RowBuffers;
  private readonly sumSquares: Matrix;
  private last: Matrix | null = null;

  constructor(
    readonly outputs: number,
    private readonly ops: Ops,
  ) {
    this.targets = new RowBuffers(ops, outputs);
    this.diff = new RowBuffers(ops, outputs);
    this.dx = new RowBuffers(ops, outputs);
    this.sumSquares = ops.alloc(1, 1);
  }

  forward(y: Matrix, t: Targets): number {
    if (y.cols !== this.outputs) {
      throw new StudioError('SHAPE_MISMATCH', `mse: expects ${this.outputs} outputs per row, got ${y.cols}`);
    }
    const target = this.toTargets(t, y.rows);
    const n = y.rows;
    const diff = this.diff.get(n);
    diff.data.set(y.data);
    this.ops.sgdUpdate(diff.data, target.data, 1); // diff = y - t
    const flat = new Matrix(1, diff.size, diff.data);
    this.ops.gemm(flat, false, flat, true, this.sumSquares); // Σ (y - t)²
    this.last = diff;
    return n === 0 ? 0 : (0.5 * this.sumSquares.data[0]!) / n;
  }

  backward(): Matrix {
    const diff = this.last;
    if (!diff) throw new StudioError('INTERNAL', 'mse: backward called before forward');
    const dx = this.dx.get(diff.rows);
    dx.data.fill(0);
    if (diff.rows > 0) this.ops.sgdUpdate(dx.data, diff.data, -1 / diff.rows); // dx = 0 + diff/N
    return dx;
  }

  /** Regression outputs are the prediction itself. */
  predict(y: Matrix): Matrix {
    return y;
  }

  private toTargets(t: Targets, rows: number): Matrix {
    if (t instanceof Int32Array) {
      if (t.length !== rows) throw new StudioError('SHAPE_MISMATCH', `mse: ${rows} rows of outputs but ${t.length} labels`);
      const oneHot = this.targets.get(rows);
      oneHot.data.fill(0);
      for (let r = 0; r < rows; r++) {
        const label = t[r]!;
        if (label < 0 || label >= this.outputs) {
          throw new StudioError(
            'SHAPE_MISMATCH',
            `mse: label ${label} in row ${r} is outside the ${this.outputs} outputs 0..${this.outputs - 1}`,
          );
        }
        oneHot.set(r, label, 1);
      }
      return oneHot;
    }
    if (t.rows !== rows || t.cols !== this.outputs) {
      throw new StudioError('SHAPE_MISMATCH', `mse: targets must be ${rows}x${this.outputs}, got ${t.shapeString()}`);
    }
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i]!)) {
        throw new StudioError(
          'BAD_DATA',
          `mse: target in row ${Math.floor(i / t.cols)}, column ${i % t.cols} is ${t.data[i]}, not a finite number`,
        );
      }
    }
    return t;
  }
}
