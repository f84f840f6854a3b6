import type { Matrix } from '../matrix.js';
import type { Ops, WindowGeometry } from '../ops/types.js';
import { StudioError } from '../errors.js';
import { RowBuffers } from './buffers.js';
import type { ImageShape } from './shape.js';
import type { Layer, Param } from './types.js';

/**
 * Max pooling (book ch. 7.4): each output is the largest value of its window, per
 * channel. Forward remembers where each maximum came from (argmax), and backward
 * routes every gradient there and nowhere else; where windows overlap (stride
 * smaller than the window) a position that won several windows collects them all.
 */
export class MaxPoolLayer implements Layer {
  readonly kind = 'pool';
  readonly params: readonly Param[] = [];
  readonly outputShape: ImageShape;
  readonly geometry: WindowGeometry;
  private readonly out: RowBuffers;
  private readonly dx: RowBuffers;
  private readonly argmax: BackendIndices;
  private last: { rows: number; argmax: Int32Array } | null = null;

  constructor(
    readonly name: string,
    input: ImageShape,
    size: number,
    stride: number,
    private readonly ops: Ops,
  ) {
    const [C, H, W] = input;
    const outHeight = Math.floor((H - size) / stride) + 1;
    const outWidth = Math.floor((W - size) / stride) + 1;
    this.geometry = { channels: C, height: H, width: W, kernel: size, stride, pad: 0, outHeight, outWidth };
    this.outputShape = [C, outHeight, outWidth];
    this.out = new RowBuffers(ops, C * outHeight * outWidth);
    this.dx = new RowBuffers(ops, C * H * W);
    this.argmax = new BackendIndices(ops, C * outHeight * outWidth);
  }

  forward(x: Matrix, _train: boolean): Matrix {
    const g = this.geometry;
    if (x.cols !== this.dx.cols) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: expects ${g.channels}x${g.height}x${g.width} = ${this.dx.cols} values per row, got ${x.cols}`);
    }
    const y = this.out.get(x.rows);
    const argmax = this.argmax.get(x.rows);
    this.ops.maxPoolForward(x, g, y, argmax);
    this.last = { rows: x.rows, argmax };
    return y;
  }

  backward(dout: Matrix): Matrix {
    const last = this.last;
    if (!last) throw new StudioError('INTERNAL', `${this.name}: backward called before forward`);
    if (dout.rows !== last.rows || dout.cols !== this.out.cols) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: backward expects dout ${last.rows}x${this.out.cols}, got ${dout.shapeString()}`);
    }
    const dx = this.dx.get(last.rows);
    this.ops.maxPoolBackward(dout, last.argmax, dx);
    return dx;
  }
}

/** Integer buffers from the backend (so its kernels can reach them), one per batch size, a few kept. */
class BackendIndices {
  private readonly byRows = new Map<number, Int32Array>();

  constructor(
    private readonly ops: Ops,
    private readonly perRow: number,
    private readonly limit = 8,
  ) {}

  get(rows: number): Int32Array {
    const hit = this.byRows.get(rows);
    if (hit) return hit;
    if (this.byRows.size >= this.limit) {
      const [oldestRows, oldest] = this.byRows.entries().next().value as [number, Int32Array];
      this.byRows.delete(oldestRows);
      this.ops.freeIndices(oldest);
    }
    const a = this.ops.allocIndices(rows * this.perRow);
    this.byRows.set(rows, a);
    return a;
  }
}
