import type { Matrix } from '../matrix.js';
import type { Ops, WindowGeometry } from '../ops/types.js';
import type { Rng } from '../rng.js';
import type { InitializerKind } from '../spec.js';
import { StudioError } from '../errors.js';
import { initScale } from '../init.js';
import { RowBuffers } from './buffers.js';
import type { ImageShape } from './shape.js';
import type { Layer, Param } from './types.js';

/**
 * Convolution as the book writes it (ch. 7): im2col turns every window of the input
 * into one row, so the whole layer is one matrix product with the filters.
 *
 *   x (N x C·H·W)  --im2col-->  col (N·OH·OW x C·K·K)
 *   rows = col · Wᵀ            (N·OH·OW x F), W is [F, C·K·K] = PyTorch's [out, in, kh, kw]
 *   y[n, f, p] = rows[n·P + p, f] + b[f]       (back to channels first, P = OH·OW)
 *
 * Backward, from the same product:
 *   drows = dy reordered to rows;  db = Σ drows;  dW = drowsᵀ · col;
 *   dcol = drows · W;  dx = col2im(dcol)  (overlapping windows add up)
 */
export class ConvolutionLayer implements Layer {
  readonly kind = 'conv';
  readonly params: readonly [Param, Param];
  readonly outputShape: ImageShape;
  readonly geometry: WindowGeometry;
  private readonly col: RowBuffers;
  private readonly rows: RowBuffers;
  private readonly out: RowBuffers;
  private readonly dcol: RowBuffers;
  private readonly dx: RowBuffers;
  private last: { x: Matrix; col: Matrix } | null = null;

  constructor(
    readonly name: string,
    input: ImageShape,
    readonly filters: number,
    kernel: number,
    stride: number,
    pad: number,
    private readonly ops: Ops,
  ) {
    const [C, H, W] = input;
    const outHeight = Math.floor((H + 2 * pad - kernel) / stride) + 1;
    const outWidth = Math.floor((W + 2 * pad - kernel) / stride) + 1;
    this.geometry = { channels: C, height: H, width: W, kernel, stride, pad, outHeight, outWidth };
    this.outputShape = [filters, outHeight, outWidth];
    const ckk = C * kernel * kernel;
    const weight: Param = {
      name: 'weight', value: ops.alloc(filters, ckk), grad: ops.alloc(filters, ckk),
      fileShape: [filters, C, kernel, kernel], transposed: false, decay: true,
    };
    const bias: Param = { name: 'bias', value: ops.alloc(1, filters), grad: ops.alloc(1, filters), fileShape: [filters], transposed: false, decay: false };
    for (const p of [weight, bias]) {
      p.value.data.fill(0);
      p.grad.data.fill(0);
    }
    this.params = [weight, bias];
    this.col = new RowBuffers(ops, ckk);
    this.dcol = new RowBuffers(ops, ckk);
    this.rows = new RowBuffers(ops, filters);
    this.out = new RowBuffers(ops, filters * outHeight * outWidth);
    this.dx = new RowBuffers(ops, C * H * W);
  }

  get W(): Matrix {
    return this.params[0].value;
  }
  get b(): Matrix {
    return this.params[1].value;
  }

  /** The book's He/Xavier for convolutions: fan_in = C·K·K; W drawn in PyTorch's [out, in, kh, kw] order. */
  initialize(init: InitializerKind, rng: Rng): void {
    const g = this.geometry;
    const scale = initScale(init, g.channels * g.kernel * g.kernel);
    const w = this.W.data;
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * scale;
    this.b.data.fill(0);
    for (const p of this.params) p.grad.data.fill(0);
  }

  forward(x: Matrix, _train: boolean): Matrix {
    const g = this.geometry;
    if (x.cols !== g.channels * g.height * g.width) {
      throw new StudioError(
        'SHAPE_MISMATCH',
        `${this.name}: expects ${g.channels}x${g.height}x${g.width} = ${g.channels * g.height * g.width} values per row, got ${x.cols}`,
      );
    }
    const P = g.outHeight * g.outWidth;
    const col = this.col.get(x.rows * P);
    this.ops.im2col(x, g, col);
    const rows = this.rows.get(x.rows * P);
    this.ops.gemm(col, false, this.W, true, rows);
    const y = this.out.get(x.rows);
    this.ops.rowsToChannels(rows, this.b, y);
    this.last = { x, col };
    return y;
  }

  backward(dout: Matrix): Matrix {
    const drows = this.paramGradients(dout);
    const { x } = this.last!;
    const dcol = this.dcol.get(drows.rows);
    this.ops.gemm(drows, false, this.W, false, dcol);
    const dx = this.dx.get(x.rows);
    this.ops.col2im(dcol, this.geometry, dx);
    return dx;
  }

  backwardParams(dout: Matrix): void {
    this.paramGradients(dout);
  }

  /** dW and db; returns dout reordered to one row per output pixel (what dx needs too). */
  private paramGradients(dout: Matrix): Matrix {
    const last = this.last;
    if (!last) throw new StudioError('INTERNAL', `${this.name}: backward called before forward`);
    if (dout.rows !== last.x.rows || dout.cols !== this.out.cols) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: backward expects dout ${last.x.rows}x${this.out.cols}, got ${dout.shapeString()}`);
    }
    // The rows buffer of this batch size is free again once forward's product was reordered.
    const drows = this.rows.get(last.col.rows);
    this.ops.channelsToRows(dout, drows);
    this.ops.sumRows(drows, this.params[1].grad);
    this.ops.gemm(drows, true, last.col, false, this.params[0].grad);
    return drows;
  }
}
