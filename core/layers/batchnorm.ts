import type { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';
import { StudioError } from '../errors.js';
import { RowBuffers } from './buffers.js';
import { shapeSize, type LayerShape } from './shape.js';
import type { Layer, LayerBuffer, Param } from './types.js';

/** PyTorch's defaults, which the parity fixture and model files assume. */
export const BATCHNORM_EPS = 1e-5;
export const BATCHNORM_MOMENTUM = 0.1;

/**
 * Batch Normalization (book ch. 6.3) as PyTorch does it, so model files load there:
 * after Affine per feature (BatchNorm1d), after Convolution per channel over the
 * batch and every pixel (BatchNorm2d); the book normalizes every activation apart.
 *
 *   training:   mean, var = the batch's (biased variance), x̂ = (x - mean)/√(var + eps),
 *               y = γ·x̂ + β;  running = 0.9·running + 0.1·batch (variance unbiased: ·M/(M-1))
 *   evaluation: the same with the running statistics
 * Backward (training statistics, M values per channel):
 *   dβ = Σ dout,  dγ = Σ dout·x̂,  dx = γ/√(var + eps)/M · (M·dout - dβ - x̂·dγ)
 */
export class BatchNormLayer implements Layer {
  readonly kind = 'batchnorm';
  readonly params: readonly [Param, Param];
  readonly buffers: readonly [LayerBuffer, LayerBuffer, LayerBuffer];
  readonly channels: number;
  private readonly runningMean: Matrix;
  private readonly runningVar: Matrix;
  private readonly tracked = new Float64Array(1);
  private readonly batchMean: Matrix;
  private readonly batchVar: Matrix;
  private readonly out: RowBuffers;
  private readonly xhat: RowBuffers;
  private readonly dx: RowBuffers;
  private last: { xhat: Matrix } | null = null;

  constructor(
    readonly name: string,
    readonly outputShape: LayerShape,
    private readonly ops: Ops,
  ) {
    // Channels of an image, or the features of a flat vector (P = 1 value per channel per sample).
    const C = outputShape[0];
    this.channels = C;
    const param = (name: 'weight' | 'bias'): Param => ({
      name, value: ops.alloc(1, C), grad: ops.alloc(1, C), fileShape: [C], transposed: false, decay: false,
    });
    this.params = [param('weight'), param('bias')];
    this.runningMean = ops.alloc(1, C);
    this.runningVar = ops.alloc(1, C);
    this.batchMean = ops.alloc(1, C);
    this.batchVar = ops.alloc(1, C);
    this.buffers = [
      { name: 'running_mean', data: this.runningMean.data, fileShape: [C], dtype: 'F32' },
      { name: 'running_var', data: this.runningVar.data, fileShape: [C], dtype: 'F32' },
      { name: 'num_batches_tracked', data: this.tracked, fileShape: [], dtype: 'I64' },
    ];
    this.reset();
    const size = shapeSize(outputShape);
    this.out = new RowBuffers(ops, size);
    this.xhat = new RowBuffers(ops, size);
    this.dx = new RowBuffers(ops, size);
  }

  /** γ = 1, β = 0, running mean 0, running variance 1, no batches seen (PyTorch's start). */
  initialize(): void {
    this.reset();
  }

  private reset(): void {
    this.params[0].value.data.fill(1);
    this.params[1].value.data.fill(0);
    for (const p of this.params) p.grad.data.fill(0);
    this.runningMean.data.fill(0);
    this.runningVar.data.fill(1);
    this.tracked[0] = 0;
  }

  forward(x: Matrix, train: boolean): Matrix {
    if (x.cols !== this.out.cols) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: expects ${this.out.cols} values per row, got ${x.cols}`);
    }
    const C = this.channels;
    const [gamma, beta] = [this.params[0].value, this.params[1].value];
    const y = this.out.get(x.rows);
    const xhat = this.xhat.get(x.rows);
    if (!train) {
      this.ops.batchNormForward(x, C, this.runningMean, this.runningVar, BATCHNORM_EPS, gamma, beta, xhat, y);
      return y;
    }
    this.ops.channelMeanVariance(x, C, this.batchMean, this.batchVar);
    const M = x.rows * (x.cols / C);
    const unbias = M > 1 ? M / (M - 1) : 1;
    const m = BATCHNORM_MOMENTUM;
    const rm = this.runningMean.data, rv = this.runningVar.data, bm = this.batchMean.data, bv = this.batchVar.data;
    for (let c = 0; c < C; c++) {
      rm[c] = (1 - m) * rm[c]! + m * bm[c]!;
      rv[c] = (1 - m) * rv[c]! + m * bv[c]! * unbias;
    }
    this.tracked[0]!++;
    this.ops.batchNormForward(x, C, this.batchMean, this.batchVar, BATCHNORM_EPS, gamma, beta, xhat, y);
    this.last = { xhat };
    return y;
  }

  backward(dout: Matrix): Matrix {
    const last = this.last;
    if (!last) throw new StudioError('INTERNAL', `${this.name}: backward called before a training forward`);
    if (dout.rows !== last.xhat.rows || dout.cols !== last.xhat.cols) {
      throw new StudioError('SHAPE_MISMATCH', `${this.name}: backward expects dout ${last.xhat.shapeString()}, got ${dout.shapeString()}`);
    }
    const dx = this.dx.get(dout.rows);
    const [gamma, beta] = this.params;
    this.ops.batchNormBackward(dout, last.xhat, this.channels, this.batchVar, BATCHNORM_EPS, gamma.value, dx, gamma.grad, beta.grad);
    return dx;
  }
}
