/**
 * The native backend: matrix products on ONNX Runtime's CPU kernels (MLAS: AVX2/AVX-512
 * on x64, NEON on arm64), everything else on the WebAssembly kernels. The layers do not
 * know: this is one more `Ops`.
 *
 * Why the WebAssembly part runs on a plain (unshared) memory and one thread: ONNX
 * Runtime's binding refuses views of a SharedArrayBuffer, and tensors must stay where
 * both can use them without copies. The products, which are most of the work, run on
 * ONNX Runtime's own thread pool; the elementwise kernels and updates, which are
 * memory-bound, stay on the calling thread.
 *
 * Small products stay on WebAssembly: a call into ONNX Runtime costs ~9 µs, more than a
 * product of a few ten thousand multiply-adds takes. Which side runs a product depends
 * only on its size (NATIVE_GEMM_MIN, justified by `npm run bench -- --only gemm`), never
 * on timings, so a given backend and thread count give the same bits run after run.
 */
import { StudioError } from '../../core/errors.js';
import { Matrix } from '../../core/matrix.js';
import type { Ops } from '../../core/ops/types.js';
import { gemmDims } from '../../core/ops/gemm-shape.js';
import type { WasmOps } from '../../core/ops/wasm/wasm-ops.js';
import { createNodeWasmOps } from '../wasm-threads.js';
import { loadOrtBinding } from './ort-binding.js';
import { createNativeGemm } from './ort-gemm.js';
import type { CopyRemedy } from './dropped-copies.js';
import { TransposeScratch } from './transpose-scratch.js';
import { prefetchRows } from './row-prefetch.js';

/**
 * Products of at least this many multiply-adds (M·N·K) go to ONNX Runtime. Below it the
 * call overhead outweighs MLAS's speed (bench gemm section: "native/wasm" per shape).
 */
export const NATIVE_GEMM_MIN = 1 << 17;
/**
 * ...and a reduction of at least this many terms: a product over a short K (an Affine
 * layer's dx when it has 10 outputs) writes more than it computes, and MLAS with two
 * threads ran it at half the WebAssembly kernel's speed (bench: 128x512x10, 14 against 35 GFLOP/s).
 */
export const NATIVE_GEMM_MIN_K = 16;

/**
 * Where products with a transposed A (the weight gradients xᵀ·dout) run. MLAS's own
 * transposed packing: with the binding's output copies given back (dropped-copies.ts) it
 * ran them at 80-140 GFLOP/s against WebAssembly's 45-50 (1 thread, interleaved: 784x512x128,
 * 512x512x128, 784x50x100), and a transposed copy first ('flip') was no faster (W1 and W2,
 * 1 thread, 4 alternating runs each: within 3%). They had looked slow on MLAS only because
 * their outputs are the largest, so their copies faulted the most pages.
 */
export const TRANSPOSED_A: 'flip' | 'native' | 'wasm' = 'native';
/**
 * Products with more rows than this stay on WebAssembly (none, by default). A convolution's
 * im2col product (N·OH·OW rows, e.g. 57,600 x 30 x 25) had stayed there while the binding's
 * 6.9 MB copy of its result waited for a collection (19 GFLOP/s on MLAS against 34); with
 * the copies detached (dropped-copies.ts) MLAS wins: SimpleConvNet, medians of 5 alternating
 * runs, 1 thread 5,724 -> 7,111 samples/s, 2 threads 5,024 -> 6,405 (WebAssembly alone 4,410
 * and 5,814). Kept as an option (BENCH_NATIVE_OPTS maxNativeRows) to compare.
 */
export const MAX_NATIVE_ROWS = Infinity;

/**
 * Where the runtime cannot detach the binding's output copies (dropped-copies.ts), the
 * young generation is collected each time the dropped copies reach this many bytes.
 * Measured on the 2-core build VM, 1 thread: 128x512x784 75 GFLOP/s without collections,
 * 140-160 with one every 0.25-4 MiB; products with small outputs (784x50x100, 153 KB) ran
 * 14-62 GFLOP/s by the run at 1 MiB and 50-62 at 256 KiB (the C allocator gives a large
 * freed block back to the system, then faults it in again). A collection takes 140-170 µs
 * inside the training loop, which is why detaching is the default.
 */
export const COLLECT_EVERY_BYTES = 256 << 10;

/**
 * With more than one thread, products of fewer multiply-adds (M·N·K) than this run on the
 * calling thread alone (a second set of one-thread sessions): waking ONNX Runtime's
 * sleeping pool thread costs more than it saves on them. W1 on 2 threads (its products
 * 3.9 M each), medians of 5 alternating runs: 0.220 s an epoch with every product on the
 * pool, 0.169 s with this rule (1 thread: 0.17); W2's (33-51 M) stay on the pool, where they
 * are faster than on one thread (0.539 s against 0.604 for 200 steps). MLAS splits a product
 * by rows and columns, never along K, so both give the same bits (tested).
 */
export const PARALLEL_GEMM_MIN = 1 << 23;

/** A transposed B goes to MLAS as a transposed copy when the products' K is below this (see TransposeScratch). */
export const TRANSPOSE_B_BELOW_K = 64;

export interface NativeOpsOptions {
  /**
   * Products with a transposed A (the weight gradients xᵀ·dout): 'native' lets MLAS
   * transpose (default, TRANSPOSED_A), 'flip' copies A transposed first, 'wasm' keeps them on WebAssembly.
   */
  transposedA?: 'flip' | 'native' | 'wasm';
  /** Products with more rows than this stay on WebAssembly (default MAX_NATIVE_ROWS: none). */
  maxNativeRows?: number;
  /** Copy a transposed B when K is below this (default TRANSPOSE_B_BELOW_K; 0: never). */
  transposeBBelowK?: number;
  /** Threads for the products (ONNX Runtime's intra-op pool, the caller included), 1..64. */
  threads: number;
  /** With threads > 1, smaller products run on one thread (default PARALLEL_GEMM_MIN; 0: never). */
  parallelGemmMin?: number;
  /** Override NATIVE_GEMM_MIN and NATIVE_GEMM_MIN_K (tests use 0 to send every product to ONNX Runtime). */
  nativeGemmMin?: number;
  nativeGemmMinK?: number;
  /**
   * ONNX Runtime's idle threads spin before they sleep (default true): faster between
   * back-to-back products; the desktop engine turns it off so that an idle pool thread
   * does not take a core from the window that draws the charts.
   */
  spinning?: boolean;
  /** Detach the binding's output copies as they come back (default true; dropped-copies.ts). */
  detachCopies?: boolean;
  /** Without detaching: collect the dropped copies every this many bytes (default COLLECT_EVERY_BYTES; Infinity: never). */
  collectEveryBytes?: number;
  /** Read the first element of every gathered row before the gather (row-prefetch.ts; default true). */
  prefetchRows?: boolean;
  /** Where to look for the binary (see ort-binding.ts); default process.env. */
  env?: Record<string, string | undefined>;
  /** Most WebAssembly memory for tensors, in MiB (a plain memory is reserved whole; default 2048). */
  memoryMB?: number;
}

export interface NativeOps extends Ops {
  readonly threads: number;
  /** Products run by ONNX Runtime and by WebAssembly so far. */
  readonly nativeCalls: number;
  readonly wasmCalls: number;
  /** "onnxruntime 1.31.1 (linux-x64)" */
  readonly library: string;
  /** How the binding's output copies are given back: 'detach', 'collect' or 'none' (dropped-copies.ts). */
  readonly copyRemedy: CopyRemedy;
  dispose(): Promise<void>;
}

export async function createNativeOps(opts: NativeOpsOptions): Promise<NativeOps> {
  const { threads } = opts;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new StudioError('BAD_USAGE', `threads must be a whole number from 1 to 64, got ${threads}`);
  }
  const ort = loadOrtBinding(opts.env);
  const gemm = await createNativeGemm(ort, {
    threads,
    spinning: opts.spinning ?? false,
    detachCopies: opts.detachCopies ?? true,
    collectEveryBytes: opts.collectEveryBytes ?? COLLECT_EVERY_BYTES,
  });
  let wasm: WasmOps;
  try {
    wasm = await createNodeWasmOps({ threads: 1, sharedMemory: false, memoryMB: opts.memoryMB ?? 2048 });
  } catch (e) {
    gemm.dispose();
    throw e;
  }
  const min = opts.nativeGemmMin ?? NATIVE_GEMM_MIN;
  const minK = opts.nativeGemmMinK ?? NATIVE_GEMM_MIN_K;
  let nativeCalls = 0;
  let wasmCalls = 0;
  const library = `onnxruntime${ort.version ? ` ${ort.version}` : ''} (${process.platform}-${process.arch})`;

  /** ONNX Runtime takes float32 views of a plain ArrayBuffer only. */
  const nativeReady = (m: Matrix): boolean => m.data instanceof Float32Array && !(m.data.buffer instanceof SharedArrayBuffer);

  const ops: NativeOps = Object.create(wasm, {
    name: { value: 'native-mlas', enumerable: true },
    threads: { value: threads, enumerable: true },
    library: { value: library, enumerable: true },
    copyRemedy: { value: gemm.copyRemedy, enumerable: true },
    nativeCalls: { get: () => nativeCalls, enumerable: true },
    wasmCalls: { get: () => wasmCalls, enumerable: true },
  });
  // Matrices whose sizes are multiples of 4 KiB, laid end to end, start at the same offset
  // within a page; MLAS then reads its operands through the same cache sets and slows down
  // up to 4x (784x128 by 128x512 with Aᵀ: 31 to 117 GFLOP/s by the operands' placement alone).
  // So every matrix starts 64·k bytes into its block, k cycling over 61 values.
  const originals = new WeakMap<ArrayBufferView, Matrix>();
  let stagger = 0;
  ops.alloc = (rows, cols) => {
    const n = rows * cols;
    if (n === 0) return wasm.alloc(rows, cols);
    stagger = (stagger + 7) % 61;
    const shift = (stagger + 1) * 16;
    const block = wasm.alloc(1, n + shift);
    const m = new Matrix(rows, cols, (block.data as Float32Array).subarray(shift, shift + n));
    originals.set(m.data, block);
    return m;
  };
  ops.free = (m) => {
    const block = originals.get(m.data);
    if (block) {
      originals.delete(m.data);
      wasm.free(block);
    } else wasm.free(m);
  };
  const scratchA = new TransposeScratch(ops);
  const scratchB = new TransposeScratch(ops);
  const transposedA = opts.transposedA ?? TRANSPOSED_A;
  const maxRows = opts.maxNativeRows ?? MAX_NATIVE_ROWS;
  const transposeBBelowK = opts.transposeBBelowK ?? TRANSPOSE_B_BELOW_K;
  const parallelMin = opts.parallelGemmMin ?? PARALLEL_GEMM_MIN;
  ops.gemm = (a, transA, b, transB, out, accumulate = false) => {
    const { M, N, K } = gemmDims(a, transA, b, transB, out);
    if (M * N * K >= min && K >= minK && M <= maxRows && !(transA && transposedA === 'wasm') && nativeReady(a) && nativeReady(b) && nativeReady(out)) {
      nativeCalls++;
      // MLAS is fastest on plain operands: hand it transposed copies where its own transposed paths are slow.
      const flipA = transA && transposedA === 'flip';
      const flipB = transB && K < transposeBBelowK;
      gemm.run(flipA ? scratchA.of(a) : a, transA && !flipA, flipB ? scratchB.of(b) : b, transB && !flipB, out, accumulate, M * N * K < parallelMin);
    } else {
      wasmCalls++;
      wasm.gemm(a, transA, b, transB, out, accumulate);
    }
  };
  if (opts.prefetchRows ?? true) {
    ops.gatherRows = (source, cols, indices, scale, out) => {
      prefetchRows(source, cols, indices);
      wasm.gatherRows(source, cols, indices, scale, out);
    };
  }
  ops.dispose = async () => {
    scratchA.dispose();
    scratchB.dispose();
    gemm.dispose();
    await wasm.dispose();
  };
  return ops;
}
