import type { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';
import { StudioError } from '../errors.js';
import { IndexBuffers, RowBuffers } from './buffers.js';
import type { LossLayer, Targets } from './registry.js';

/**
 * Softmax followed by the cross-entropy error, as one layer (the book's
 * SoftmaxWithLoss): together their backward is simply (y - t) / N.
 *
 * Forward, per row: subtract the row's max (so exp never overflows), y = softmax,
 * loss = -log y[label], averaged over the N rows of the batch. The max and the sum
 * are taken per row: taking them over the whole batch is the bug that once gave
 * the book's own gradient check differences of 0.28.
 *
 * Targets are class indices (Int32Array, one per row) or a one-hot matrix; a
 * one-hot matrix is turned into indices, so both paths run the same kernel.
 */
export class SoftmaxWithLossLayer implements LossLayer {
  readonly kind = 'softmax-cross-entropy';
  private readonly y: RowBuffers;
  private readonly dx: RowBuffers;
  private readonly probs: RowBuffers;
  private readonly labels = new IndexBuffers();
  /** Never written: a valid label array for the kernel when only the probabilities are wanted. */
  private readonly zeroLabels = new IndexBuffers();
  private last: { y: Matrix; labels: Int32Array } | null = null;

  constructor(
    readonly classes: number,
    private readonly ops: Ops,
  ) {
    this.y = new RowBuffers(ops, classes);
    this.dx = new RowBuffers(ops, classes);
    this.probs = new RowBuffers(ops, classes);
  }

  forward(scores: Matrix, t: Targets): number {
    this.checkScores(scores);
    const labels = this.toLabels(t, scores.rows);
    const y = this.y.get(scores.rows);
    const loss = this.ops.softmaxCrossEntropy(scores, labels, y);
    this.last = { y, labels };
    return loss;
  }

  backward(): Matrix {
    if (!this.last) throw new StudioError('INTERNAL', 'softmax-with-loss: backward called before forward');
    const { y, labels } = this.last;
    const dx = this.dx.get(y.rows);
    this.ops.softmaxCrossEntropyBackward(y, labels, dx);
    return dx;
  }

  /** Softmax of each row (probabilities that sum to 1). */
  predict(scores: Matrix): Matrix {
    this.checkScores(scores);
    const p = this.probs.get(scores.rows);
    this.ops.softmaxCrossEntropy(scores, this.zeroLabels.get(scores.rows), p);
    return p;
  }

  private checkScores(scores: Matrix): void {
    if (scores.cols !== this.classes) {
      throw new StudioError('SHAPE_MISMATCH', `softmax-with-loss: expects ${this.classes} scores per row, got ${scores.cols}`);
    }
  }

  /** Copy (class indices) or convert (one-hot rows) the targets into this layer's own label buffer. */
  private toLabels(t: Targets, rows: number): Int32Array {
    const out = this.labels.get(rows);
    if (t instanceof Int32Array) {
      if (t.length !== rows) {
        throw new StudioError('SHAPE_MISMATCH', `softmax-with-loss: ${rows} rows of scores but ${t.length} labels`);
      }
      for (let r = 0; r < rows; r++) {
        const label = t[r]!;
        if (label < 0 || label >= this.classes) {
          throw new StudioError(
            'SHAPE_MISMATCH',
            `softmax-with-loss: label ${label} in row ${r} is outside the ${this.classes} classes 0..${this.classes - 1}`,
          );
        }
        out[r] = label;
      }
      return out;
    }
    if (t.rows !== rows || t.cols !== this.classes) {
      throw new StudioError(
        'SHAPE_MISMATCH',
        `softmax-with-loss: one-hot targets must be ${rows}x${this.classes}, got ${t.shapeString()}`,
      );
    }
    for (let r = 0; r < rows; r++) {
      let hot = -1;
      for (let c = 0; c < this.classes; c++) {
        const v = t.get(r, c);
        if (v === 1 && hot === -1) hot = c;
        else if (v !== 0) {
          throw new StudioError(
            'SHAPE_MISMATCH',
            `softmax-with-loss: target row ${r} is not one-hot (value ${v} in column ${c}); give class indices or rows of 0s with a single 1`,
          );
        }
      }
      if (hot === -1) {
        throw new StudioError('SHAPE_MISMATCH', `softmax-with-loss: target row ${r} is all zeros, expected a single 1`);
      }
      out[r] = hot;
    }
    return out;
  }
}
