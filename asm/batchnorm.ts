// Batch normalization per channel (x is N x C·P: P = 1 after Affine, H·W after
// Convolution) and the elementwise product Dropout uses. Statistics and the normalized
// values are computed in double precision in the reference's order, so results equal
// the TypeScript reference bit for bit; threads split the channels [c0, c1).

import { shareStart } from './elementwise';

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** mean[c] and biased variance[c] over the N·P values of each channel c in [c0, c1). */
export function channelMeanVariance(x: usize, N: i32, C: i32, P: i32, mean: usize, variance: usize, c0: i32, c1: i32): void {
  const M = <f64>N * <f64>P;
  for (let c = c0; c < c1; c++) {
    let sum: f64 = 0;
    for (let n = 0; n < N; n++) {
      const o = (n * C + c) * P;
      for (let p = 0; p < P; p++) sum += <f64>load<f32>(at(x, o + p));
    }
    const mu = sum / M;
    let sq: f64 = 0;
    for (let n = 0; n < N; n++) {
      const o = (n * C + c) * P;
      for (let p = 0; p < P; p++) {
        const d = <f64>load<f32>(at(x, o + p)) - mu;
        sq += d * d;
      }
    }
    store<f32>(at(mean, c), <f32>mu);
    store<f32>(at(variance, c), <f32>(sq / M));
  }
}

/** xhat = (x - mean[c]) / √(variance[c] + eps); out = gamma[c]·xhat + beta[c], in double, rounded once. */
export function batchNormForward(
  x: usize, N: i32, C: i32, P: i32, mean: usize, variance: usize, eps: f64,
  gamma: usize, beta: usize, xhat: usize, out: usize, c0: i32, c1: i32,
): void {
  for (let c = c0; c < c1; c++) {
    const mu = <f64>load<f32>(at(mean, c));
    const inv = 1 / Math.sqrt(<f64>load<f32>(at(variance, c)) + eps);
    const g = <f64>load<f32>(at(gamma, c)), b = <f64>load<f32>(at(beta, c));
    const muv = f64x2.splat(mu), invv = f64x2.splat(inv), gv = f64x2.splat(g), bv = f64x2.splat(b);
    for (let n = 0; n < N; n++) {
      const o = (n * C + c) * P;
      let p = 0;
      for (; p + 4 <= P; p += 4) {
        const v = v128.load(at(x, o + p));
        const h0 = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), muv), invv);
        const h1 = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), muv), invv);
        v128.store(at(xhat, o + p), v128.shuffle<f64>(f32x4.demote_f64x2_zero(h0), f32x4.demote_f64x2_zero(h1), 0, 2));
        const y0 = f64x2.add(f64x2.mul(gv, h0), bv), y1 = f64x2.add(f64x2.mul(gv, h1), bv);
        v128.store(at(out, o + p), v128.shuffle<f64>(f32x4.demote_f64x2_zero(y0), f32x4.demote_f64x2_zero(y1), 0, 2));
      }
      for (; p < P; p++) {
        const h = (<f64>load<f32>(at(x, o + p)) - mu) * inv;
        store<f32>(at(xhat, o + p), <f32>h);
        store<f32>(at(out, o + p), <f32>(g * h + b));
      }
    }
  }
}

/**
 * Backward of a batch-statistics forward, M = N·P per channel:
 * dbeta[c] = Σ dout; dgamma[c] = Σ dout·xhat; dx = gamma/√(var + eps)/M · (M·dout - dbeta - xhat·dgamma).
 */
export function batchNormBackward(
  dout: usize, xhat: usize, N: i32, C: i32, P: i32, variance: usize, eps: f64, gamma: usize,
  dx: usize, dgamma: usize, dbeta: usize, c0: i32, c1: i32,
): void {
  const M = <f64>N * <f64>P;
  for (let c = c0; c < c1; c++) {
    let sb: f64 = 0, sg: f64 = 0;
    for (let n = 0; n < N; n++) {
      const o = (n * C + c) * P;
      for (let p = 0; p < P; p++) {
        const d = <f64>load<f32>(at(dout, o + p));
        sb += d;
        sg += d * <f64>load<f32>(at(xhat, o + p));
      }
    }
    store<f32>(at(dbeta, c), <f32>sb);
    store<f32>(at(dgamma, c), <f32>sg);
    const k = <f64>load<f32>(at(gamma, c)) / Math.sqrt(<f64>load<f32>(at(variance, c)) + eps) / M;
    const kv = f64x2.splat(k), mv = f64x2.splat(M), sbv = f64x2.splat(sb), sgv = f64x2.splat(sg);
    for (let n = 0; n < N; n++) {
      const o = (n * C + c) * P;
      let p = 0;
      for (; p + 4 <= P; p += 4) {
        const d = v128.load(at(dout, o + p)), h = v128.load(at(xhat, o + p));
        const d1 = v128.shuffle<f32>(d, d, 2, 3, 0, 1), hh1 = v128.shuffle<f32>(h, h, 2, 3, 0, 1);
        const r0 = f64x2.mul(kv, f64x2.sub(f64x2.sub(f64x2.mul(mv, f64x2.promote_low_f32x4(d)), sbv), f64x2.mul(f64x2.promote_low_f32x4(h), sgv)));
        const r1 = f64x2.mul(kv, f64x2.sub(f64x2.sub(f64x2.mul(mv, f64x2.promote_low_f32x4(d1)), sbv), f64x2.mul(f64x2.promote_low_f32x4(hh1), sgv)));
        v128.store(at(dx, o + p), v128.shuffle<f64>(f32x4.demote_f64x2_zero(r0), f32x4.demote_f64x2_zero(r1), 0, 2));
      }
      for (; p < P; p++) {
        const d = <f64>load<f32>(at(dout, o + p)), h = <f64>load<f32>(at(xhat, o + p));
        store<f32>(at(dx, o + p), <f32>(k * (M * d - sb - h * sg)));
      }
    }
  }
}

/** out = a ⊙ b over n floats; threads take cache-line-aligned shares. */
export function multiply(a: usize, b: usize, out: usize, n: i32, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 16, tid, nthreads), i1 = shareStart(n, 16, tid + 1, nthreads);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(at(out, i), f32x4.mul(v128.load(at(a, i)), v128.load(at(b, i))));
  for (; i < i1; i++) store<f32>(at(out, i), load<f32>(at(a, i)) * load<f32>(at(b, i)));
}
