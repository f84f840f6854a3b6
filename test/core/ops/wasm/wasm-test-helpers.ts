import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Matrix } from '../../../../core/matrix.js';
import { Rng } from '../../../../core/rng.js';
import type { Ops } from '../../../../core/ops/types.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/**
 * Build the kernels if their sources changed (a no-op when up to date), so the tests
 * always run the WebAssembly that asm/ describes, also in a fresh clone.
 */
export function buildKernels(): void {
  execFileSync(process.execPath, ['scripts/build-wasm.mjs'], { cwd: root, stdio: 'pipe' });
}

/** A matrix of `ops` filled with seeded normals times `scale`. */
export function randomMatrix(ops: Ops, rows: number, cols: number, rng: Rng, scale = 1): Matrix {
  const m = ops.alloc(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal() * scale;
  return m;
}

/** Copy of `m` in plain JavaScript memory (what the reference backend computes on). */
export function plainCopy(m: Matrix): Matrix<Float32Array> {
  return new Matrix(m.rows, m.cols, Float32Array.from(m.data));
}

/**
 * Every element within `rel` of the reference, relative to `scale[i]` (the magnitude
 * the computation worked with) or to |expected| when no scale is given, plus `abs`.
 * Reports the worst element, so a failure says where and by how much.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  { rel = 1e-5, abs = 0, scale }: { rel?: number; abs?: number; scale?: ArrayLike<number> } = {},
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const s = scale ? scale[i]! : Math.abs(e);
    const excess = Math.abs(a - e) - (rel * s + abs);
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    const s = scale ? scale[worst]! : Math.abs(expected[worst]!);
    expect.fail(
      `${what}: element ${worst} is ${actual[worst]}, reference ${expected[worst]} (difference ${Math.abs(actual[worst]! - expected[worst]!)}, allowed ${rel * s + abs})`,
    );
  }
}

/**
 * Σ_k |op(a)[i,k]|·|op(b)[k,j]| in double precision: the natural scale of a product's
 * rounding error (float32 sums in another order differ by a few ulps of this, not of
 * the result, which may be near zero by cancellation).
 */
export function productScale(a: Matrix, transA: boolean, b: Matrix, transB: boolean): Float64Array {
  const M = transA ? a.cols : a.rows, K = transA ? a.rows : a.cols, N = transB ? b.rows : b.cols;
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const x = Math.abs(transA ? a.data[k * a.cols + i]! : a.data[i * a.cols + k]!);
      if (x === 0) continue;
      for (let j = 0; j < N; j++) out[i * N + j] += x * Math.abs(transB ? b.data[j * b.cols + k]! : b.data[k * b.cols + j]!);
    }
  }
  return out;
}

/** Fails naming the first element whose bits differ (a deep toEqual on 10^5 numbers is slow to report; -0 and 0 differ). */
export function expectSameBits(actual: Matrix | ArrayLike<number>, expected: Matrix | ArrayLike<number>, what: string): void {
  const bits = (m: Matrix | ArrayLike<number>): Uint32Array => {
    const d = m instanceof Matrix ? m.data : m;
    if (d instanceof Float32Array || d instanceof Int32Array) return new Uint32Array(d.buffer, d.byteOffset, d.length);
    return new Uint32Array(Float32Array.from(d).buffer);
  };
  const a = bits(actual), e = bits(expected);
  expect(a.length, `${what}: length`).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) {
      const av = actual instanceof Matrix ? actual.data[i] : actual[i], ev = expected instanceof Matrix ? expected.data[i] : expected[i];
      expect.fail(`${what}: element ${i} is ${av}, expected ${ev}`);
    }
  }
}

/** Seeded random integer in [lo, hi]. */
export function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

export { Rng };
