import type { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';
import type { Rng } from '../rng.js';
import type { InitializerKind } from '../spec.js';
import { StudioError } from '../errors.js';
import { initScale } from '../init.js';
import { RowBuffers } from './buffers.js';
import type { Layer, Param } from './types.js';

/**
 * The fully connected layer of the book: y = x·W + b, with W [in, out] and b [1, out].
 * After image-shaped layers it reads each sample's C·H·W values as one row (channels
 * first, as PyTorch's Flatten does), so no Flatten layer is needed before it.
 *
 * Backward, from the chain rule on the matrix product:
 *   dx = dout·Wᵀ      (rows x in)
 *   dW = xᵀ·dout      (in x out, summed over the batch)
 *   db = Σ_rows dout  (1 x out; b was broadcast to every row, so its gradient sums them)
 */
export class AffineLayer implements Layer {
  readonly kind = 'affine';
  readonly params: readonly [Param, Param];
  readonly outputShape: readonly [number];
  private readonly out: RowBuffers;
  private readonly dx: RowBuffers;
  /** The input of the last forward pass, kept (not copied) because dW needs it. */
  private x: Matrix | null = null;

  constructor(
    readonly name: string,
    readonly inputSize: number,
    readonly outputSize: number,
    private readonly ops: Ops,
  ) {
    const weight: Param = {
      name: 'weight', value: ops.alloc(inputSize, outputSize), grad: ops.alloc(inputSize, outputSize),
      fileShape: [outputSize, inputSize], transposed: true, decay: true,
    };
    const bias: Param = {
      name: 'bias', value: ops.alloc(1, outputSize), grad: ops.alloc(1, outputSize),
      fileShape: [outputSize], transposed: false, decay: false,
    };
    this.outputShape = [outputSize];
    // Backends hand out zeroed memory today, but a reused WASM block might not be: be explicit.
    for (const p of [weight, bias]) {
      p.value.data.fill(0);
      p.grad.data.fill(0);
    }
    this.params = [weight, bias];
    this.out = new RowBuffers(ops, outputSize);
    this.dx = new RowBuffers(ops, inputSize);
  }

  get W(): Matrix {
    return this.params[0].value;
  }
  get b(): Matrix {
    return this.params[1].value;
  }
  get dW(): Matrix {
    return this.params[0].grad;
  }
  get db(): Matrix {
    return this.params[1].grad;
  }

  /** W ~ N(0, scale²) drawn row by row of [in, out] (NumPy's normal(size=(in, out)) order), b = 0. */
  initialize(init: InitializerKind, rng: Rng): void {
    const scale = initScale(init, this.inputSize);
    const w = this.W.data;
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * scale;
    this.b.data.fill(0);
    this.dW.data.fill(0);
    this.db.data.fill(0);
  }

  forward(x: Matrix, _train: boolean): Matrix {
    if (x.cols !== this.inputSize) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: expects ${this.inputSize} inputs per row, got ${x.cols}`);
    }
    const y = this.out.get(x.rows);
    this.ops.gemm(x, false, this.W, false, y);
    this.ops.addRowInPlace(y, this.b);
    this.x = x;
    return y;
  }

  backward(dout: Matrix): Matrix {
    const x = this.inputFor(dout);
    const dx = this.dx.get(x.rows);
    this.ops.gemm(dout, false, this.W, true, dx);
    this.paramGradients(x, dout);
    return dx;
  }

  /**
   * dW = xᵀ·dout and db = Σ dout only, without dx. For the network's first layer,
   * whose input is the data: nothing uses that gradient, and dout·Wᵀ is a third of
   * the layer's work (PyTorch skips it too; the book computes it anyway).
   */
  backwardParams(dout: Matrix): void {
    this.paramGradients(this.inputFor(dout), dout);
  }

  private paramGradients(x: Matrix, dout: Matrix): void {
    this.ops.gemm(x, true, dout, false, this.dW);
    this.ops.sumRows(dout, this.db);
  }

  /** The input kept by forward, once dout is known to match it. */
  private inputFor(dout: Matrix): Matrix {
    const x = this.x;
    if (!x) throw new StudioError('INTERNAL', `${this.name}: backward called before forward`);
    if (dout.rows !== x.rows || dout.cols !== this.outputSize) {
      throw new StudioError(
        'SHAPE_MISMATCH',
        `${this.name}: backward expects dout ${x.rows}x${this.outputSize}, got ${dout.shapeString()}`,
      );
    }
    return x;
  }
}
