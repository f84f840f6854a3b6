// Single-precision matrix product C = op(A)·op(B) (+ C), blocked for cache and registers.
//
// The classic packed scheme (Goto / BLIS): for each block of columns (NC) and of the
// shared dimension (KC), B is copied once into panels of NR = 8 columns laid out k-major,
// and for each block of rows (MC) A is copied into panels of MR = 4 rows, also k-major.
// The micro-kernel then reads both panels strictly sequentially and keeps a 4x8 tile
// of C in eight SIMD registers. Packing is also what makes the transposed products
// (xᵀ·dout, dout·Wᵀ) as fast as the plain one: the transpose happens while copying.
//
// Why 4x8: V8 has 15 usable XMM registers; 8 accumulators + 2 B vectors + 4 broadcast
// A values fit, a 6x8 tile spills (measured). The k loop is deliberately not unrolled:
// TurboFan hoists all loads of an unrolled body to the top and runs out of registers.
//
// Determinism: every element of C is summed in the same order (k blocks of a size that
// depends only on K, k ascending inside a block) whatever the thread partition, so the
// result is bit-identical for any thread count on a given machine.

import { madd, zipLo, zipHi, lo64, hi64 } from './simd';

export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 64;
export const NC: i32 = 512;

/** Bytes of scratch one thread needs: packed B (KC x NC), packed A (MC x KC), one tile. */
export const GEMM_SCRATCH_BYTES: i32 = (KC * NC + MC * KC + MR * NR) * 4;

/** Size of each k block: as even as possible, a function of K alone (see "Determinism"). */
// @ts-ignore: decorator
@inline function kBlock(K: i32): i32 {
  const blocks = (K + KC - 1) / KC;
  return (K + blocks - 1) / blocks;
}

// ---------------------------------------------------------------------------------------
// Packing

/**
 * Copy rows [i0, i0+mc) x cols [pc, pc+kc) of op(A) into MR-row panels, k-major:
 * panel p holds, for each k, the MR values op(A)[i0+p*MR+r][pc+k]; missing rows are 0.
 */
function packA(a: usize, lda: i32, transA: bool, i0: i32, mc: i32, pc: i32, kc: i32, out: usize): void {
  const ld4 = <usize>lda << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const h = min(MR, mc - ir);
    const i = i0 + ir;
    if (transA) {
      // op(A)[i][k] = A[k][i]: the MR values of one k are contiguous in A.
      let src = a + ((<usize>pc * <usize>lda + <usize>i) << 2);
      if (h == MR) {
        for (let k = 0; k < kc; k++) {
          v128.store(out, v128.load(src));
          src += ld4;
          out += 16;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let r = 0; r < MR; r++) store<f32>(out + (<usize>r << 2), r < h ? load<f32>(src + (<usize>r << 2)) : 0);
          src += ld4;
          out += 16;
        }
      }
    } else {
      // op(A)[i][k] = A[i][k]: transpose 4x4 blocks of four rows on the fly.
      const r0 = a + ((<usize>i * <usize>lda + <usize>pc) << 2);
      if (h == MR) {
        const r1 = r0 + ld4, r2 = r1 + ld4, r3 = r2 + ld4;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const o = <usize>k << 2;
          const x0 = v128.load(r0 + o), x1 = v128.load(r1 + o), x2 = v128.load(r2 + o), x3 = v128.load(r3 + o);
          const t0 = zipLo(x0, x1), t1 = zipHi(x0, x1), t2 = zipLo(x2, x3), t3 = zipHi(x2, x3);
          v128.store(out, lo64(t0, t2));
          v128.store(out, hi64(t0, t2), 16);
          v128.store(out, lo64(t1, t3), 32);
          v128.store(out, hi64(t1, t3), 48);
          out += 64;
        }
        for (; k < kc; k++) {
          const o = <usize>k << 2;
          store<f32>(out, load<f32>(r0 + o));
          store<f32>(out, load<f32>(r1 + o), 4);
          store<f32>(out, load<f32>(r2 + o), 8);
          store<f32>(out, load<f32>(r3 + o), 12);
          out += 16;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const o = <usize>k << 2;
          for (let r = 0; r < MR; r++) {
            store<f32>(out + (<usize>r << 2), r < h ? load<f32>(r0 + <usize>r * ld4 + o) : 0);
          }
          out += 16;
        }
      }
    }
  }
}

/**
 * Copy rows [pc, pc+kc) x cols [j0, j0+nc) of op(B) into panels, k-major. Panels are
 * NR = 8 wide; the last one is 4 wide when at most 4 columns remain (less wasted work
 * on the narrow outputs of small layers), otherwise 8 wide. Missing columns are 0.
 */
function packB(b: usize, ldb: i32, transB: bool, pc: i32, kc: i32, j0: i32, nc: i32, out: usize): void {
  const ld4 = <usize>ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const w = min(NR, nc - jr);
    const pw = w > 4 ? NR : 4;
    const j = j0 + jr;
    if (!transB) {
      // op(B)[k][j] = B[k][j]: a panel row is a contiguous run of B's row k.
      let src = b + ((<usize>pc * <usize>ldb + <usize>j) << 2);
      if (w == 8) {
        for (let k = 0; k < kc; k++) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
          src += ld4;
          out += 32;
        }
      } else if (w == 4) {
        for (let k = 0; k < kc; k++) {
          v128.store(out, v128.load(src));
          src += ld4;
          out += 16;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < pw; c++) store<f32>(out + (<usize>c << 2), c < w ? load<f32>(src + (<usize>c << 2)) : 0);
          src += ld4;
          out += <usize>pw << 2;
        }
      }
    } else {
      // op(B)[k][j] = B[j][k]: columns of the panel are rows of B; transpose 4x4 blocks.
      const s0 = b + ((<usize>j * <usize>ldb + <usize>pc) << 2);
      if (w == 8 || w == 4) {
        const groups = w >> 2;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const o = <usize>k << 2;
          for (let g = 0; g < groups; g++) {
            const r0 = s0 + <usize>(g * 4) * ld4 + o;
            const x0 = v128.load(r0), x1 = v128.load(r0 + ld4), x2 = v128.load(r0 + 2 * ld4), x3 = v128.load(r0 + 3 * ld4);
            const t0 = zipLo(x0, x1), t1 = zipHi(x0, x1), t2 = zipLo(x2, x3), t3 = zipHi(x2, x3);
            const base = out + (<usize>g << 4);
            const step = <usize>pw << 2;
            v128.store(base, lo64(t0, t2));
            v128.store(base + step, hi64(t0, t2));
            v128.store(base + 2 * step, lo64(t1, t3));
            v128.store(base + 3 * step, hi64(t1, t3));
          }
          out += <usize>pw << 4;
        }
        for (; k < kc; k++) {
          const o = <usize>k << 2;
          for (let c = 0; c < w; c++) store<f32>(out + (<usize>c << 2), load<f32>(s0 + <usize>c * ld4 + o));
          out += <usize>pw << 2;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const o = <usize>k << 2;
          for (let c = 0; c < pw; c++) {
            store<f32>(out + (<usize>c << 2), c < w ? load<f32>(s0 + <usize>c * ld4 + o) : 0);
          }
          out += <usize>pw << 2;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Micro-kernels: a full MR x 8 (or MR x 4) tile from packed panels.

/**
 * Write a finished tile. Full tiles go straight to C; edge tiles (h < 4 rows or w < 8
 * columns valid) go through `tile` so nothing outside the output is read or written.
 * `overwrite` is true for the first k block of a product that does not accumulate.
 */
// @ts-ignore: decorator
@inline function storeRow8(c: usize, v0: v128, v1: v128, overwrite: bool): void {
  if (overwrite) {
    v128.store(c, v0);
    v128.store(c, v1, 16);
  } else {
    v128.store(c, f32x4.add(v128.load(c), v0));
    v128.store(c, f32x4.add(v128.load(c, 16), v1), 16);
  }
}

function flushTile(tile: usize, tw: i32, c: usize, ldc4: usize, h: i32, w: i32, overwrite: bool): void {
  for (let r = 0; r < h; r++) {
    const src = tile + (<usize>(r * tw) << 2);
    const dst = c + <usize>r * ldc4;
    for (let j = 0; j < w; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(src + o);
      store<f32>(dst + o, overwrite ? v : load<f32>(dst + o) + v);
    }
  }
}

function kernel4x8(pa: usize, pb: usize, kc: i32, c: usize, ldc4: usize, h: i32, w: i32, overwrite: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + (<usize>kc << 5);
  while (pb < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (h == 4 && w == 8) {
    storeRow8(c, c00, c01, overwrite);
    storeRow8(c + ldc4, c10, c11, overwrite);
    storeRow8(c + 2 * ldc4, c20, c21, overwrite);
    storeRow8(c + 3 * ldc4, c30, c31, overwrite);
  } else {
    v128.store(tile, c00);
    v128.store(tile, c01, 16);
    v128.store(tile, c10, 32);
    v128.store(tile, c11, 48);
    v128.store(tile, c20, 64);
    v128.store(tile, c21, 80);
    v128.store(tile, c30, 96);
    v128.store(tile, c31, 112);
    flushTile(tile, 8, c, ldc4, h, w, overwrite);
  }
}

/*
 * The narrow kernels below would be latency-bound with one accumulator per output
 * vector: a multiply-add takes 4 cycles before the next one on the same accumulator can
 * start, and two can start per cycle, so 8 must be in flight. They therefore keep
 * separate accumulators for consecutive k and add them at the end. The order of the
 * sum differs from the 4x8 kernel's, but these kernels always serve the same columns
 * (the last N mod 8, whatever the thread partition), so results stay deterministic.
 */

/** A 4x4 tile (the last 4 columns): k unrolled by 2 into two sets of accumulators. */
function kernel4x4(pa: usize, pb: usize, kc: i32, c: usize, ldc4: usize, h: i32, w: i32, overwrite: bool, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let d0 = f32x4.splat(0), d1 = f32x4.splat(0), d2 = f32x4.splat(0), d3 = f32x4.splat(0);
  const end2 = pb + (<usize>(kc & ~1) << 4);
  const end = pb + (<usize>kc << 4);
  while (pb < end2) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    c0 = madd(v128.load32_splat(pa), b0, c0);
    c1 = madd(v128.load32_splat(pa, 4), b0, c1);
    c2 = madd(v128.load32_splat(pa, 8), b0, c2);
    c3 = madd(v128.load32_splat(pa, 12), b0, c3);
    d0 = madd(v128.load32_splat(pa, 16), b1, d0);
    d1 = madd(v128.load32_splat(pa, 20), b1, d1);
    d2 = madd(v128.load32_splat(pa, 24), b1, d2);
    d3 = madd(v128.load32_splat(pa, 28), b1, d3);
    pa += 32;
    pb += 32;
  }
  if (pb < end) {
    const b0 = v128.load(pb);
    c0 = madd(v128.load32_splat(pa), b0, c0);
    c1 = madd(v128.load32_splat(pa, 4), b0, c1);
    c2 = madd(v128.load32_splat(pa, 8), b0, c2);
    c3 = madd(v128.load32_splat(pa, 12), b0, c3);
  }
  c0 = f32x4.add(c0, d0);
  c1 = f32x4.add(c1, d1);
  c2 = f32x4.add(c2, d2);
  c3 = f32x4.add(c3, d3);
  if (h == 4 && w == 4) {
    if (overwrite) {
      v128.store(c, c0);
      v128.store(c + ldc4, c1);
      v128.store(c + 2 * ldc4, c2);
      v128.store(c + 3 * ldc4, c3);
    } else {
      v128.store(c, f32x4.add(v128.load(c), c0));
      v128.store(c + ldc4, f32x4.add(v128.load(c + ldc4), c1));
      v128.store(c + 2 * ldc4, f32x4.add(v128.load(c + 2 * ldc4), c2));
      v128.store(c + 3 * ldc4, f32x4.add(v128.load(c + 3 * ldc4), c3));
    }
  } else {
    v128.store(tile, c0);
    v128.store(tile, c1, 16);
    v128.store(tile, c2, 32);
    v128.store(tile, c3, 48);
    flushTile(tile, 4, c, ldc4, h, w, overwrite);
  }
}

/**
 * The last 1 to 3 columns: a 4x4 tile would spend four A broadcasts per k on one or
 * two useful columns. Instead the four rows of A at k (one vector of the packed panel)
 * are multiplied by each column's B value broadcast. Accumulator j holds column j for
 * rows 0..3 (k unrolled by 4, or by 2 for three columns, as explained above).
 */
function kernelColumns(pa: usize, pb: usize, kc: i32, c: usize, ldc4: usize, h: i32, w: i32, overwrite: bool, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  const end = pa + (<usize>kc << 4);
  if (w <= 2) {
    let e0 = f32x4.splat(0), e1 = f32x4.splat(0), f0 = f32x4.splat(0), f1 = f32x4.splat(0), g0 = f32x4.splat(0), g1 = f32x4.splat(0);
    const end4 = pa + (<usize>(kc & ~3) << 4);
    while (pa < end4) {
      const a0 = v128.load(pa), a1 = v128.load(pa, 16), a2 = v128.load(pa, 32), a3 = v128.load(pa, 48);
      c0 = madd(a0, v128.load32_splat(pb), c0);
      c1 = madd(a0, v128.load32_splat(pb, 4), c1);
      e0 = madd(a1, v128.load32_splat(pb, 16), e0);
      e1 = madd(a1, v128.load32_splat(pb, 20), e1);
      f0 = madd(a2, v128.load32_splat(pb, 32), f0);
      f1 = madd(a2, v128.load32_splat(pb, 36), f1);
      g0 = madd(a3, v128.load32_splat(pb, 48), g0);
      g1 = madd(a3, v128.load32_splat(pb, 52), g1);
      pa += 64;
      pb += 64;
    }
    while (pa < end) {
      const a = v128.load(pa);
      c0 = madd(a, v128.load32_splat(pb), c0);
      c1 = madd(a, v128.load32_splat(pb, 4), c1);
      pa += 16;
      pb += 16;
    }
    c0 = f32x4.add(f32x4.add(c0, e0), f32x4.add(f0, g0));
    c1 = f32x4.add(f32x4.add(c1, e1), f32x4.add(f1, g1));
  } else {
    let e0 = f32x4.splat(0), e1 = f32x4.splat(0), e2 = f32x4.splat(0);
    const end2 = pa + (<usize>(kc & ~1) << 4);
    while (pa < end2) {
      const a0 = v128.load(pa), a1 = v128.load(pa, 16);
      c0 = madd(a0, v128.load32_splat(pb), c0);
      c1 = madd(a0, v128.load32_splat(pb, 4), c1);
      c2 = madd(a0, v128.load32_splat(pb, 8), c2);
      e0 = madd(a1, v128.load32_splat(pb, 16), e0);
      e1 = madd(a1, v128.load32_splat(pb, 20), e1);
      e2 = madd(a1, v128.load32_splat(pb, 24), e2);
      pa += 32;
      pb += 32;
    }
    if (pa < end) {
      const a = v128.load(pa);
      c0 = madd(a, v128.load32_splat(pb), c0);
      c1 = madd(a, v128.load32_splat(pb, 4), c1);
      c2 = madd(a, v128.load32_splat(pb, 8), c2);
    }
    c0 = f32x4.add(c0, e0);
    c1 = f32x4.add(c1, e1);
    c2 = f32x4.add(c2, e2);
  }
  // Transpose into the row-major tile (4 rows x 4 columns), then write the valid part.
  const z = f32x4.splat(0);
  const t0 = zipLo(c0, c1), t1 = zipHi(c0, c1), t2 = zipLo(c2, z), t3 = zipHi(c2, z);
  v128.store(tile, lo64(t0, t2));
  v128.store(tile, hi64(t0, t2), 16);
  v128.store(tile, lo64(t1, t3), 32);
  v128.store(tile, hi64(t1, t3), 48);
  flushTile(tile, 4, c, ldc4, h, w, overwrite);
}

// ---------------------------------------------------------------------------------------
// Driver

function zeroBlock(c: usize, ldc: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  for (let i = i0; i < i1; i++) {
    memory.fill(c + ((<usize>i * <usize>ldc + <usize>j0) << 2), 0, <usize>(j1 - j0) << 2);
  }
}

/** The blocked product for output rows [i0, i1) and columns [j0, j1). */
function gemmBlock(
  a: usize, lda: i32, transA: bool, b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, K: i32, accumulate: bool, scratch: usize,
  i0: i32, i1: i32, j0: i32, j1: i32,
): void {
  if (i1 <= i0 || j1 <= j0) return;
  if (K == 0) {
    if (!accumulate) zeroBlock(c, ldc, i0, i1, j0, j1);
    return;
  }
  const bp = scratch;
  const ap = scratch + (<usize>(KC * NC) << 2);
  const tile = ap + (<usize>(MC * KC) << 2);
  const ldc4 = <usize>ldc << 2;
  const kb = kBlock(K);
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < K; pc += kb) {
      const kc = min(kb, K - pc);
      const overwrite = pc == 0 && !accumulate;
      packB(b, ldb, transB, pc, kc, jc, nc, bp);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(a, lda, transA, ic, mc, pc, kc, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const w = min(NR, nc - jr);
          const pbp = bp + (<usize>(jr * kc) << 2);
          const cj = c + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const h = min(MR, mc - ir);
            const pap = ap + (<usize>(ir * kc) << 2);
            const cij = cj + <usize>(ic + ir) * ldc4;
            if (w > 4) kernel4x8(pap, pbp, kc, cij, ldc4, h, w, overwrite, tile);
            else if (w == 4) kernel4x4(pap, pbp, kc, cij, ldc4, h, w, overwrite, tile);
            else kernelColumns(pap, pbp, kc, cij, ldc4, h, w, overwrite, tile);
          }
        }
      }
    }
  }
}

/**
 * Multiply-adds per chunk of a shared product: about 0.2 ms of one core. Every chunk
 * packs the whole of the operand it shares with the others (A when the columns are
 * split), so chunks must not be too small either.
 */
const CHUNK_MACS: i64 = 1 << 22;

/**
 * C[M x N] = op(A)·op(B) (+ C if accumulate), op(A) M x K, op(B) K x N; row-major with
 * leading dimensions lda, ldb, ldc (in floats). `scratch` is this thread's own
 * GEMM_SCRATCH_BYTES.
 *
 * On several threads the longer side of the output is cut into chunks of whole
 * register tiles (never K), one or two per thread, and each thread takes the next
 * chunk from the shared `counter` until none are left. Taking chunks, rather than a
 * fixed share each, keeps both cores busy when one of them is slowed down (another
 * program, the studio's own window); which thread computes a tile never changes what
 * it computes, so the result is the same bit for bit.
 */
export function gemm(
  a: usize, lda: i32, transA: i32, b: usize, ldb: i32, transB: i32,
  c: usize, ldc: i32, M: i32, N: i32, K: i32, accumulate: i32,
  scratch: usize, tid: i32, nthreads: i32, counter: usize,
): void {
  const ta = transA != 0, tb = transB != 0, acc = accumulate != 0;
  // (A plain-memory build has no atomics and never runs on several threads.)
  if (SHARED) {
    if (nthreads > 1) {
      const byColumns = N >= M;
      const unit = byColumns ? NR : MR;
      const extent = byColumns ? N : M;
      const groups = (extent + unit - 1) / unit;
      const macs = <i64>M * <i64>N * <i64>K;
      const wanted = <i32>min<i64>(<i64>(2 * nthreads), max<i64>(<i64>nthreads, (macs + CHUNK_MACS - 1) / CHUNK_MACS));
      const chunks = min(groups, wanted);
      for (;;) {
        const k = atomic.add<i32>(counter, 1);
        if (k >= chunks) break;
        const lo = min(extent, <i32>((<i64>groups * k) / chunks) * unit);
        const hi = min(extent, <i32>((<i64>groups * (k + 1)) / chunks) * unit);
        if (byColumns) gemmBlock(a, lda, ta, b, ldb, tb, c, ldc, K, acc, scratch, 0, M, lo, hi);
        else gemmBlock(a, lda, ta, b, ldb, tb, c, ldc, K, acc, scratch, lo, hi, 0, N);
      }
      return;
    }
  }
  gemmBlock(a, lda, ta, b, ldb, tb, c, ldc, K, acc, scratch, 0, M, 0, N);
}
