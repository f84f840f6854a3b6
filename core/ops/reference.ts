import { Matrix, type FloatArray } from '../matrix.js';
import type { ConvOps, Ops, WindowGeometry } from './types.js';

/**
 * Plain TypeScript kernels: the readable reference every fast kernel is tested
 * against. `createReferenceOps('f64')` is what the gradient check runs on.
 * Loops are written in the obvious order on purpose; speed lives in the WASM backend.
 */
export function createReferenceOps(precision: 'f32' | 'f64' = 'f32'): Ops {
  const make = (n: number): FloatArray => (precision === 'f32' ? new Float32Array(n) : new Float64Array(n));

  return {
    name: precision === 'f32' ? 'ts-f32' : 'ts-f64',
    precision,

    alloc: (rows, cols) => new Matrix(rows, cols, make(rows * cols)),
    free: () => {
      /* garbage collected */
    },

    gemm(a, transA, b, transB, out, accumulate = false) {
      const M = transA ? a.cols : a.rows;
      const K = transA ? a.rows : a.cols;
      const N = transB ? b.rows : b.cols;
      const A = a.data, B = b.data, C = out.data;
      const lda = a.cols, ldb = b.cols;
      if (!accumulate) C.fill(0);
      // i-k-j order: the inner loop walks rows of B and C contiguously.
      for (let i = 0; i < M; i++) {
        const ci = i * N;
        for (let k = 0; k < K; k++) {
          const aik = transA ? A[k * lda + i]! : A[i * lda + k]!;
          if (aik === 0) continue;
          if (transB) {
            for (let j = 0; j < N; j++) C[ci + j] += aik * B[j * ldb + k]!;
          } else {
            const bk = k * ldb;
            for (let j = 0; j < N; j++) C[ci + j] += aik * B[bk + j]!;
          }
        }
      }
    },

    addRowInPlace(x, bias) {
      const X = x.data, b = bias.data, C = x.cols;
      for (let r = 0; r < x.rows; r++) {
        const o = r * C;
        for (let c = 0; c < C; c++) X[o + c] += b[c]!;
      }
    },

    sumRows(x, out) {
      const X = x.data, O = out.data, C = x.cols;
      O.fill(0);
      for (let r = 0; r < x.rows; r++) {
        const o = r * C;
        for (let c = 0; c < C; c++) O[c] += X[o + c]!;
      }
    },

    reluForward(x, out) {
      const X = x.data, O = out.data;
      for (let i = 0; i < X.length; i++) O[i] = X[i]! > 0 ? X[i]! : 0;
    },
    reluBackward(y, dout, dx) {
      const Y = y.data, D = dout.data, O = dx.data;
      for (let i = 0; i < Y.length; i++) O[i] = Y[i]! > 0 ? D[i]! : 0;
    },
    sigmoidForward(x, out) {
      const X = x.data, O = out.data;
      for (let i = 0; i < X.length; i++) O[i] = 1 / (1 + Math.exp(-X[i]!));
    },
    sigmoidBackward(y, dout, dx) {
      const Y = y.data, D = dout.data, O = dx.data;
      for (let i = 0; i < Y.length; i++) O[i] = D[i]! * Y[i]! * (1 - Y[i]!);
    },
    tanhForward(x, out) {
      const X = x.data, O = out.data;
      for (let i = 0; i < X.length; i++) O[i] = Math.tanh(X[i]!);
    },
    tanhBackward(y, dout, dx) {
      const Y = y.data, D = dout.data, O = dx.data;
      for (let i = 0; i < Y.length; i++) O[i] = D[i]! * (1 - Y[i]! * Y[i]!);
    },

    softmaxCrossEntropy(x, labels, y) {
      const N = x.rows, C = x.cols, X = x.data, Y = y.data;
      let loss = 0;
      for (let r = 0; r < N; r++) {
        const o = r * C;
        let max = -Infinity;
        for (let c = 0; c < C; c++) if (X[o + c]! > max) max = X[o + c]!;
        let sum = 0;
        for (let c = 0; c < C; c++) {
          const e = Math.exp(X[o + c]! - max);
          Y[o + c] = e;
          sum += e;
        }
        for (let c = 0; c < C; c++) Y[o + c] = Y[o + c]! / sum;
        // log-sum-exp form: exact where y underflows to 0, unlike -log(y + 1e-7).
        loss += Math.log(sum) - (X[o + labels[r]!]! - max);
      }
      return N === 0 ? 0 : loss / N;
    },
    softmaxCrossEntropyBackward(y, labels, dx) {
      const N = y.rows, C = y.cols, Y = y.data, D = dx.data;
      for (let r = 0; r < N; r++) {
        const o = r * C;
        for (let c = 0; c < C; c++) D[o + c] = Y[o + c]! / N;
        D[o + labels[r]!] -= 1 / N;
      }
    },

    sgdUpdate(w, g, lr) {
      for (let i = 0; i < w.length; i++) w[i] -= lr * g[i]!;
    },
    momentumUpdate(w, g, v, lr, momentum) {
      for (let i = 0; i < w.length; i++) {
        v[i] = momentum * v[i]! - lr * g[i]!;
        w[i] += v[i]!;
      }
    },
    nesterovUpdate(w, g, v, lr, momentum) {
      // Two updates of w, in the book's order, so float64 runs match NumPy's rounding.
      const mm = momentum * momentum, step = (1 + momentum) * lr;
      for (let i = 0; i < w.length; i++) {
        v[i] = momentum * v[i]! - lr * g[i]!;
        w[i] += mm * v[i]!;
        w[i] -= step * g[i]!;
      }
    },
    adagradUpdate(w, g, h, lr) {
      for (let i = 0; i < w.length; i++) {
        h[i] += g[i]! * g[i]!;
        w[i] -= (lr * g[i]!) / (Math.sqrt(h[i]!) + 1e-7);
      }
    },
    rmspropUpdate(w, g, h, lr, decay) {
      const keep = 1 - decay;
      for (let i = 0; i < w.length; i++) {
        h[i] *= decay;
        h[i] += keep * g[i]! * g[i]!;
        w[i] -= (lr * g[i]!) / (Math.sqrt(h[i]!) + 1e-7);
      }
    },
    adamUpdate(w, g, m, v, lr, beta1, beta2, t) {
      const lrT = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      for (let i = 0; i < w.length; i++) {
        m[i] += (1 - beta1) * (g[i]! - m[i]!);
        v[i] += (1 - beta2) * (g[i]! * g[i]! - v[i]!);
        w[i] -= (lrT * m[i]!) / (Math.sqrt(v[i]!) + 1e-7);
      }
    },

    im2col(x, g, col) {
      const X = x.data, D = col.data;
      forEachWindowEntry(g, x.rows, (o, i) => {
        D[o] = i < 0 ? 0 : X[i]!;
      });
    },
    col2im(dcol, g, dx) {
      const X = dx.data, D = dcol.data;
      X.fill(0);
      forEachWindowEntry(g, dx.rows, (o, i) => {
        if (i >= 0) X[i] += D[o]!;
      });
    },
    rowsToChannels(rows, bias, out) {
      const F = rows.cols, P = out.cols / F, R = rows.data, O = out.data;
      for (let n = 0; n < out.rows; n++) {
        for (let f = 0; f < F; f++) {
          const b = bias ? bias.data[f]! : 0;
          for (let p = 0; p < P; p++) O[(n * F + f) * P + p] = R[(n * P + p) * F + f]! + b;
        }
      }
    },
    channelsToRows(x, rows) {
      const F = rows.cols, P = x.cols / F, X = x.data, R = rows.data;
      for (let n = 0; n < x.rows; n++) {
        for (let f = 0; f < F; f++) {
          for (let p = 0; p < P; p++) R[(n * P + p) * F + f] = X[(n * F + f) * P + p]!;
        }
      }
    },

    allocIndices: (length) => new Int32Array(length),
    freeIndices: () => {
      /* garbage collected */
    },
    maxPoolForward(x, g, out, argmax) {
      const { channels: C, height: H, width: W, kernel: K, stride: S, outHeight: OH, outWidth: OW } = g;
      const X = x.data, O = out.data;
      let i = 0;
      for (let n = 0; n < x.rows; n++) {
        for (let c = 0; c < C; c++) {
          const base = (n * C + c) * H * W;
          for (let oy = 0; oy < OH; oy++) {
            for (let ox = 0; ox < OW; ox++, i++) {
              let best = base + oy * S * W + ox * S;
              for (let ky = 0; ky < K; ky++) {
                const row = base + (oy * S + ky) * W + ox * S;
                for (let kx = 0; kx < K; kx++) if (X[row + kx]! > X[best]!) best = row + kx;
              }
              O[i] = X[best]!;
              argmax[i] = best;
            }
          }
        }
      }
    },
    maxPoolBackward(dout, argmax, dx) {
      const D = dout.data, X = dx.data;
      X.fill(0);
      for (let i = 0; i < D.length; i++) X[argmax[i]!] += D[i]!;
    },

    channelMeanVariance(x, channels, mean, variance) {
      const C = channels, P = x.cols / C, X = x.data, M = x.rows * P;
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let n = 0; n < x.rows; n++) for (let p = 0, o = (n * C + c) * P; p < P; p++) sum += X[o + p]!;
        const mu = sum / M;
        let sq = 0;
        for (let n = 0; n < x.rows; n++) {
          for (let p = 0, o = (n * C + c) * P; p < P; p++) sq += (X[o + p]! - mu) ** 2;
        }
        mean.data[c] = mu;
        variance.data[c] = sq / M;
      }
    },
    batchNormForward(x, channels, mean, variance, eps, gamma, beta, xhat, out) {
      const C = channels, P = x.cols / C, X = x.data, Xh = xhat.data, O = out.data;
      for (let c = 0; c < C; c++) {
        const mu = mean.data[c]!, inv = 1 / Math.sqrt(variance.data[c]! + eps), g = gamma.data[c]!, b = beta.data[c]!;
        for (let n = 0; n < x.rows; n++) {
          for (let p = 0, o = (n * C + c) * P; p < P; p++) {
            const h = (X[o + p]! - mu) * inv;
            Xh[o + p] = h;
            O[o + p] = g * h + b;
          }
        }
      }
    },
    batchNormBackward(dout, xhat, channels, variance, eps, gamma, dx, dgamma, dbeta) {
      const C = channels, P = dout.cols / C, D = dout.data, Xh = xhat.data, O = dx.data, M = dout.rows * P;
      for (let c = 0; c < C; c++) {
        let sb = 0, sg = 0;
        for (let n = 0; n < dout.rows; n++) {
          for (let p = 0, o = (n * C + c) * P; p < P; p++) {
            sb += D[o + p]!;
            sg += D[o + p]! * Xh[o + p]!;
          }
        }
        dbeta.data[c] = sb;
        dgamma.data[c] = sg;
        const k = gamma.data[c]! / Math.sqrt(variance.data[c]! + eps) / M;
        for (let n = 0; n < dout.rows; n++) {
          for (let p = 0, o = (n * C + c) * P; p < P; p++) O[o + p] = k * (M * D[o + p]! - sb - Xh[o + p]! * sg);
        }
      }
    },

    multiply(a, b, out) {
      const A = a.data, B = b.data, O = out.data;
      for (let i = 0; i < A.length; i++) O[i] = A[i]! * B[i]!;
    },

    gatherRows(source, cols, indices, scale, out) {
      const O = out.data;
      for (let r = 0; r < indices.length; r++) {
        const s = indices[r]! * cols, o = r * cols;
        for (let c = 0; c < cols; c++) O[o + c] = source[s + c]! * scale;
      }
    },
  };
}

/**
 * The walk im2col and col2im share: every entry of the column matrix in order,
 * `visit(o, i)` with `o` its index in the column matrix and `i` the index of the
 * input value it holds, or -1 where the window lies on the zero padding.
 */
function forEachWindowEntry(g: WindowGeometry, images: number, visit: (o: number, i: number) => void): void {
  const { channels: C, height: H, width: W, kernel: K, stride: S, pad: P, outHeight: OH, outWidth: OW } = g;
  const chw = C * H * W, ckk = C * K * K;
  for (let n = 0; n < images; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let o = ((n * OH + oy) * OW + ox) * ckk;
        for (let c = 0; c < C; c++) {
          for (let ky = 0; ky < K; ky++) {
            const iy = oy * S + ky - P;
            for (let kx = 0; kx < K; kx++, o++) {
              const ix = ox * S + kx - P;
              visit(o, iy >= 0 && iy < H && ix >= 0 && ix < W ? n * chw + (c * H + iy) * W + ix : -1);
            }
          }
        }
      }
    }
  }
}

/**
 * A backend's convolution, pooling, BatchNorm and Dropout kernels taken from `ref`
 * (the reference on float32 views works on any memory): what a fast backend uses
 * for the kernels it has no faster version of yet.
 */
export function referenceConvOps(ref: Ops): ConvOps {
  return {
    im2col: (x, g, col) => ref.im2col(x, g, col),
    col2im: (dcol, g, dx) => ref.col2im(dcol, g, dx),
    rowsToChannels: (rows, bias, out) => ref.rowsToChannels(rows, bias, out),
    channelsToRows: (x, rows) => ref.channelsToRows(x, rows),
    allocIndices: (length) => ref.allocIndices(length),
    freeIndices: (a) => ref.freeIndices(a),
    maxPoolForward: (x, g, out, argmax) => ref.maxPoolForward(x, g, out, argmax),
    maxPoolBackward: (dout, argmax, dx) => ref.maxPoolBackward(dout, argmax, dx),
    channelMeanVariance: (x, channels, mean, variance) => ref.channelMeanVariance(x, channels, mean, variance),
    batchNormForward: (x, channels, mean, variance, eps, gamma, beta, xhat, out) =>
      ref.batchNormForward(x, channels, mean, variance, eps, gamma, beta, xhat, out),
    batchNormBackward: (dout, xhat, channels, variance, eps, gamma, dx, dgamma, dbeta) =>
      ref.batchNormBackward(dout, xhat, channels, variance, eps, gamma, dx, dgamma, dbeta),
    multiply: (a, b, out) => ref.multiply(a, b, out),
  };
}
