import { Matrix, type FloatArray } from '../matrix.js';
import type { Ops } from './types.js';

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
    adagradUpdate(w, g, h, lr) {
      for (let i = 0; i < w.length; i++) {
        h[i] += g[i]! * g[i]!;
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

    gatherRows(source, cols, indices, scale, out) {
      const O = out.data;
      for (let r = 0; r < indices.length; r++) {
        const s = indices[r]! * cols, o = r * cols;
        for (let c = 0; c < cols; c++) O[o + c] = source[s + c]! * scale;
      }
    },
  };
}
