import { Matrix, type FloatArray } from '../../matrix.js';
import { StudioError, errorMessage } from '../../errors.js';
import type { Ops } from '../types.js';
import { gemmDims } from '../gemm-shape.js';
import { createReferenceOps } from '../reference.js';
import type { ConvOps } from '../types.js';
import type { ThreadPool } from '../threads/types.js';
import { KernelTeam } from '../threads/team.js';
import { CTRL_BYTES, JOB_BYTES } from '../threads/control.js';
import { createWebWorkerPool, webThreadSupport } from '../threads/web-pool.js';
import { BLOCK_ALIGN, WasmHeap, type HeapStats } from './heap.js';
import { ACT, JOB, JobWriter } from './job.js';
import { loadKernelModule, type KernelExports, type KernelVariant } from './loader.js';
import type { KernelContext } from './context.js';
import { createOptimizerOps } from './optim-ops.js';
import { createConvOps } from './conv-ops.js';
import { SplitPolicy } from '../threads/split-policy.js';
import { StagingArea } from './staging.js';
import { createGatherOps } from './gather-ops.js';

export interface WasmOpsOptions {
  /**
   * Threads that compute each large kernel, the calling thread included (1..64).
   * Default: every core the pool (or navigator.hardwareConcurrency) reports.
   */
  threads?: number;
  /**
   * Starts the kernel workers: node/wasm-threads.ts for Node and the Electron utility
   * process. Default: Web Workers where the context is cross-origin isolated, else one thread.
   */
  pool?: ThreadPool;
  /** 'auto' (default): fused multiply-add kernels where the engine has relaxed SIMD. */
  fma?: boolean | 'auto';
  /**
   * Most WebAssembly memory to use, in MiB. A shared memory starts small and grows up to
   * this (default 2048); a plain memory cannot grow without detaching every tensor view,
   * so it is created at this size at once (default 512).
   */
  memoryMB?: number;
  /** false forces a plain memory and one thread (what a browser without cross-origin isolation gets). */
  sharedMemory?: boolean;
  /**
   * true (default): split a kernel call across threads only while measured timings say it
   * pays (threads/split-policy.ts: on a machine where another program keeps a core busy,
   * one thread is often faster). false: split every call above the size thresholds.
   */
  adaptive?: boolean;
}

export interface WasmOps extends Ops {
  /** Threads each large kernel runs on, caller included. */
  readonly threads: number;
  /** Why fewer threads run than were asked for ('' when none). */
  readonly threadNote: string;
  /** 'relaxed' when the products use fused multiply-add. */
  readonly variant: KernelVariant;
  readonly sharedMemory: boolean;
  /** Who started the workers ('none' on one thread). */
  readonly poolKind: string;
  /**
   * Kernel calls that ran the TypeScript reference instead, because an argument was not
   * a float32 view into this backend's memory (a matrix made with `new Float32Array`, a
   * float64 matrix). Correct but slow: zero on a well-wired hot path.
   */
  readonly fallbackCalls: number;
  /** Kernel calls split across threads. */
  readonly threadedCalls: number;
  /** Calls big enough to split that the adaptive policy ran on one thread instead. */
  readonly keptSingleCalls: number;
  /** True when `a` is a view into this backend's WebAssembly memory. */
  owns(a: ArrayBufferView): boolean;
  memoryStats(): HeapStats;
  /** Stop the kernel threads; the backend keeps working on one thread afterwards. */
  dispose(): Promise<void>;
}

/** Products with at least this many multiply-adds are split across threads (~35 µs of work on one core). */
export const GEMM_PARALLEL_MIN = 1 << 19;
/** Elementwise kernels over at least this many floats (128 KiB) are split across threads: they are memory-bound, and two cores read faster than one. */
export const ELEMENTWISE_PARALLEL_MIN = 1 << 15;
/** Initial size of a shared memory; it grows as tensors are allocated. */
const SHARED_INITIAL_BYTES = 16 << 20;
const PAGE = 65536;

interface Globals {
  navigator?: { hardwareConcurrency?: number };
}

function defaultThreads(pool: ThreadPool | undefined): number {
  if (pool) return Math.max(1, pool.cores);
  const hc = (globalThis as Globals).navigator?.hardwareConcurrency;
  return typeof hc === 'number' && hc >= 1 ? Math.floor(hc) : 1;
}

function sharedMemoryWorks(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/**
 * The fast backend: kernels in WebAssembly with 128-bit SIMD (asm/), every tensor in
 * WebAssembly memory so kernels run on the data where it lies, large products and
 * updates split across threads over shared memory.
 *
 * Why a shared memory even on one thread: growing a plain WebAssembly memory detaches
 * its ArrayBuffer, and with it every Float32Array view already handed out in a Matrix.
 * Growing a shared memory never detaches anything (old views keep their length and stay
 * valid), so tensors can be allocated at any time. Where shared memory is unavailable
 * (a browser page without cross-origin isolation) the memory is plain, created at its
 * final size (`memoryMB`) and never grown; the backend then runs on one thread and
 * `threadNote` says why.
 */
export async function createWasmOps(opts: WasmOpsOptions = {}): Promise<WasmOps> {
  const asked = opts.threads ?? defaultThreads(opts.pool);
  if (!Number.isInteger(asked) || asked < 1 || asked > 64) {
    throw new StudioError('BAD_USAGE', `threads must be a whole number from 1 to 64, got ${asked}`);
  }
  const memoryMB = opts.memoryMB;
  if (memoryMB !== undefined && (!Number.isFinite(memoryMB) || memoryMB < 16 || memoryMB > 2048)) {
    throw new StudioError('BAD_USAGE', `memoryMB must be from 16 to 2048, got ${memoryMB}`);
  }

  let threadNote = '';
  const shared = opts.sharedMemory !== false && sharedMemoryWorks();
  let pool = opts.pool;
  let threads = asked;
  if (threads > 1 && !shared) {
    threadNote = opts.sharedMemory === false
      ? 'one thread: shared memory was turned off'
      : `one thread: ${webThreadSupport().reason || 'this engine has no shared WebAssembly memory'}`;
    threads = 1;
  }
  if (threads > 1 && !pool) {
    pool = createWebWorkerPool() ?? undefined;
    if (!pool) {
      threadNote = `one thread: ${webThreadSupport().reason || 'no way to start worker threads here'} (pass a thread pool)`;
      threads = 1;
    }
  }

  const kernels = await loadKernelModule(shared, opts.fma ?? 'auto');
  const maxBytes = Math.min(kernels.maxPages * PAGE, (memoryMB ?? (shared ? 2048 : 512)) * 1048576);
  const memory = shared
    ? new WebAssembly.Memory({ initial: SHARED_INITIAL_BYTES / PAGE, maximum: maxBytes / PAGE, shared: true })
    : new WebAssembly.Memory({ initial: maxBytes / PAGE, maximum: maxBytes / PAGE });
  const instance = await WebAssembly.instantiate(kernels.module, { env: { memory } });
  const k = instance.exports as unknown as KernelExports;

  // Layout: [module statics][control block][job][scratch per thread][heap ...]
  const ctrl = align(k.heapBase());
  const jobPtr = ctrl + CTRL_BYTES;
  const scratchBytes = align(k.threadScratchBytes());
  const scratchBase = align(jobPtr + JOB_BYTES);
  const heapStart = align(scratchBase + scratchBytes * threads);
  if (heapStart + (1 << 20) > maxBytes) {
    throw new StudioError('BAD_USAGE', `memoryMB ${memoryMB} is too small for ${threads} threads`);
  }
  if (heapStart > memory.buffer.byteLength) memory.grow(Math.ceil((heapStart - memory.buffer.byteLength) / PAGE));

  // Which ArrayBuffer objects are views of our memory. A shared memory's `buffer` object
  // changes when the memory grows, and V8 may also swap it later, when the other threads
  // learn of the growth; so every buffer object a view was made from is recorded here.
  const buffers = new Set<ArrayBufferLike>();
  const currentBuffer = (): ArrayBufferLike => {
    const b = memory.buffer;
    buffers.add(b);
    return b;
  };
  currentBuffer();
  const heap = new WasmHeap(memory, heapStart, maxBytes, shared, currentBuffer);
  const job = new JobWriter(memory.buffer, jobPtr, scratchBase);
  const buf0 = scratchBase + scratchBytes - 64;

  let team: KernelTeam | null = null;
  let poolKind = 'none';
  if (threads > 1 && pool) {
    const init = { module: kernels.module, memory, ctrl, job: jobPtr, runOnCaller: (n: number) => k.runJob(jobPtr, 0, n) };
    if (opts.pool) {
      // A pool the caller chose: if it cannot start, that is the caller's error to see.
      team = await KernelTeam.start(pool, threads - 1, init);
    } else {
      // Web Workers we tried on our own (a page's CSP may forbid blob: workers): one thread, and say why.
      try {
        team = await KernelTeam.start(pool, threads - 1, init);
      } catch (e) {
        threadNote = `one thread: ${errorMessage(e)}`;
      }
    }
    if (team) poolKind = pool.kind;
  }

  const ref = createReferenceOps('f32');
  let fallbackCalls = 0;
  let threadedCalls = 0;

  const owns = (a: ArrayBufferView): boolean => {
    if (buffers.has(a.buffer)) return true;
    if (a.buffer !== memory.buffer) return false;
    buffers.add(a.buffer);
    return true;
  };
  /** Byte offset of a float32 view into our memory, or -1. */
  const ptr = (a: FloatArray): number => (a instanceof Float32Array && owns(a) ? a.byteOffset : -1);

  const staging = new StagingArea(heap, currentBuffer);

  const runTeam = (): void => {
    threadedCalls++;
    team!.run();
  };

  const sameLength = (what: string, a: Matrix, b: Matrix): void => {
    if (a.data.length !== b.data.length) {
      throw new StudioError('SHAPE_MISMATCH', `${what}: ${a.shapeString()} and ${b.shapeString()} differ in size`);
    }
  };

  const checkLabels = (what: string, labels: Int32Array, rows: number, cols: number): void => {
    if (labels.length < rows) throw new StudioError('SHAPE_MISMATCH', `${what}: ${rows} rows but ${labels.length} labels`);
    for (let r = 0; r < rows; r++) {
      const l = labels[r]!;
      if (!(l >= 0 && l < cols)) {
        throw new StudioError('SHAPE_MISMATCH', `${what}: label ${l} in row ${r} is outside 0..${cols - 1} (the network has ${cols} outputs)`);
      }
    }
  };

  const stageLabels = (labels: Int32Array, rows: number, extraBytes: number): number => {
    const p = staging.reserve(rows * 4 + 16 + extraBytes);
    staging.i32.set(rows === labels.length ? labels : labels.subarray(0, rows), 0);
    return p;
  };

  const policy = new SplitPolicy();
  const adaptive = opts.adaptive !== false;
  /**
   * Split this call of job `kind` over `work` units across the threads? Never below `min`;
   * above it the policy decides from measured timings (or always, with adaptive: false).
   */
  const split = (kind: number, work: number, min = ELEMENTWISE_PARALLEL_MIN): boolean =>
    team !== null && work >= min && (!adaptive || policy.begin(kind, work));
  const finish = (): void => policy.finish();

  const context: KernelContext = {
    k, job, ref, ptr, buf0, scratchBase,
    split,
    finish,
    threads: () => (team ? team.threads : 1),
    runTeam,
    fellBack: () => void fallbackCalls++,
    owns,
    allocBytes: (bytes) => heap.alloc(bytes),
    release: (p) => heap.release(p),
    buffer: currentBuffer,
  };

  const ops: WasmOps = Object.assign({
    name: 'wasm-simd',
    precision: 'f32',
    get threads() {
      return team ? team.threads : 1;
    },
    threadNote,
    variant: kernels.variant,
    sharedMemory: shared,
    get poolKind() {
      return team ? poolKind : 'none';
    },
    get fallbackCalls() {
      return fallbackCalls;
    },
    get threadedCalls() {
      return threadedCalls;
    },
    get keptSingleCalls() {
      return policy.singleCalls;
    },
    owns,
    memoryStats: () => heap.stats(),
    async dispose() {
      const t = team;
      team = null;
      if (t) await t.close();
    },

    alloc(rows, cols) {
      if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
        throw new RangeError(`Matrix shape must be non-negative integers, got ${rows}x${cols}`);
      }
      const n = rows * cols;
      if (n === 0) return new Matrix(rows, cols, new Float32Array(memory.buffer, heapStart, 0));
      const p = heap.alloc(n * 4);
      const data = new Float32Array(currentBuffer(), p, n);
      data.fill(0);
      return new Matrix(rows, cols, data);
    },

    free(m) {
      if (m.data.length === 0) return;
      const p = ptr(m.data);
      if (p < 0) throw new StudioError('INTERNAL', `free: this ${m.shapeString()} matrix was not allocated by the wasm backend`);
      heap.release(p);
    },

    gemm(a, transA, b, transB, out, accumulate = false) {
      const { M, N, K } = gemmDims(a, transA, b, transB, out);
      const pa = ptr(a.data), pb = ptr(b.data), pc = ptr(out.data);
      if (pa < 0 || pb < 0 || pc < 0) {
        fallbackCalls++;
        ref.gemm(a, transA, b, transB, out, accumulate);
        return;
      }
      const ta = transA ? 1 : 0, tb = transB ? 1 : 0, acc = accumulate ? 1 : 0;
      if (split(JOB.GEMM, M * N * K, GEMM_PARALLEL_MIN)) {
        job.write(JOB.GEMM, pa, a.cols, ta, pb, b.cols, tb, pc, N, M, N, K, acc).resetCounter();
        runTeam();
      } else {
        k.gemm(pa, a.cols, ta, pb, b.cols, tb, pc, N, M, N, K, acc, scratchBase, 0, 1, 0);
      }
      finish();
    },

    addRowInPlace(x, bias) {
      if (bias.data.length !== x.cols) {
        throw new StudioError('SHAPE_MISMATCH', `addRow: bias ${bias.shapeString()} does not match ${x.cols} columns`);
      }
      const px = ptr(x.data), pb = ptr(bias.data);
      if (px < 0 || pb < 0) {
        fallbackCalls++;
        ref.addRowInPlace(x, bias);
        return;
      }
      if (split(JOB.ADD_ROW, x.data.length)) {
        job.write(JOB.ADD_ROW, px, x.rows, x.cols, pb);
        runTeam();
      } else k.addRow(px, x.rows, x.cols, pb, buf0, 0, 1);
      finish();
    },

    sumRows(x, out) {
      if (out.data.length !== x.cols) {
        throw new StudioError('SHAPE_MISMATCH', `sumRows: out ${out.shapeString()} does not match ${x.cols} columns`);
      }
      const px = ptr(x.data), po = ptr(out.data);
      if (px < 0 || po < 0) {
        fallbackCalls++;
        ref.sumRows(x, out);
        return;
      }
      if (split(JOB.SUM_ROWS, x.data.length)) {
        job.write(JOB.SUM_ROWS, px, x.rows, x.cols, po);
        runTeam();
      } else k.sumRows(px, x.rows, x.cols, po, 0, 1);
      finish();
    },

    reluForward: (x, out) => activation('relu', x, out),
    sigmoidForward: (x, out) => activation('sigmoid', x, out),
    tanhForward: (x, out) => activation('tanh', x, out),
    reluBackward: (y, dout, dx) => activationBack('relu', y, dout, dx),
    sigmoidBackward: (y, dout, dx) => activationBack('sigmoid', y, dout, dx),
    tanhBackward: (y, dout, dx) => activationBack('tanh', y, dout, dx),

    softmaxCrossEntropy(x, labels, y) {
      sameLength('softmaxCrossEntropy', x, y);
      const rows = x.rows, cols = x.cols;
      checkLabels('softmaxCrossEntropy', labels, rows, cols);
      const px = ptr(x.data), py = ptr(y.data);
      if (px < 0 || py < 0) {
        fallbackCalls++;
        return ref.softmaxCrossEntropy(x, labels, y);
      }
      if (rows === 0) return 0;
      // labels, then (sum, shifted label score) per row as float64 pairs, 16-byte aligned
      const termsOffset = Math.ceil((rows * 4) / 16) * 16;
      const p = stageLabels(labels, rows, rows * 16);
      k.softmaxCrossEntropy(px, rows, cols, p, py, buf0, p + termsOffset);
      const t = staging.f64;
      const base = termsOffset / 8;
      let loss = 0;
      for (let r = 0; r < rows; r++) loss += Math.log(t[base + 2 * r]!) - t[base + 2 * r + 1]!;
      return loss / rows;
    },

    softmaxCrossEntropyBackward(y, labels, dx) {
      sameLength('softmaxCrossEntropyBackward', y, dx);
      checkLabels('softmaxCrossEntropyBackward', labels, y.rows, y.cols);
      const py = ptr(y.data), pd = ptr(dx.data);
      if (py < 0 || pd < 0) {
        fallbackCalls++;
        ref.softmaxCrossEntropyBackward(y, labels, dx);
        return;
      }
      if (y.rows === 0) return;
      const p = stageLabels(labels, y.rows, 0);
      k.softmaxCrossEntropyBackward(py, y.rows, y.cols, p, pd);
    },

  } satisfies Omit<WasmOps, keyof ReturnType<typeof createOptimizerOps> | keyof ConvOps | 'gatherRows'>,
  createOptimizerOps(context), createConvOps(context), createGatherOps(context, staging));

  function activation(kind: keyof typeof ACT, x: Matrix, out: Matrix): void {
    sameLength(`${kind}Forward`, x, out);
    const px = ptr(x.data), po = ptr(out.data);
    if (px < 0 || po < 0) {
      fallbackCalls++;
      if (kind === 'relu') ref.reluForward(x, out);
      else if (kind === 'sigmoid') ref.sigmoidForward(x, out);
      else ref.tanhForward(x, out);
      return;
    }
    const n = x.data.length;
    if (split(100 + JOB.ACT_FORWARD * 4 + ACT[kind], n)) {
      job.write(JOB.ACT_FORWARD, ACT[kind], px, po, n);
      runTeam();
    } else k.activationForward(ACT[kind], px, po, n, buf0, 0, 1);
    finish();
  }

  function activationBack(kind: keyof typeof ACT, y: Matrix, dout: Matrix, dx: Matrix): void {
    sameLength(`${kind}Backward`, y, dout);
    sameLength(`${kind}Backward`, y, dx);
    const py = ptr(y.data), pd = ptr(dout.data), px = ptr(dx.data);
    if (py < 0 || pd < 0 || px < 0) {
      fallbackCalls++;
      if (kind === 'relu') ref.reluBackward(y, dout, dx);
      else if (kind === 'sigmoid') ref.sigmoidBackward(y, dout, dx);
      else ref.tanhBackward(y, dout, dx);
      return;
    }
    const n = y.data.length;
    if (split(100 + JOB.ACT_BACKWARD * 4 + ACT[kind], n)) {
      job.write(JOB.ACT_BACKWARD, ACT[kind], py, pd, px, n);
      runTeam();
    } else k.activationBackward(ACT[kind], py, pd, px, n, buf0, 0, 1);
    finish();
  }

  return ops;
}

function align(n: number): number {
  return Math.ceil(n / BLOCK_ALIGN) * BLOCK_ALIGN;
}
