import type { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';
import type { ActivationKind } from '../spec.js';
import { StudioError } from '../errors.js';
import { RowBuffers } from './buffers.js';
import { shapeSize, type LayerShape } from './shape.js';
import type { Layer, Param } from './types.js';

/**
 * Elementwise activations. Each keeps its forward output y, because all three
 * derivatives are cheapest written in terms of y:
 *   ReLU     y = max(0, x)          dx = dout where y > 0, else 0
 *   Sigmoid  y = 1 / (1 + e^-x)     dx = dout · y · (1 - y)
 *   Tanh     y = tanh(x)            dx = dout · (1 - y²)
 * (ReLU's mask "y > 0" is the book's "x > 0": y is positive exactly where x is.)
 * The three differ only in their pair of kernels, named in KERNELS.
 */
const KERNELS = {
  relu: { forward: 'reluForward', backward: 'reluBackward' },
  sigmoid: { forward: 'sigmoidForward', backward: 'sigmoidBackward' },
  tanh: { forward: 'tanhForward', backward: 'tanhBackward' },
} as const satisfies Record<ActivationKind, { forward: keyof Ops; backward: keyof Ops }>;

class ActivationLayer implements Layer {
  readonly params: readonly Param[] = [];
  private readonly out: RowBuffers;
  private readonly dx: RowBuffers;
  private y: Matrix | null = null;
  readonly size: number;

  /** Elementwise: the output keeps the input's shape (an image stays an image). */
  readonly outputShape: LayerShape;

  constructor(
    readonly kind: ActivationKind,
    readonly name: string,
    shape: LayerShape | number,
    protected readonly ops: Ops,
  ) {
    this.outputShape = typeof shape === 'number' ? [shape] : shape;
    const size = shapeSize(this.outputShape);
    this.size = size;
    this.out = new RowBuffers(ops, size);
    this.dx = new RowBuffers(ops, size);
  }

  forward(x: Matrix, _train: boolean): Matrix {
    if (x.cols !== this.size) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: expects ${this.size} values per row, got ${x.cols}`);
    }
    const y = this.out.get(x.rows);
    this.ops[KERNELS[this.kind].forward](x, y);
    this.y = y;
    return y;
  }

  backward(dout: Matrix): Matrix {
    const y = this.y;
    if (!y) throw new StudioError('INTERNAL', `${this.name}: backward called before forward`);
    if (dout.rows !== y.rows || dout.cols !== y.cols) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: backward expects dout ${y.shapeString()}, got ${dout.shapeString()}`);
    }
    const dx = this.dx.get(y.rows);
    this.ops[KERNELS[this.kind].backward](y, dout, dx);
    return dx;
  }
}

/** A named class per kind (what tests and callers construct), each the shared layer with its kind fixed. */
function activationClass(kind: ActivationKind) {
  return class extends ActivationLayer {
    constructor(name: string, shape: LayerShape | number, ops: Ops) {
      super(kind, name, shape, ops);
    }
  };
}
export const ReluLayer = activationClass('relu');
export const SigmoidLayer = activationClass('sigmoid');
export const TanhLayer = activationClass('tanh');

export function createActivation(kind: ActivationKind, name: string, shape: LayerShape | number, ops: Ops): Layer {
  return new ActivationLayer(kind, name, shape, ops);
}
