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
import type { Matrix } from '../../core/matrix.js';
import type { Ops } from '../../core/ops/types.js';
import { gemmDims } from '../../core/ops/gemm-shape.js';
import type { WasmOps } from '../../core/ops/wasm/wasm-ops.js';
import { createNodeWasmOps } from '../wasm-threads.js';
import { loadOrtBinding } from './ort-binding.js';
import { createNativeGemm } from './ort-gemm.js';

/**
 * Products of at least this many multiply-adds (M·N·K) go to ONNX Runtime. Below it the
 * call overhead outweighs MLAS's speed (bench gemm section: "native/wasm" per shape).
 */
export const NATIVE_GEMM_MIN = 1 << 17;

export interface NativeOpsOptions {
  /** Threads for the products (ONNX Runtime's intra-op pool, the caller included), 1..64. */
  threads: number;
  /** Override NATIVE_GEMM_MIN (tests use 0 to send every product to ONNX Runtime). */
  nativeGemmMin?: number;
  /**
   * ONNX Runtime's idle threads spin before they sleep (default true): faster between
   * back-to-back products; the desktop engine turns it off so that an idle pool thread
   * does not take a core from the window that draws the charts.
   */
  spinning?: boolean;
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
  readonly wasm: WasmOps;
  dispose(): Promise<void>;
}

export async function createNativeOps(opts: NativeOpsOptions): Promise<NativeOps> {
  const { threads } = opts;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new StudioError('BAD_USAGE', `threads must be a whole number from 1 to 64, got ${threads}`);
  }
  const ort = loadOrtBinding(opts.env);
  const gemm = await createNativeGemm(ort, { threads, spinning: opts.spinning ?? true });
  let wasm: WasmOps;
  try {
    wasm = await createNodeWasmOps({ threads: 1, sharedMemory: false, memoryMB: opts.memoryMB ?? 2048 });
  } catch (e) {
    gemm.dispose();
    throw e;
  }
  const min = opts.nativeGemmMin ?? NATIVE_GEMM_MIN;
  let nativeCalls = 0;
  let wasmCalls = 0;
  const library = `onnxruntime${ort.version ? ` ${ort.version}` : ''} (${process.platform}-${process.arch})`;

  /** ONNX Runtime takes float32 views of a plain ArrayBuffer only. */
  const nativeReady = (m: Matrix): boolean => m.data instanceof Float32Array && !(m.data.buffer instanceof SharedArrayBuffer);

  const ops: NativeOps = Object.create(wasm, {
    name: { value: 'native-mlas', enumerable: true },
    threads: { value: threads, enumerable: true },
    library: { value: library, enumerable: true },
    wasm: { value: wasm },
    nativeCalls: { get: () => nativeCalls, enumerable: true },
    wasmCalls: { get: () => wasmCalls, enumerable: true },
  });
  ops.gemm = (a, transA, b, transB, out, accumulate = false) => {
    const { M, N, K } = gemmDims(a, transA, b, transB, out);
    if (M * N * K >= min && M * N * K > 0 && nativeReady(a) && nativeReady(b) && nativeReady(out)) {
      nativeCalls++;
      gemm.run(a, transA, b, transB, out, accumulate);
    } else {
      wasmCalls++;
      wasm.gemm(a, transA, b, transB, out, accumulate);
    }
  };
  ops.dispose = async () => {
    gemm.dispose();
    await wasm.dispose();
  };
  return ops;
}
