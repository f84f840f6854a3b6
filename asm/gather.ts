// Batch gathering: rows of a data set (bytes or floats) into a float32 matrix, times a
// scale. The product is formed in double precision and rounded once, exactly as the
// TypeScript reference does, so both backends see bit-identical batches.

import { shareStart } from './elementwise';

/** 16 bytes -> 16 floats (u · scale, rounded once), stored at out (float64 products, exactly the reference). */
// @ts-ignore: decorator
@inline function convert16(src: usize, out: usize, scale: v128): void {
  const v = v128.load(src);
  const lo = i16x8.extend_low_i8x16_u(v), hi = i16x8.extend_high_i8x16_u(v);
  convert8(lo, out, scale);
  convert8(hi, out + 32, scale);
}

// @ts-ignore: decorator
@inline function convert8(v16: v128, out: usize, scale: v128): void {
  const a = i32x4.extend_low_i16x8_u(v16), b = i32x4.extend_high_i16x8_u(v16);
  convert4i(a, out, scale);
  convert4i(b, out + 16, scale);
}

// @ts-ignore: decorator
@inline function convert4i(i4: v128, out: usize, scale: v128): void {
  const d0 = f64x2.mul(f64x2.convert_low_i32x4_u(i4), scale);
  const d1 = f64x2.mul(f64x2.convert_low_i32x4_u(v128.shuffle<i32>(i4, i4, 2, 3, 0, 1)), scale);
  v128.store(out, v128.shuffle<f64>(f32x4.demote_f64x2_zero(d0), f32x4.demote_f64x2_zero(d1), 0, 2));
}

/**
 * 16 bytes -> 16 floats in float32: u / divisor (correctly rounded; for 1/scale a whole
 * number this equals the reference's rounding of u·scale for every byte, checked by the
 * caller), or u · scale in float32 (within 1 ulp of the reference).
 */
// @ts-ignore: decorator
@inline function convert16f(src: usize, out: usize, k: v128, divide: bool): void {
  const v = v128.load(src);
  const lo = i16x8.extend_low_i8x16_u(v), hi = i16x8.extend_high_i8x16_u(v);
  const a = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo));
  const b = f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo));
  const c = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi));
  const d = f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi));
  if (divide) {
    v128.store(out, f32x4.div(a, k));
    v128.store(out, f32x4.div(b, k), 16);
    v128.store(out, f32x4.div(c, k), 32);
    v128.store(out, f32x4.div(d, k), 48);
  } else {
    v128.store(out, f32x4.mul(a, k));
    v128.store(out, f32x4.mul(b, k), 16);
    v128.store(out, f32x4.mul(c, k), 32);
    v128.store(out, f32x4.mul(d, k), 48);
  }
}

/** n bytes at src -> n floats at out. mode 0: float64 products; 1: float32 division by `divisor`; 2: float32 products. */
function convertRowU8(src: usize, n: i32, scale: v128, scalar: f64, mode: i32, out: usize): void {
  let c = 0;
  if (mode == 1) {
    const k = f32x4.splat(<f32>(1 / scalar));
    for (; c + 16 <= n; c += 16) convert16f(src + <usize>c, out + (<usize>c << 2), k, true);
  } else if (mode == 2) {
    const k = f32x4.splat(<f32>scalar);
    for (; c + 16 <= n; c += 16) convert16f(src + <usize>c, out + (<usize>c << 2), k, false);
  } else {
    for (; c + 16 <= n; c += 16) convert16(src + <usize>c, out + (<usize>c << 2), scale);
  }
  for (; c < n; c++) store<f32>(out + (<usize>c << 2), <f32>(<f64>load<u8>(src + <usize>c) * scalar));
}

function convertRowF32(src: usize, n: i32, scale: v128, scalar: f64, out: usize): void {
  let c = 0;
  if (scalar == 1) {
    memory.copy(out, src, <usize>n << 2);
    return;
  }
  for (; c + 4 <= n; c += 4) {
    const v = v128.load(src + (<usize>c << 2));
    const d0 = f64x2.mul(f64x2.promote_low_f32x4(v), scale);
    const d1 = f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)), scale);
    v128.store(out + (<usize>c << 2), v128.shuffle<f64>(f32x4.demote_f64x2_zero(d0), f32x4.demote_f64x2_zero(d1), 0, 2));
  }
  for (; c < n; c++) store<f32>(out + (<usize>c << 2), <f32>(<f64>load<f32>(src + (<usize>c << 2)) * scalar));
}

/**
 * out[r, :] = source[indices[r], :] · scale for r in [0, count). `bytes`: 0 float32
 * source rows; 1, 3, 5 uint8 rows converted in float64 (1), by float32 division by
 * 1/scale (3), by float32 products (5). Rows split between threads.
 */
export function gatherRows(source: usize, bytes: i32, cols: i32, indices: usize, count: i32, scale: f64, out: usize, tid: i32, nthreads: i32): void {
  const mode = bytes >> 1;
  const r0 = shareStart(count, 1, tid, nthreads), r1 = shareStart(count, 1, tid + 1, nthreads);
  const s = f64x2.splat(scale);
  const rowOut = <usize>cols << 2;
  for (let r = r0; r < r1; r++) {
    const idx = <usize>load<i32>(indices + (<usize>r << 2));
    const dst = out + <usize>r * rowOut;
    if (bytes) convertRowU8(source + idx * <usize>cols, cols, s, scale, mode, dst);
    else convertRowF32(source + idx * rowOut, cols, s, scale, dst);
  }
}

/** Rows already copied contiguously (count x cols) into `staged`: convert them all. */
export function convertRows(staged: usize, bytes: i32, n: i32, scale: f64, out: usize, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 64, tid, nthreads), i1 = shareStart(n, 64, tid + 1, nthreads);
  const s = f64x2.splat(scale);
  if (bytes) convertRowU8(staged + <usize>i0, i1 - i0, s, scale, bytes >> 1, out + (<usize>i0 << 2));
  else convertRowF32(staged + (<usize>i0 << 2), i1 - i0, s, scale, out + (<usize>i0 << 2));
}
