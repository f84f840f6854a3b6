import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Matrix } from '../../../../core/matrix.js';
import { WasmHeap, sizeClass } from '../../../../core/ops/wasm/heap.js';
import type { WasmOps } from '../../../../core/ops/wasm/wasm-ops.js';
import { createNodeWasmOps } from '../../../../node/wasm-threads.js';
import { Rng, buildKernels } from './wasm-test-helpers.js';
import { studioFailure } from '../../studio-failure.js';

const PAGE = 65536;

describe('sizeClass', () => {
  it('rounds up to 64-byte multiples, wastes at most a quarter above 4 KiB, and never shrinks', () => {
    let last = 0;
    for (let bytes = 1; bytes < 5_000_000; bytes = Math.ceil(bytes * 1.07) + 1) {
      const c = sizeClass(bytes);
      expect(c % 64, `class of ${bytes}`).toBe(0);
      expect(c).toBeGreaterThanOrEqual(bytes);
      expect(c).toBeGreaterThanOrEqual(last);
      if (bytes > 4096) expect(c / bytes).toBeLessThanOrEqual(1.25);
      last = c;
    }
    expect(sizeClass(0)).toBe(64);
    expect(sizeClass(4096)).toBe(4096);
    expect(sizeClass(4097)).toBe(5120);
  });
});

describe('WasmHeap', () => {
  const make = (pages: number, maxPages: number, shared: boolean) => {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: maxPages, shared });
    let grew = 0;
    const heap = new WasmHeap(memory, 1024, maxPages * PAGE, shared, () => grew++);
    return { memory, heap, grows: () => grew };
  };

  it('reuses a freed block for the next request of its class', () => {
    const { heap } = make(1, 4, true);
    const a = heap.alloc(1000);
    const b = heap.alloc(1000);
    heap.release(a);
    expect(heap.alloc(990)).toBe(a);
    expect(b).not.toBe(a);
  });

  it('keeps live blocks apart through a long random run of allocations and frees', () => {
    const { heap } = make(1, 256, true);
    const rng = new Rng(42);
    const live = new Map<number, number>();
    for (let step = 0; step < 3000; step++) {
      if (live.size > 0 && rng.next() < 0.45) {
        const keys = [...live.keys()];
        const p = keys[rng.int(keys.length)]!;
        heap.release(p);
        live.delete(p);
      } else {
        const bytes = 1 + rng.int(rng.next() < 0.1 ? 200_000 : 3000);
        const p = heap.alloc(bytes);
        expect(p % 64).toBe(0);
        live.set(p, bytes);
      }
    }
    const spans = [...live].sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![0] + spans[i - 1]![1]);
    expect(heap.stats().liveBlocks).toBe(live.size);
  });

  it('grows a shared memory on demand and reports when the maximum is reached', () => {
    const { heap, memory, grows } = make(1, 8, true);
    heap.alloc(3 * PAGE);
    expect(grows()).toBeGreaterThan(0);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(3 * PAGE + 1024);
    expect(studioFailure(() => heap.alloc(10 * PAGE))).toBe(
      "TOO_LARGE: out of WebAssembly memory: 0.6 MB more needed, 0.2 MB in use of at most 0.5 MB; use a smaller network or batch",
    );
  });

  it('never grows a plain memory (that would detach the views already handed out)', () => {
    const { heap, memory, grows } = make(2, 8, false);
    heap.alloc(PAGE);
    expect(studioFailure(() => heap.alloc(2 * PAGE))).toMatch(/^TOO_LARGE/);
    expect(grows()).toBe(0);
    expect(memory.buffer.byteLength).toBe(2 * PAGE);
  });

  it('falls back to a larger free block when the memory is full', () => {
    const { heap } = make(1, 1, false);
    const big = heap.alloc(20_000);
    heap.alloc(40_000); // fills most of the page
    heap.release(big);
    const p = heap.alloc(10_000); // its own class cannot be bumped any more
    expect(p).toBe(big);
    heap.release(p);
    expect(heap.alloc(20_000)).toBe(big); // filed back under its own class
  });

  it('refuses to free a block twice or one it never gave out', () => {
    const { heap } = make(1, 4, true);
    const p = heap.alloc(100);
    heap.release(p);
    expect(studioFailure(() => heap.release(p))).toBe(`INTERNAL: wasm heap: block at ${p} is not allocated (freed twice, or not from this backend)`);
    expect(studioFailure(() => heap.release(12345))).toMatch(/^INTERNAL: wasm heap: block at 12345 is not allocated/);
  });
});

describe('wasm backend memory', () => {
  let ops: WasmOps;
  beforeAll(async () => {
    buildKernels();
    ops = await createNodeWasmOps({ threads: 1 });
  }, 180_000);
  afterAll(async () => {
    await ops.dispose();
  });

  it('hands out zeroed matrices, also when it reuses a freed block', () => {
    const m = ops.alloc(13, 7);
    m.data.fill(5);
    ops.free(m);
    const again = ops.alloc(13, 7);
    expect(again.data.byteOffset).toBe(m.data.byteOffset);
    expect(Array.from(again.data).every((v) => v === 0)).toBe(true);
  });

  it('keeps earlier matrices valid while the memory grows (shared memory never detaches)', () => {
    const first = ops.alloc(100, 100);
    for (let i = 0; i < first.data.length; i++) first.data[i] = i;
    const before = ops.memoryStats().memoryBytes;
    const big: Matrix[] = [];
    for (let i = 0; i < 6; i++) big.push(ops.alloc(1024, 1024)); // 24 MB more than the 16 MB start
    expect(ops.memoryStats().memoryBytes).toBeGreaterThan(before);
    expect(first.data.length).toBe(10_000);
    expect(first.data[9_999]).toBe(9_999);
    const out = ops.alloc(100, 100);
    ops.gemm(first, false, ops.alloc(100, 100), false, out); // kernels still reach it
    expect(ops.fallbackCalls).toBe(0);
    for (const m of big) ops.free(m);
  });

  it('accounts what is live and the peak', () => {
    const s0 = ops.memoryStats();
    const m = ops.alloc(256, 256);
    const s1 = ops.memoryStats();
    expect(s1.inUse - s0.inUse).toBe(256 * 256 * 4);
    expect(s1.peakInUse).toBeGreaterThanOrEqual(s1.inUse);
    ops.free(m);
    expect(ops.memoryStats().inUse).toBe(s0.inUse);
  });

  it('says so when a matrix is freed twice or was never its own', () => {
    const m = ops.alloc(3, 3);
    ops.free(m);
    expect(studioFailure(() => ops.free(m))).toMatch(/^INTERNAL: wasm heap: block at \d+ is not allocated/);
    expect(studioFailure(() => ops.free(Matrix.zeros(2, 2)))).toBe('INTERNAL: free: this 2x2 matrix was not allocated by the wasm backend');
    ops.free(ops.alloc(0, 5)); // empty matrices take no memory and free quietly
  });

  it('a plain memory is created at its final size and reports running out clearly', async () => {
    const plain = await createNodeWasmOps({ threads: 1, sharedMemory: false, memoryMB: 16 });
    expect(plain.sharedMemory).toBe(false);
    const keep = plain.alloc(10, 10);
    keep.data.fill(2);
    expect(studioFailure(() => plain.alloc(2048, 2048))).toMatch(/^TOO_LARGE: out of WebAssembly memory: 16\.0 MB more needed/);
    expect(keep.data[99]).toBe(2);
    await plain.dispose();
  });

  it('rejects nonsense options in one line', async () => {
    await expect(createNodeWasmOps({ threads: 0 })).rejects.toThrow('threads must be a whole number from 1 to 64, got 0');
    await expect(createNodeWasmOps({ memoryMB: 4 })).rejects.toThrow('memoryMB must be from 16 to 2048, got 4');
  });
});
