import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Matrix } from '../../../../core/matrix.js';
import { createReferenceOps } from '../../../../core/ops/reference.js';
import type { WindowGeometry } from '../../../../core/ops/types.js';
import type { WasmOps } from '../../../../core/ops/wasm/wasm-ops.js';
import { StudioError } from '../../../../core/errors.js';
import { createNodeWasmOps } from '../../../../node/wasm-threads.js';
import { Rng, buildKernels, expectClose, expectSameBits, plainCopy, randomMatrix } from './wasm-test-helpers.js';

const ref = createReferenceOps('f32');

function geometry(C: number, H: number, W: number, K: number, S: number, P: number): WindowGeometry {
  return {
    channels: C, height: H, width: W, kernel: K, stride: S, pad: P,
    outHeight: Math.floor((H + 2 * P - K) / S) + 1, outWidth: Math.floor((W + 2 * P - K) / S) + 1,
  };
}

/** [C, H, W, K, S, P]: the book's SimpleConvNet, padding, stride 2 and 3, K of 1, 3, 4 (one full vector), 5, 7, windows larger than the image's interior. */
const CONVS = [
  [1, 28, 28, 5, 1, 0], [3, 7, 9, 3, 2, 1], [2, 5, 5, 5, 1, 2], [4, 6, 6, 1, 1, 0],
  [2, 8, 7, 3, 3, 0], [3, 9, 10, 4, 1, 1], [1, 11, 13, 7, 2, 3], [5, 4, 4, 2, 2, 0],
] as const;

/** [C, H, W, K, S]: the book's 2x2 stride 2 (odd widths too), overlapping 3x3 stride 1, 3x3 stride 2, 2x2 stride 1, 1x1. */
const POOLS = [
  [30, 24, 24, 2, 2], [3, 9, 11, 2, 2], [2, 7, 7, 3, 1], [4, 9, 8, 3, 2], [2, 6, 5, 2, 1], [1, 4, 4, 1, 1], [2, 20, 6, 2, 2],
] as const;

/** Values with many exact ties (whole numbers in a small range), so first-on-ties is tested; some -0. */
function tiedMatrix(ops: WasmOps, rows: number, cols: number, rng: Rng): Matrix {
  const m = ops.alloc(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.int(5) - 2 || (rng.int(2) ? -0 : 0);
  return m;
}

const BACKENDS: { label: string; opts: Parameters<typeof createNodeWasmOps>[0] }[] = [
  { label: 'relaxed SIMD, shared memory', opts: { threads: 1, fma: true } },
  { label: 'SIMD, plain memory', opts: { threads: 1, fma: false, sharedMemory: false, memoryMB: 64 } },
  { label: 'two threads', opts: { threads: 2 } },
  { label: 'three threads', opts: { threads: 3 } },
];

beforeAll(() => buildKernels(), 180_000);

describe.each(BACKENDS)('convolution kernels equal the reference bit for bit: $label', ({ opts }) => {
  let ops: WasmOps;
  beforeAll(async () => {
    ops = await createNodeWasmOps(opts);
  });
  afterAll(async () => {
    expect(ops.fallbackCalls).toBe(0);
    await ops.dispose();
  });

  it('im2col and col2im, for every geometry and batch sizes 1, 3 and 20', () => {
    const rng = new Rng(1);
    for (const [C, H, W, K, S, P] of CONVS) {
      const g = geometry(C, H, W, K, S, P);
      for (const N of [1, 3, 20]) {
        const what = `${C}x${H}x${W} K${K} S${S} P${P}, N=${N}`;
        const x = randomMatrix(ops, N, C * H * W, rng);
        const col = ops.alloc(N * g.outHeight * g.outWidth, C * K * K);
        col.data.fill(Number.NaN); // every element must be written
        const refCol = Matrix.zeros(col.rows, col.cols);
        ops.im2col(x, g, col);
        ref.im2col(plainCopy(x), g, refCol);
        expectSameBits(col, refCol, `im2col ${what}`);

        const dcol = randomMatrix(ops, col.rows, col.cols, rng);
        const dx = ops.alloc(N, C * H * W);
        dx.data.fill(Number.NaN); // overwritten, not added to
        const refDx = Matrix.zeros(N, C * H * W);
        ops.col2im(dcol, g, dx);
        ref.col2im(plainCopy(dcol), g, refDx);
        expectSameBits(dx, refDx, `col2im ${what}`);
        for (const m of [x, col, dcol, dx]) ops.free(m);
      }
    }
  });

  it('rowsToChannels with and without bias, and channelsToRows, keep -0 where the reference does', () => {
    const rng = new Rng(2);
    for (const [F, P] of [[30, 576], [1, 1], [3, 5], [8, 16], [7, 9], [16, 3]] as const) {
      for (const N of [1, 4, 13]) {
        const rows = randomMatrix(ops, N * P, F, rng);
        for (let i = 0; i < rows.data.length; i += 7) rows.data[i] = -0;
        const bias = randomMatrix(ops, 1, F, rng);
        for (const b of [bias, null]) {
          const out = ops.alloc(N, F * P), expected = Matrix.zeros(N, F * P);
          ops.rowsToChannels(rows, b, out);
          ref.rowsToChannels(plainCopy(rows), b && plainCopy(b), expected);
          expectSameBits(out, expected, `rowsToChannels F=${F} P=${P} N=${N} ${b ? 'bias' : 'no bias'}`);
          const back = ops.alloc(N * P, F), refBack = Matrix.zeros(N * P, F);
          ops.channelsToRows(out, back);
          ref.channelsToRows(plainCopy(out), refBack);
          expectSameBits(back, refBack, `channelsToRows F=${F} P=${P} N=${N}`);
          if (!b) expectClose(back.data, rows.data, 'channelsToRows undoes rowsToChannels (up to the sign of zeros)', { rel: 0 });
        }
      }
    }
  });

  it('max pooling: outputs and argmax (first on ties), and the routed backward', () => {
    const rng = new Rng(3);
    for (const [C, H, W, K, S] of POOLS) {
      const g = geometry(C, H, W, K, S, 0);
      for (const N of [1, 5]) {
        const what = `${C}x${H}x${W} K${K} S${S}, N=${N}`;
        for (const x of [randomMatrix(ops, N, C * H * W, rng), tiedMatrix(ops, N, C * H * W, rng)]) {
          const perOut = C * g.outHeight * g.outWidth;
          const out = ops.alloc(N, perOut), argmax = ops.allocIndices(N * perOut);
          const refOut = Matrix.zeros(N, perOut), refArgmax = new Int32Array(N * perOut);
          ops.maxPoolForward(x, g, out, argmax);
          ref.maxPoolForward(plainCopy(x), g, refOut, refArgmax);
          expectSameBits(out, refOut, `pool forward ${what}`);
          expectSameBits(argmax, refArgmax, `pool argmax ${what}`);

          const dout = randomMatrix(ops, N, perOut, rng);
          const dx = ops.alloc(N, C * H * W), refDx = Matrix.zeros(N, C * H * W);
          dx.data.fill(Number.NaN);
          ops.maxPoolBackward(dout, argmax, dx);
          ref.maxPoolBackward(plainCopy(dout), refArgmax, refDx);
          expectSameBits(dx, refDx, `pool backward ${what}`);
          ops.freeIndices(argmax);
        }
      }
    }
  });

  it('BatchNorm statistics, forward and backward, per feature (P = 1) and per channel', () => {
    const rng = new Rng(4);
    for (const [N, C, P] of [[100, 100, 1], [7, 3, 1], [20, 30, 144], [5, 4, 9], [2, 6, 13]] as const) {
      const what = `N=${N} C=${C} P=${P}`;
      const x = randomMatrix(ops, N, C * P, rng, 3);
      for (let i = 0; i < x.data.length; i++) x.data[i] += 1.5;
      const mean = ops.alloc(1, C), variance = ops.alloc(1, C), refMean = Matrix.zeros(1, C), refVariance = Matrix.zeros(1, C);
      ops.channelMeanVariance(x, C, mean, variance);
      ref.channelMeanVariance(plainCopy(x), C, refMean, refVariance);
      expectSameBits(mean, refMean, `mean ${what}`);
      expectSameBits(variance, refVariance, `variance ${what}`);

      const gamma = randomMatrix(ops, 1, C, rng), beta = randomMatrix(ops, 1, C, rng);
      const xhat = ops.alloc(N, C * P), out = ops.alloc(N, C * P), refXhat = Matrix.zeros(N, C * P), refOut = Matrix.zeros(N, C * P);
      ops.batchNormForward(x, C, mean, variance, 1e-5, gamma, beta, xhat, out);
      ref.batchNormForward(plainCopy(x), C, refMean, refVariance, 1e-5, plainCopy(gamma), plainCopy(beta), refXhat, refOut);
      expectSameBits(xhat, refXhat, `xhat ${what}`);
      expectSameBits(out, refOut, `normalized ${what}`);

      const dout = randomMatrix(ops, N, C * P, rng);
      const dx = ops.alloc(N, C * P), dgamma = ops.alloc(1, C), dbeta = ops.alloc(1, C);
      const refDx = Matrix.zeros(N, C * P), refDgamma = Matrix.zeros(1, C), refDbeta = Matrix.zeros(1, C);
      ops.batchNormBackward(dout, xhat, C, variance, 1e-5, gamma, dx, dgamma, dbeta);
      ref.batchNormBackward(plainCopy(dout), refXhat, C, refVariance, 1e-5, plainCopy(gamma), refDx, refDgamma, refDbeta);
      expectSameBits(dx, refDx, `BatchNorm dx ${what}`);
      expectSameBits(dgamma, refDgamma, `dgamma ${what}`);
      expectSameBits(dbeta, refDbeta, `dbeta ${what}`);
    }
  });

  it('multiply, elementwise (Dropout masks), odd lengths', () => {
    const rng = new Rng(5);
    for (const [r, c] of [[1, 1], [3, 5], [100, 1000], [7, 33]] as const) {
      const a = randomMatrix(ops, r, c, rng), b = randomMatrix(ops, r, c, rng), out = ops.alloc(r, c), expected = Matrix.zeros(r, c);
      ops.multiply(a, b, out);
      ref.multiply(plainCopy(a), plainCopy(b), expected);
      expectSameBits(out, expected, `multiply ${r}x${c}`);
    }
  });
});

describe('convolution kernels on several threads', () => {
  it('split the batch: the SimpleConvNet shapes run on every thread', async () => {
    const ops = await createNodeWasmOps({ threads: 2 });
    try {
      const rng = new Rng(6);
      const g = geometry(1, 28, 28, 5, 1, 0), pool = geometry(30, 24, 24, 2, 2, 0);
      const x = randomMatrix(ops, 100, 784, rng), col = ops.alloc(100 * 576, 25);
      const rows = randomMatrix(ops, 100 * 576, 30, rng), bias = randomMatrix(ops, 1, 30, rng), y = ops.alloc(100, 30 * 576);
      const pooled = ops.alloc(100, 30 * 144), argmax = ops.allocIndices(100 * 30 * 144), dy = ops.alloc(100, 30 * 576);
      const before = ops.threadedCalls;
      ops.im2col(x, g, col);
      ops.rowsToChannels(rows, bias, y);
      ops.maxPoolForward(y, pool, pooled, argmax);
      ops.maxPoolBackward(pooled, argmax, dy);
      ops.channelsToRows(dy, rows);
      ops.col2im(col, g, x);
      expect(ops.threadedCalls - before).toBe(6);
      expect(ops.fallbackCalls).toBe(0);
    } finally {
      await ops.dispose();
    }
  });
});

describe('convolution kernels refuse what would write outside their tensors', () => {
  let ops: WasmOps;
  beforeAll(async () => {
    ops = await createNodeWasmOps({ threads: 1 });
  });
  afterAll(() => ops.dispose());

  it('a col of the wrong size, a geometry that does not add up, an argmax from elsewhere', () => {
    const g = geometry(1, 6, 6, 3, 1, 0);
    const x = ops.alloc(2, 36);
    expect(() => ops.im2col(x, g, ops.alloc(2 * 16, 8))).toThrow(/im2col: col is 32x8, needs 32x9/);
    expect(() => ops.im2col(x, { ...g, outHeight: 5 }, ops.alloc(2 * 20, 9))).toThrow(/output 5x4 does not follow/);
    expect(() => ops.col2im(ops.alloc(32, 9), g, ops.alloc(2, 35))).toThrow(StudioError);
    expect(() => ops.rowsToChannels(ops.alloc(10, 3), null, ops.alloc(2, 16))).toThrow(/16 values per row cannot be 3 channels/);
    const pool = geometry(1, 6, 6, 2, 2, 0);
    const out = ops.alloc(2, 9), argmax = ops.allocIndices(18);
    ops.maxPoolForward(x, pool, out, argmax);
    argmax[12] = 3; // a position in sample 0, routed from sample 1
    expect(() => ops.maxPoolBackward(out, argmax, ops.alloc(2, 36))).toThrow();
  });
});
