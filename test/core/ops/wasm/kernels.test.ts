import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Matrix, type FloatArray } from '../../../../core/matrix.js';
import type { Ops } from '../../../../core/ops/types.js';
import { createReferenceOps } from '../../../../core/ops/reference.js';
import type { WasmOps } from '../../../../core/ops/wasm/wasm-ops.js';
import { byteMode } from '../../../../core/ops/wasm/gather-ops.js';
import { createNodeWasmOps } from '../../../../node/wasm-threads.js';
import { Rng, between, buildKernels, expectClose, plainCopy, productScale, randomMatrix } from './wasm-test-helpers.js';
import { studioFailure } from '../../studio-failure.js';

const ref = createReferenceOps('f32');

/** Sizes that hit every edge: empty, one, odd, not multiples of 4 or 8, across the 64/256/512 blocking. */
const EDGE_SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 31, 33, 50, 63, 65, 100, 129];

// Each fast kernel against the TypeScript reference, for every build that can run here:
// fused multiply-add (relaxed SIMD) and plain SIMD on a shared memory, and the plain
// memory a browser without cross-origin isolation gets. One thread; threads have their
// own tests (wasm-threads.test.ts).
const BACKENDS: { label: string; opts: Parameters<typeof createNodeWasmOps>[0] }[] = [
  { label: 'relaxed SIMD (FMA), shared memory', opts: { threads: 1, fma: true } },
  { label: 'SIMD, shared memory', opts: { threads: 1, fma: false } },
  { label: 'SIMD, plain memory', opts: { threads: 1, fma: false, sharedMemory: false, memoryMB: 64 } },
];

beforeAll(() => buildKernels(), 180_000);

describe.each(BACKENDS)('wasm kernels: $label', ({ opts }) => {
  let ops: WasmOps;
  beforeAll(async () => {
    ops = await createNodeWasmOps(opts);
  });
  afterAll(async () => {
    await ops.dispose();
  });

  it('reports what it runs', () => {
    expect(ops.name).toBe('wasm-simd');
    expect(ops.precision).toBe('f32');
    expect(ops.threads).toBe(1);
    expect(ops.variant).toBe(opts!.fma ? 'relaxed' : 'simd');
    expect(ops.sharedMemory).toBe(opts!.sharedMemory !== false);
  });

  it('gemm matches the reference for all four transposes on random shapes, with and without accumulate', () => {
    const rng = new Rng(101);
    const cases: [number, number, number][] = [];
    for (const M of [1, 3, 5, 64, 65]) for (const N of [1, 4, 9, 17]) cases.push([M, N, between(rng, 1, 40)]);
    for (let i = 0; i < 30; i++) {
      cases.push([EDGE_SIZES[rng.int(EDGE_SIZES.length)]!, EDGE_SIZES[rng.int(EDGE_SIZES.length)]!, EDGE_SIZES[rng.int(EDGE_SIZES.length)]!]);
    }
    // Beyond one k block (256), one column block (512) and one row block (64).
    cases.push([70, 515, 300], [3, 9, 777], [130, 10, 513]);
    // The Affine layer's three products at the book's W1 shapes.
    cases.push([100, 50, 784], [784, 50, 100], [100, 784, 50]);
    let checked = 0;
    for (const [M, N, K] of cases) {
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const accumulate = rng.next() < 0.3;
        const a = transA ? randomMatrix(ops, K, M, rng) : randomMatrix(ops, M, K, rng);
        const b = transB ? randomMatrix(ops, N, K, rng) : randomMatrix(ops, K, N, rng);
        const out = randomMatrix(ops, M, N, rng);
        const expected = plainCopy(out);
        const scale = productScale(a, transA, b, transB);
        if (accumulate) for (let i = 0; i < scale.length; i++) scale[i] += Math.abs(expected.data[i]!);
        ops.gemm(a, transA, b, transB, out, accumulate);
        ref.gemm(plainCopy(a), transA, plainCopy(b), transB, expected, accumulate);
        expectClose(out.data, expected.data, `gemm ${M}x${N}x${K} transA=${transA} transB=${transB} acc=${accumulate}`, { scale });
        for (const m of [a, b, out]) ops.free(m);
        checked++;
      }
    }
    expect(checked).toBe(cases.length * 4);
    expect(ops.fallbackCalls).toBe(0);
  });

  it('gemm with K = 0 writes zeros, or leaves the output alone when accumulating', () => {
    const a = ops.alloc(5, 0), b = ops.alloc(0, 7), out = ops.alloc(5, 7);
    out.data.fill(3);
    ops.gemm(a, false, b, false, out, true);
    expect(Array.from(out.data).every((v) => v === 3)).toBe(true);
    ops.gemm(a, false, b, false, out);
    expect(Array.from(out.data).every((v) => v === 0)).toBe(true);
  });

  it('bias add and column sums match the reference (sums bit for bit: same order of additions)', () => {
    const rng = new Rng(7);
    for (const rows of [0, 1, 3, 100, 129]) {
      for (const cols of [1, 3, 4, 10, 17, 50, 63]) {
        const x = randomMatrix(ops, rows, cols, rng);
        const bias = randomMatrix(ops, 1, cols, rng);
        const expected = plainCopy(x);
        ops.addRowInPlace(x, bias);
        ref.addRowInPlace(expected, plainCopy(bias));
        expect(Array.from(x.data)).toEqual(Array.from(expected.data));
        const sums = ops.alloc(1, cols), refSums = Matrix.zeros(1, cols);
        sums.data.fill(9);
        ops.sumRows(x, sums);
        ref.sumRows(expected, refSums);
        expect(Array.from(sums.data), `sumRows ${rows}x${cols}`).toEqual(Array.from(refSums.data));
      }
    }
  });

  it('activations and their backward passes match the reference on odd sizes', () => {
    const rng = new Rng(11);
    for (const [rows, cols] of [[1, 1], [1, 3], [3, 5], [7, 9], [100, 50], [33, 17]] as const) {
      const x = randomMatrix(ops, rows, cols, rng, 4);
      const dout = randomMatrix(ops, rows, cols, rng);
      for (const kind of ['relu', 'sigmoid', 'tanh'] as const) {
        const y = ops.alloc(rows, cols), dx = ops.alloc(rows, cols);
        const ry = Matrix.zeros(rows, cols), rdx = Matrix.zeros(rows, cols);
        ops[`${kind}Forward`](x, y);
        ref[`${kind}Forward`](plainCopy(x), ry);
        ops[`${kind}Backward`](y, dout, dx);
        ref[`${kind}Backward`](plainCopy(y), plainCopy(dout), rdx);
        if (kind === 'relu') {
          expect(Array.from(y.data)).toEqual(Array.from(ry.data));
          expect(Array.from(dx.data)).toEqual(Array.from(rdx.data));
        } else {
          expectClose(y.data, ry.data, `${kind} forward ${rows}x${cols}`);
          expectClose(dx.data, rdx.data, `${kind} backward ${rows}x${cols}`);
        }
      }
    }
  });

  it('activations hold at the extremes: NaN, infinities, -0, saturation, tiny inputs', () => {
    const values = [NaN, Infinity, -Infinity, -0, 0, 1e-30, -1e-30, 1e-7, -3e-5, 0.3, -0.62, 0.63, 1, -1, 5, -9, 20, -20,
      44, -44, 80, -80, 87, -87, 88.7, -88.7, 89, -89, 100, -100, 103, -103, 110, -110, 1e30, -1e30];
    const x = ops.alloc(1, values.length);
    x.data.set(values);
    for (const kind of ['relu', 'sigmoid', 'tanh'] as const) {
      const y = ops.alloc(1, values.length), ry = Matrix.zeros(1, values.length);
      ops[`${kind}Forward`](x, y);
      ref[`${kind}Forward`](plainCopy(x), ry);
      // Below ~1e-38 float32 is subnormal and has fewer digits: an absolute floor there.
      expectClose(y.data, ry.data, `${kind} at extremes`, { abs: 1e-37 });
      if (kind === 'relu') expect(Object.is(y.data[3], 0)).toBe(true); // -0 -> +0 like `x > 0 ? x : 0`
    }
  });

  it('a dense sweep of sigmoid and tanh stays within 1e-5 relative (tanh near 0 included)', () => {
    const n = 4001;
    const x = ops.alloc(1, n);
    for (let i = 0; i < n; i++) x.data[i] = -40 + (80 * i) / (n - 1);
    const tiny = ops.alloc(1, 64);
    for (let i = 0; i < 64; i++) tiny.data[i] = (i % 2 ? -1 : 1) * 10 ** (-1 - i / 8);
    for (const input of [x, tiny]) {
      for (const kind of ['sigmoid', 'tanh'] as const) {
        const y = ops.alloc(input.rows, input.cols), ry = Matrix.zeros(input.rows, input.cols);
        ops[`${kind}Forward`](input, y);
        ref[`${kind}Forward`](plainCopy(input), ry);
        expectClose(y.data, ry.data, `${kind} sweep`, { abs: 1e-37 });
      }
    }
  });

  it('softmax with cross-entropy and its backward match the reference', () => {
    const rng = new Rng(5);
    for (const [rows, cols] of [[1, 1], [1, 2], [3, 3], [100, 10], [17, 5], [8, 13], [2, 100]] as const) {
      const x = randomMatrix(ops, rows, cols, rng, 3);
      const labels = Int32Array.from({ length: rows }, () => rng.int(cols));
      const y = ops.alloc(rows, cols), ry = Matrix.zeros(rows, cols);
      const loss = ops.softmaxCrossEntropy(x, labels, y);
      const refLoss = ref.softmaxCrossEntropy(plainCopy(x), labels, ry);
      expect(Math.abs(loss - refLoss), `loss ${rows}x${cols}: ${loss} vs ${refLoss}`).toBeLessThanOrEqual(1e-5 * Math.abs(refLoss) + 1e-7);
      expectClose(y.data, ry.data, `softmax ${rows}x${cols}`, { abs: 1e-37 });
      const dx = ops.alloc(rows, cols), rdx = Matrix.zeros(rows, cols);
      ops.softmaxCrossEntropyBackward(y, labels, dx);
      ref.softmaxCrossEntropyBackward(plainCopy(y), labels, rdx);
      // |dx| near 0 for the true class is a difference y - 1: scale by its terms.
      const scale = Float64Array.from(ry.data, (v) => (Math.abs(v) + 1) / rows);
      expectClose(dx.data, rdx.data, `softmax backward ${rows}x${cols}`, { scale });
    }
  });

  it('softmax keeps huge scores finite (the row maximum is subtracted first)', () => {
    const x = ops.alloc(2, 3);
    x.data.set([1000, 1001, 1002, -1000, -1000, -1000]);
    const y = ops.alloc(2, 3);
    const loss = ops.softmaxCrossEntropy(x, Int32Array.of(2, 0), y);
    const ry = Matrix.zeros(2, 3);
    const refLoss = ref.softmaxCrossEntropy(plainCopy(x), Int32Array.of(2, 0), ry);
    expect(loss).toBeCloseTo(refLoss, 6);
    expectClose(y.data, ry.data, 'softmax of large scores');
  });

  it('optimizer updates match the reference over several steps, odd lengths', () => {
    const rng = new Rng(3);
    /** Each optimizer with its state vectors (how many) and one update. */
    const kinds: { name: string; slots: number; update: (o: Ops, w: FloatArray, g: FloatArray, s: FloatArray[], t: number) => void }[] = [
      { name: 'sgd', slots: 0, update: (o, w, g) => o.sgdUpdate(w, g, 0.1) },
      { name: 'momentum', slots: 1, update: (o, w, g, s) => o.momentumUpdate(w, g, s[0]!, 0.01, 0.9) },
      { name: 'nesterov', slots: 1, update: (o, w, g, s) => o.nesterovUpdate(w, g, s[0]!, 0.01, 0.9) },
      { name: 'adagrad', slots: 1, update: (o, w, g, s) => o.adagradUpdate(w, g, s[0]!, 0.01) },
      { name: 'rmsprop', slots: 1, update: (o, w, g, s) => o.rmspropUpdate(w, g, s[0]!, 0.01, 0.99) },
      { name: 'adam', slots: 2, update: (o, w, g, s, t) => o.adamUpdate(w, g, s[0]!, s[1]!, 0.001, 0.9, 0.999, t) },
    ];
    for (const n of [1, 3, 5, 17, 63, 1001]) {
      const w0 = randomMatrix(ops, 1, n, rng);
      for (const kind of kinds) {
        const w = ops.alloc(1, n);
        w.data.set(w0.data);
        const state = Array.from({ length: kind.slots }, () => ops.alloc(1, n));
        const rw = plainCopy(w), rstate = state.map(plainCopy);
        for (let t = 1; t <= 3; t++) {
          const g = randomMatrix(ops, 1, n, rng), rg = plainCopy(g);
          kind.update(ops, w.data, g.data, state.map((m) => m.data), t);
          kind.update(ref, rw.data, rg.data, rstate.map((m) => m.data), t);
        }
        // Each weight moved by a few small steps: error relative to |w| plus the steps taken.
        expectClose(w.data, rw.data, `${kind.name} weights n=${n}`, { scale: Float64Array.from(rw.data, (x) => Math.abs(x) + 0.1) });
        state.forEach((m, i) => {
          expectClose(m.data, rstate[i]!.data, `${kind.name} state ${i} n=${n}`, { scale: Float64Array.from(rstate[i]!.data, (x) => Math.abs(x) + 0.001) });
        });
      }
    }
    expect(ops.fallbackCalls).toBe(0);
  });

  it('gathers batches bit for bit like the reference: bytes, floats, scale 1, data in WebAssembly memory', () => {
    const rng = new Rng(9);
    for (const cols of [1, 3, 16, 17, 784]) {
      const count = 37;
      const bytes = Uint8Array.from({ length: 50 * cols }, () => rng.int(256));
      const floats = Float32Array.from({ length: 50 * cols }, () => rng.normal());
      const inWasm = ops.alloc(1, Math.ceil((50 * cols) / 4));
      const wasmBytes = new Uint8Array(inWasm.data.buffer, inWasm.data.byteOffset, 50 * cols);
      wasmBytes.set(bytes);
      const indices = Int32Array.from({ length: count }, () => rng.int(50));
      // Byte scales that take each conversion path: float32 division (1/255), float32 product (0.5), float64 (0.3).
      expect([byteMode(1 / 255), byteMode(0.5), byteMode(0.3)]).toEqual([3, 5, 1]);
      const sources = [[bytes, 1 / 255], [bytes, 0.5], [bytes, 0.3], [floats, 0.5], [floats, 1], [wasmBytes, 1 / 255], [wasmBytes, 0.3]] as const;
      for (const [source, scale] of sources) {
        const out = ops.alloc(count, cols), expected = Matrix.zeros(count, cols);
        ops.gatherRows(source, cols, indices, scale, out);
        ref.gatherRows(source, cols, indices, scale, expected);
        expect(Array.from(out.data), `gather cols=${cols} scale=${scale}`).toEqual(Array.from(expected.data));
      }
    }
  });

  it('refuses labels and row indices out of range, and mismatched shapes, with one clear line', () => {
    const x = ops.alloc(2, 3), y = ops.alloc(2, 3);
    expect(studioFailure(() => ops.softmaxCrossEntropy(x, Int32Array.of(0, 3), y))).toBe(
      'SHAPE_MISMATCH: softmaxCrossEntropy: label 3 in row 1 is outside 0..2 (the network has 3 outputs)',
    );
    expect(studioFailure(() => ops.softmaxCrossEntropyBackward(y, Int32Array.of(-1, 0), x))).toMatch(/label -1 in row 0/);
    expect(studioFailure(() => ops.gatherRows(new Uint8Array(6), 3, Int32Array.of(0, 2), 1, x))).toBe(
      'SHAPE_MISMATCH: gatherRows: row index 2 (batch row 1) is outside 0..1',
    );
    expect(studioFailure(() => ops.gemm(x, false, y, false, ops.alloc(2, 3)))).toBe('SHAPE_MISMATCH: gemm: 2x3 · 2x3 cannot go into 2x3');
    expect(studioFailure(() => ops.reluForward(x, ops.alloc(3, 3)))).toBe('SHAPE_MISMATCH: reluForward: 2x3 and 3x3 differ in size');
  });

  it('computes correctly on matrices outside its memory (through the reference) and counts them', () => {
    const before = ops.fallbackCalls;
    const a = Matrix.from([[1, 2], [3, 4]]);
    const b = ops.alloc(2, 2);
    b.data.set([5, 6, 7, 8]);
    const out = ops.alloc(2, 2);
    ops.gemm(a, false, b, false, out);
    expect(Array.from(out.data)).toEqual([19, 22, 43, 50]);
    expect(ops.fallbackCalls).toBe(before + 1);
    expect(ops.owns(out.data)).toBe(true);
    expect(ops.owns(a.data)).toBe(false);
  });
});
