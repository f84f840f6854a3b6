import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../../../core/errors.js';
import type { Matrix } from '../../../../core/matrix.js';
import { KernelTeam } from '../../../../core/ops/threads/team.js';
import { createWebWorkerPool, webThreadSupport } from '../../../../core/ops/threads/web-pool.js';
import { Worker as NodeWorker } from 'node:worker_threads';
import type { ThreadPool } from '../../../../core/ops/threads/types.js';
import { createWasmOps, ELEMENTWISE_PARALLEL_MIN, GEMM_PARALLEL_MIN, type WasmOps } from '../../../../core/ops/wasm/wasm-ops.js';
import { createNodeThreadPool, createNodeWasmOps } from '../../../../node/wasm-threads.js';
import { Rng, buildKernels, expectSameBits, randomMatrix } from './wasm-test-helpers.js';

let one: WasmOps;
let two: WasmOps;
let three: WasmOps;

beforeAll(async () => {
  buildKernels();
  one = await createNodeWasmOps({ threads: 1 });
  // These tests count split calls: every call above the size thresholds splits (no timing policy).
  two = await createNodeWasmOps({ threads: 2, adaptive: false });
  three = await createNodeWasmOps({ threads: 3, adaptive: false });
}, 180_000);

afterAll(async () => {
  await Promise.all([one, two, three].map((o) => o?.dispose()));
});

/** The same seeded matrix in each backend. */
function same(rows: number, cols: number, seed: number, scale = 1): Matrix[] {
  return [one, two, three].map((o) => randomMatrix(o, rows, cols, new Rng(seed), scale));
}


describe('kernel threads', () => {
  it('start as worker_threads and say what they are', () => {
    expect(two.threads).toBe(2);
    expect(two.poolKind).toBe('node-worker_threads');
    expect(two.threadNote).toBe('');
    expect(three.threads).toBe(3);
  });

  it('give bit-identical products whatever the thread count, for every transpose and both split directions', () => {
    // Rows split when M > N, columns otherwise; every shape is big enough to be split.
    for (const [M, N, K] of [[128, 512, 784], [784, 50, 128], [130, 67, 129], [61, 517, 301]] as const) {
      expect(M * N * K).toBeGreaterThanOrEqual(GEMM_PARALLEL_MIN);
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = same(ta ? K : M, ta ? M : K, 1);
        const b = same(tb ? N : K, tb ? K : N, 2);
        const outs = same(M, N, 3);
        const before = two.threadedCalls;
        [one, two, three].forEach((o, i) => o.gemm(a[i]!, ta, b[i]!, tb, outs[i]!, true));
        expect(two.threadedCalls).toBe(before + 1);
        expectSameBits(outs[1]!, outs[0]!, `2 threads ${M}x${N}x${K} ${ta} ${tb}`);
        expectSameBits(outs[2]!, outs[0]!, `3 threads ${M}x${N}x${K} ${ta} ${tb}`);
        // and run to run
        two.gemm(a[1]!, ta, b[1]!, tb, outs[1]!, false);
        const again = Float32Array.from(outs[1]!.data);
        two.gemm(a[1]!, ta, b[1]!, tb, outs[1]!, false);
        expectSameBits(outs[1]!, again, `2 threads again ${M}x${N}x${K} ${ta} ${tb}`);
      }
    }
  });

  it('split large elementwise kernels, optimizer updates and gathers with the same results as one thread', () => {
    const n = ELEMENTWISE_PARALLEL_MIN + 37;
    const rows = 257, cols = Math.ceil(n / rows);
    const x = same(rows, cols, 4, 3);
    const d = same(rows, cols, 5);
    const before = two.threadedCalls;
    for (const kind of ['relu', 'sigmoid', 'tanh'] as const) {
      const ys = [one, two, three].map((o) => o.alloc(rows, cols));
      const dxs = [one, two, three].map((o) => o.alloc(rows, cols));
      [one, two, three].forEach((o, i) => {
        o[`${kind}Forward`](x[i]!, ys[i]!);
        o[`${kind}Backward`](ys[i]!, d[i]!, dxs[i]!);
      });
      expectSameBits(ys[1]!, ys[0]!, `${kind} forward, 2 threads`);
      expectSameBits(ys[2]!, ys[0]!, `${kind} forward, 3 threads`);
      expectSameBits(dxs[1]!, dxs[0]!, `${kind} backward, 2 threads`);
      expectSameBits(dxs[2]!, dxs[0]!, `${kind} backward, 3 threads`);
    }
    const bias = same(1, cols, 6);
    const sums = [one, two, three].map((o) => o.alloc(1, cols));
    [one, two, three].forEach((o, i) => {
      o.addRowInPlace(x[i]!, bias[i]!);
      o.sumRows(x[i]!, sums[i]!);
    });
    expectSameBits(x[1]!, x[0]!, 'bias add, 2 threads');
    expectSameBits(sums[1]!, sums[0]!, 'column sums, 2 threads');
    expectSameBits(sums[2]!, sums[0]!, 'column sums, 3 threads');

    const w = same(1, n, 7), g = same(1, n, 8), s1 = same(1, n, 9, 0.1), s2 = same(1, n, 10, 0.1);
    for (const s of s2) s.data.forEach((v, i, arr) => (arr[i] = Math.abs(v)));
    [one, two, three].forEach((o, i) => {
      o.sgdUpdate(w[i]!.data, g[i]!.data, 0.1);
      o.momentumUpdate(w[i]!.data, g[i]!.data, s1[i]!.data, 0.01, 0.9);
      o.adagradUpdate(w[i]!.data, g[i]!.data, s2[i]!.data, 0.01);
      o.adamUpdate(w[i]!.data, g[i]!.data, s1[i]!.data, s2[i]!.data, 0.001, 0.9, 0.999, 3);
      o.nesterovUpdate(w[i]!.data, g[i]!.data, s1[i]!.data, 0.01, 0.9);
      o.rmspropUpdate(w[i]!.data, g[i]!.data, s2[i]!.data, 0.01, 0.99);
    });
    for (const arr of [w, s1, s2]) {
      expectSameBits(arr[1]!, arr[0]!, 'optimizer, 2 threads');
      expectSameBits(arr[2]!, arr[0]!, 'optimizer, 3 threads');
    }

    const rng = new Rng(12);
    const images = Uint8Array.from({ length: 1000 * 784 }, () => rng.int(256));
    const indices = Int32Array.from({ length: 200 }, () => rng.int(1000));
    const batches = [one, two, three].map((o) => o.alloc(200, 784));
    [one, two, three].forEach((o, i) => o.gatherRows(images, 784, indices, 1 / 255, batches[i]!));
    expectSameBits(batches[1]!, batches[0]!, 'gather, 2 threads');
    expectSameBits(batches[2]!, batches[0]!, 'gather, 3 threads');
    expect(two.threadedCalls - before).toBe(3 * 2 + 2 + 6 + 1);
    expect(one.threadedCalls).toBe(0);
    // Growing memory along the way must not push any kernel onto the slow path.
    expect([one.fallbackCalls, two.fallbackCalls, three.fallbackCalls]).toEqual([0, 0, 0]);
  });

  it('with the adaptive policy (the default), a call runs split or alone as timings say, with the same bits either way', async () => {
    const adaptive = await createNodeWasmOps({ threads: 2 });
    try {
      const a = [one, adaptive].map((o) => randomMatrix(o, 300, 400, new Rng(21)));
      const b = [one, adaptive].map((o) => randomMatrix(o, 400, 200, new Rng(22)));
      const c = [one, adaptive].map((o) => o.alloc(300, 200));
      const y = [one, adaptive].map((o) => o.alloc(300, 200));
      for (let i = 0; i < 40; i++) {
        [one, adaptive].forEach((o, j) => {
          o.gemm(a[j]!, false, b[j]!, false, c[j]!, true);
          o.tanhForward(c[j]!, y[j]!);
        });
      }
      expectSameBits(c[1]!, c[0]!, 'accumulated products, adaptive 2 threads');
      expectSameBits(y[1]!, y[0]!, 'tanh, adaptive 2 threads');
      // It measured both ways: split first, then one thread alone, then whichever is faster.
      expect(adaptive.threadedCalls).toBeGreaterThanOrEqual(4);
      expect(adaptive.keptSingleCalls).toBeGreaterThanOrEqual(2);
      expect(adaptive.threadedCalls + adaptive.keptSingleCalls).toBe(80);
    } finally {
      await adaptive.dispose();
    }
  });

  it('report a share that fails in a worker as an error on the caller, not a hang', async () => {
    // A module whose runJob traps on every thread but the caller's:
    // (func (export "runJob") (param i32 i32 i32) (if (local.get 1) (then unreachable)))
    const bytes = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00,
      0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x03, 0x01, 0x80, 0x80, 0x02,
      0x03, 0x02, 0x01, 0x00,
      0x07, 0x0a, 0x01, 0x06, 0x72, 0x75, 0x6e, 0x4a, 0x6f, 0x62, 0x00, 0x00,
      0x0a, 0x0a, 0x01, 0x08, 0x00, 0x20, 0x01, 0x04, 0x40, 0x00, 0x0b, 0x0b,
    ]);
    const module = await WebAssembly.compile(bytes);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 32768, shared: true });
    let callerRuns = 0;
    const team = await KernelTeam.start(createNodeThreadPool(), 2, {
      module,
      memory,
      ctrl: 0,
      job: 512,
      runOnCaller: () => void callerRuns++,
    });
    try {
      expect(() => team.run()).toThrow(StudioError);
      expect(() => team.run()).toThrow(/^kernel thread [12]: .*unreachable/);
      expect(callerRuns).toBe(2);
    } finally {
      await team.close();
    }
    expect(() => team.run()).toThrow('kernel threads were shut down (ops disposed)');
  });

  it('turn a pool that cannot start workers into a clear error', async () => {
    const broken: ThreadPool = {
      kind: 'test-pool',
      cores: 4,
      spawn: () => {
        throw new Error('no threads here');
      },
    };
    await expect(createWasmOps({ threads: 2, pool: broken })).rejects.toThrow('could not start kernel thread 1 (test-pool): no threads here');
  });

  it('fall back to one thread, and say why, where no pool can be made', async () => {
    expect(webThreadSupport()).toEqual({ ok: false, reason: 'this context cannot start Web Workers' });
    const ops = await createWasmOps({ threads: 4 });
    expect(ops.threads).toBe(1);
    expect(ops.threadNote).toBe('one thread: this context cannot start Web Workers (pass a thread pool)');
    const plain = await createNodeWasmOps({ threads: 2, sharedMemory: false, memoryMB: 16 });
    expect(plain.threads).toBe(1);
    expect(plain.threadNote).toBe('one thread: shared memory was turned off');
    await Promise.all([ops.dispose(), plain.dispose()]);
  });

  it('default to every core the pool reports', async () => {
    const pool = createNodeThreadPool();
    const ops = await createWasmOps({ pool });
    expect(ops.threads).toBe(pool.cores);
    await ops.dispose();
    expect(ops.threads).toBe(1); // disposed: keeps working on the calling thread
    const a = ops.alloc(2, 2), out = ops.alloc(2, 2);
    a.data.set([1, 2, 3, 4]);
    ops.gemm(a, false, a, false, out);
    expect(Array.from(out.data)).toEqual([7, 10, 15, 22]);
  });

  it('run as Web Workers in browser mode when the page is cross-origin isolated, and fall back to one thread when workers are refused', async () => {
    // A stand-in for the browser's globals: Worker runs the Blob's script in a worker_thread
    // and speaks the DOM Worker interface (onmessage/onerror/postMessage/terminate).
    const g = globalThis as Record<string, unknown>;
    const saved = { Worker: g.Worker, crossOriginIsolated: g.crossOriginIsolated, Blob: g.Blob, URL: g.URL };
    const scripts = new Map<string, string>();
    class FakeBlob {
      constructor(readonly parts: string[]) {}
    }
    const FakeURL = { createObjectURL: (b: FakeBlob) => (scripts.set(`blob:${scripts.size}`, b.parts.join('')), `blob:${scripts.size - 1}`) };
    let started = 0;
    class FakeWorker {
      onmessage: ((e: { data: unknown }) => void) | null = null;
      onerror: ((e: { message?: string }) => void) | null = null;
      private readonly w: NodeWorker;
      constructor(url: string) {
        started++;
        this.w = new NodeWorker(scripts.get(url)!, { eval: true });
        this.w.unref();
        this.w.on('message', (data) => this.onmessage?.({ data }));
        this.w.on('error', (e) => this.onerror?.({ message: e.message }));
      }
      postMessage(m: unknown): void {
        this.w.postMessage(m);
      }
      terminate(): void {
        void this.w.terminate();
      }
    }
    try {
      Object.assign(g, { Worker: FakeWorker, crossOriginIsolated: true, Blob: FakeBlob, URL: FakeURL });
      expect(webThreadSupport()).toEqual({ ok: true, reason: '' });
      expect(createWebWorkerPool()?.kind).toBe('web-workers');
      const ops = await createWasmOps({ threads: 2 });
      expect([ops.threads, ops.poolKind, ops.threadNote]).toEqual([2, 'web-workers', '']);
      expect(started).toBe(1);
      const [M, N, K] = [96, 130, 70];
      const a = randomMatrix(ops, M, K, new Rng(1)), b = randomMatrix(ops, K, N, new Rng(2)), c = ops.alloc(M, N);
      const a1 = randomMatrix(one, M, K, new Rng(1)), b1 = randomMatrix(one, K, N, new Rng(2)), c1 = one.alloc(M, N);
      ops.gemm(a, false, b, false, c);
      one.gemm(a1, false, b1, false, c1);
      expect(ops.threadedCalls).toBe(1);
      expectSameBits(c, c1, 'gemm on Web Worker threads');
      await ops.dispose();

      // A page whose policy refuses blob: workers.
      g.Worker = class {
        constructor() {
          throw new Error("Refused to create a worker from 'blob:' because it violates the Content Security Policy");
        }
      };
      const single = await createWasmOps({ threads: 2 });
      expect(single.threads).toBe(1);
      expect(single.threadNote).toBe(
        "one thread: could not start kernel thread 1 (web-workers): Refused to create a worker from 'blob:' because it violates the Content Security Policy",
      );
      await single.dispose();

      g.crossOriginIsolated = false;
      expect(webThreadSupport().reason).toMatch(/^the page is not cross-origin isolated \(serve it with COOP: same-origin and COEP: require-corp\)/);
      const notIsolated = await createWasmOps({ threads: 2 });
      expect(notIsolated.threadNote).toMatch(/^one thread: the page is not cross-origin isolated/);
      await notIsolated.dispose();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete g[k];
        else g[k] = v;
      }
    }
  });
});
