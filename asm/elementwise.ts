// Elementwise kernels over whole matrices: bias add, column sums, activations and their
// backward passes. Each takes (tid, nthreads) and works on its own share; shares are
// whole multiples of 16 floats (one cache line) so threads never write the same line.

import { exp4, sigmoid4, tanh4 } from './vmath';

/** Start of thread `tid`'s share of n items, in steps of `unit`. */
// @ts-ignore: decorator
@inline export function shareStart(n: i32, unit: i32, tid: i32, nthreads: i32): i32 {
  if (nthreads <= 1) return tid == 0 ? 0 : n;
  const units = (n + unit - 1) / unit;
  return min(n, <i32>((<i64>units * tid) / nthreads) * unit);
}

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Lanes [0, m) of a partial last vector, through a 16-byte buffer (no out-of-range access). */
// @ts-ignore: decorator
@inline function loadPartial(p: usize, m: i32, buf: usize): v128 {
  v128.store(buf, f32x4.splat(0));
  memory.copy(buf, p, <usize>m << 2);
  return v128.load(buf);
}
// @ts-ignore: decorator
@inline function storePartial(p: usize, v: v128, m: i32, buf: usize): void {
  v128.store(buf, v);
  memory.copy(p, buf, <usize>m << 2);
}

/** x[r, c] += bias[c]; rows split between threads. */
export function addRow(x: usize, rows: i32, cols: i32, bias: usize, buf: usize, tid: i32, nthreads: i32): void {
  const r0 = shareStart(rows, 1, tid, nthreads), r1 = shareStart(rows, 1, tid + 1, nthreads);
  const full = cols & ~3;
  for (let r = r0; r < r1; r++) {
    const row = x + (<usize>r * <usize>cols << 2);
    let c = 0;
    for (; c < full; c += 4) v128.store(at(row, c), f32x4.add(v128.load(at(row, c)), v128.load(at(bias, c))));
    for (; c < cols; c++) store<f32>(at(row, c), load<f32>(at(row, c)) + load<f32>(at(bias, c)));
  }
}

/**
 * out[c] = Σ_r x[r, c], rows added in ascending order (the reference's order, so the
 * result is bit-identical to it). Rows are walked one after another (sequential reads,
 * the running sums stay in L1); columns are split between threads in 16-column strips.
 */
export function sumRows(x: usize, rows: i32, cols: i32, out: usize, tid: i32, nthreads: i32): void {
  const c0 = shareStart(cols, 16, tid, nthreads), c1 = shareStart(cols, 16, tid + 1, nthreads);
  if (c1 <= c0) return;
  memory.fill(at(out, c0), 0, <usize>(c1 - c0) << 2);
  const full = c0 + ((c1 - c0) & ~3);
  let row = x;
  const ld = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    let c = c0;
    for (; c < full; c += 4) v128.store(at(out, c), f32x4.add(v128.load(at(out, c)), v128.load(at(row, c))));
    for (; c < c1; c++) store<f32>(at(out, c), load<f32>(at(out, c)) + load<f32>(at(row, c)));
    row += ld;
  }
}

// Unary maps y = f(x) and backward maps dx = g(y, dout), n floats each.
export const ACT_RELU: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;

// @ts-ignore: decorator
@inline function forward4(kind: i32, x: v128): v128 {
  if (kind == ACT_RELU) return f32x4.pmax(f32x4.splat(0), x); // x > 0 ? x : 0, NaN -> 0 like the reference
  if (kind == ACT_SIGMOID) return sigmoid4(x);
  return tanh4(x);
}

// @ts-ignore: decorator
@inline function backward4(kind: i32, y: v128, d: v128): v128 {
  if (kind == ACT_RELU) return v128.and(d, f32x4.gt(y, f32x4.splat(0)));
  if (kind == ACT_SIGMOID) return f32x4.mul(f32x4.mul(d, y), f32x4.sub(f32x4.splat(1), y));
  // 1 - y² as (1-y)(1+y): exact where y is near ±1, where y·y rounded first would cancel to noise.
  const one = f32x4.splat(1);
  return f32x4.mul(d, f32x4.mul(f32x4.sub(one, y), f32x4.add(one, y)));
}

export function activationForward(kind: i32, x: usize, out: usize, n: i32, buf: usize, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 16, tid, nthreads), i1 = shareStart(n, 16, tid + 1, nthreads);
  let i = i0;
  if (kind == ACT_RELU) {
    for (; i + 4 <= i1; i += 4) v128.store(at(out, i), forward4(ACT_RELU, v128.load(at(x, i))));
  } else if (kind == ACT_SIGMOID) {
    for (; i + 4 <= i1; i += 4) v128.store(at(out, i), forward4(ACT_SIGMOID, v128.load(at(x, i))));
  } else {
    for (; i + 4 <= i1; i += 4) v128.store(at(out, i), forward4(ACT_TANH, v128.load(at(x, i))));
  }
  if (i < i1) storePartial(at(out, i), forward4(kind, loadPartial(at(x, i), i1 - i, buf)), i1 - i, buf);
}

export function activationBackward(kind: i32, y: usize, dout: usize, dx: usize, n: i32, buf: usize, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 16, tid, nthreads), i1 = shareStart(n, 16, tid + 1, nthreads);
  let i = i0;
  if (kind == ACT_RELU) {
    for (; i + 4 <= i1; i += 4) v128.store(at(dx, i), backward4(ACT_RELU, v128.load(at(y, i)), v128.load(at(dout, i))));
  } else if (kind == ACT_SIGMOID) {
    for (; i + 4 <= i1; i += 4) v128.store(at(dx, i), backward4(ACT_SIGMOID, v128.load(at(y, i)), v128.load(at(dout, i))));
  } else {
    for (; i + 4 <= i1; i += 4) v128.store(at(dx, i), backward4(ACT_TANH, v128.load(at(y, i)), v128.load(at(dout, i))));
  }
  if (i < i1) {
    const m = i1 - i;
    const yv = loadPartial(at(y, i), m, buf);
    const dv = loadPartial(at(dout, i), m, buf);
    storePartial(at(dx, i), backward4(kind, yv, dv), m, buf);
  }
}

/** e^x for n floats (exposed for tests of the approximation itself). */
export function expArray(x: usize, out: usize, n: i32, buf: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), exp4(v128.load(at(x, i))));
  if (i < n) storePartial(at(out, i), exp4(loadPartial(at(x, i), n - i, buf)), n - i, buf);
}
