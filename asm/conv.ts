// Convolution as the book writes it (ch. 7): im2col lays every window of the input out
// as one row, so the layer is one matrix product (asm/gemm.ts); col2im is its adjoint.
// Images are channels first, one sample per row of C·H·W floats. Each kernel works on
// samples [n0, n1): threads split the batch, and a sample's result never depends on
// which thread computed it (bit-identical for any thread count).

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Copy k floats (a window row) from src to dst; runs of 4 in SIMD, the rest by a last, overlapping vector. */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, k: i32): void {
  let j = 0;
  for (; j + 4 <= k; j += 4) v128.store(at(dst, j), v128.load(at(src, j)));
  if (j < k) {
    if (k >= 4) v128.store(at(dst, k - 4), v128.load(at(src, k - 4)));
    else for (; j < k; j++) store<f32>(at(dst, j), load<f32>(at(src, j)));
  }
}

/** dst[j] += src[j] for j < k (no overlapping vectors here: each element is added once). */
// @ts-ignore: decorator
@inline function addRun(dst: usize, src: usize, k: i32): void {
  let j = 0;
  for (; j + 4 <= k; j += 4) v128.store(at(dst, j), f32x4.add(v128.load(at(dst, j)), v128.load(at(src, j))));
  for (; j < k; j++) store<f32>(at(dst, j), load<f32>(at(dst, j)) + load<f32>(at(src, j)));
}

/**
 * The one walk over the windows that im2col and col2im share, so the two stay each
 * other's adjoint by construction. Row n·OH·OW + oy·OW + ox of col is the window under
 * output pixel (oy, ox) of sample n, ordered [c][ky][kx]. Forward (scatter false) copies
 * image -> col, writing 0 where the window overlaps the padding; backward (scatter true)
 * adds col -> image in window order and drops the padding. `scatter` is a constant at
 * both call sites, so after inlining each kernel keeps only its own branch.
 */
// @ts-ignore: decorator
@inline function walkWindows(
  img: usize, C: i32, H: i32, W: i32, K: i32, S: i32, P: i32, OH: i32, OW: i32,
  col: usize, n0: i32, n1: i32, scatter: bool,
): void {
  const hw = H * W, chw = C * hw, ckk = C * K * K;
  let cp = col + ((<usize>n0 * <usize>(OH * OW) * <usize>ckk) << 2);
  for (let n = n0; n < n1; n++) {
    const xs = img + ((<usize>n * <usize>chw) << 2);
    for (let oy = 0; oy < OH; oy++) {
      const iy0 = oy * S - P;
      const rowsInside = iy0 >= 0 && iy0 + K <= H;
      for (let ox = 0; ox < OW; ox++) {
        const ix0 = ox * S - P;
        if (rowsInside && ix0 >= 0 && ix0 + K <= W) {
          for (let c = 0; c < C; c++) {
            let ip = xs + ((<usize>(c * hw + iy0 * W + ix0)) << 2);
            for (let ky = 0; ky < K; ky++) {
              if (scatter) addRun(ip, cp, K);
              else copyRun(cp, ip, K);
              cp += <usize>K << 2;
              ip += <usize>W << 2;
            }
          }
        } else {
          // A window that overlaps the padding: element by element.
          for (let c = 0; c < C; c++) {
            const plane = xs + ((<usize>(c * hw)) << 2);
            for (let ky = 0; ky < K; ky++) {
              const iy = iy0 + ky;
              const inRow = iy >= 0 && iy < H;
              for (let kx = 0; kx < K; kx++) {
                const ix = ix0 + kx;
                const inside = inRow && ix >= 0 && ix < W;
                if (scatter) {
                  if (inside) {
                    const p = at(plane, iy * W + ix);
                    store<f32>(p, load<f32>(p) + load<f32>(cp));
                  }
                } else {
                  store<f32>(cp, inside ? load<f32>(at(plane, iy * W + ix)) : 0);
                }
                cp += 4;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * col (N·OH·OW x C·K·K) from x (N x C·H·W): row n·OH·OW + oy·OW + ox is the window under
 * output pixel (oy, ox), ordered [c][ky][kx]; padding reads as 0.
 */
export function im2col(
  x: usize, C: i32, H: i32, W: i32, K: i32, S: i32, P: i32, OH: i32, OW: i32,
  col: usize, n0: i32, n1: i32,
): void {
  walkWindows(x, C, H, W, K, S, P, OH, OW, col, n0, n1, false);
}

/**
 * dx (N x C·H·W) = the sum of every window's row of dcol, placed where the window sat
 * (overlaps add up in window order, as the reference adds them; padding is dropped).
 * dx is overwritten.
 */
export function col2im(
  dcol: usize, C: i32, H: i32, W: i32, K: i32, S: i32, P: i32, OH: i32, OW: i32,
  dx: usize, n0: i32, n1: i32,
): void {
  if (n1 <= n0) return;
  const chw = C * H * W;
  memory.fill(dx + ((<usize>n0 * <usize>chw) << 2), 0, (<usize>(n1 - n0) * <usize>chw) << 2);
  walkWindows(dx, C, H, W, K, S, P, OH, OW, dcol, n0, n1, true);
}

/**
 * Transpose the 4x4 block whose rows start at s (row stride ls bytes) into rows at d
 * (stride ld bytes), adding b0..b3 to the output rows when withBias (a constant at every
 * call). Adding a zero bias is not a copy (-0 + 0 is +0), so a plain reorder adds nothing.
 */
// @ts-ignore: decorator
@inline function transpose4(s: usize, ls: usize, d: usize, ld: usize, withBias: bool, b0: v128, b1: v128, b2: v128, b3: v128): void {
  const x0 = v128.load(s), x1 = v128.load(s + ls), x2 = v128.load(s + 2 * ls), x3 = v128.load(s + 3 * ls);
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  let y0 = v128.shuffle<f64>(t0, t2, 0, 2), y1 = v128.shuffle<f64>(t0, t2, 1, 3);
  let y2 = v128.shuffle<f64>(t1, t3, 0, 2), y3 = v128.shuffle<f64>(t1, t3, 1, 3);
  if (withBias) {
    y0 = f32x4.add(y0, b0);
    y1 = f32x4.add(y1, b1);
    y2 = f32x4.add(y2, b2);
    y3 = f32x4.add(y3, b3);
  }
  v128.store(d, y0);
  v128.store(d + ld, y1);
  v128.store(d + 2 * ld, y2);
  v128.store(d + 3 * ld, y3);
}

/** One sample: the P x F block at s becomes the F x P block at d, plus bias[f] when withBias (0 where bias is 0). */
// @ts-ignore: decorator
@inline function transposeBlock(s: usize, P: i32, F: i32, bias: usize, withBias: bool, d: usize): void {
  const ls = <usize>F << 2, ld = <usize>P << 2;
  const P4 = P & ~3, F4 = F & ~3;
  const zero = f32x4.splat(0);
  let f = 0;
  for (; f < F4; f += 4) {
    const b0 = bias ? f32x4.splat(load<f32>(at(bias, f))) : zero;
    const b1 = bias ? f32x4.splat(load<f32>(at(bias, f + 1))) : zero;
    const b2 = bias ? f32x4.splat(load<f32>(at(bias, f + 2))) : zero;
    const b3 = bias ? f32x4.splat(load<f32>(at(bias, f + 3))) : zero;
    let p = 0;
    for (; p < P4; p += 4) {
      transpose4(s + <usize>p * ls + (<usize>f << 2), ls, d + <usize>f * ld + (<usize>p << 2), ld, withBias, b0, b1, b2, b3);
    }
    for (; p < P; p++) {
      for (let j = 0; j < 4; j++) {
        const v = load<f32>(s + <usize>p * ls + (<usize>(f + j) << 2));
        store<f32>(d + <usize>(f + j) * ld + (<usize>p << 2), withBias ? v + (bias ? load<f32>(at(bias, f + j)) : 0) : v);
      }
    }
  }
  for (; f < F; f++) {
    const row = d + <usize>f * ld;
    const b: f32 = bias ? load<f32>(at(bias, f)) : 0;
    for (let p = 0; p < P; p++) {
      const v = load<f32>(s + <usize>p * ls + (<usize>f << 2));
      store<f32>(at(row, p), withBias ? v + b : v);
    }
  }
}

/**
 * Per sample, the P x F block of `src` becomes the F x P block of `dst` (a transpose),
 * plus bias[f] when `add` (a bias pointer of 0 adds zeros, as the reference does): the
 * product's one-row-per-pixel layout to channels first and, with add 0 and F, P swapped,
 * back again.
 */
export function transposeSamples(src: usize, P: i32, F: i32, bias: usize, add: i32, dst: usize, n0: i32, n1: i32): void {
  const block = <usize>(P * F) << 2;
  for (let n = n0; n < n1; n++) {
    const s = src + <usize>n * block, d = dst + <usize>n * block;
    if (add) transposeBlock(s, P, F, bias, true, d);
    else transposeBlock(s, P, F, 0, false, d);
  }
}
