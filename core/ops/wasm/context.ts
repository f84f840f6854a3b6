import type { FloatArray } from '../../matrix.js';
import type { Ops } from '../types.js';
import type { JobWriter } from './job.js';
import type { KernelExports } from './loader.js';

/**
 * What each group of WebAssembly kernel wrappers (optimizers, convolution pieces...)
 * needs from the backend that owns the memory: the kernels, the job area, and the rules
 * for when a call runs on the caller alone, on every thread, or (an argument outside our
 * memory) on the TypeScript reference. Made once by createWasmOps.
 */
export interface KernelContext {
  readonly k: KernelExports;
  readonly job: JobWriter;
  /** The reference backend (float32) that calls with foreign arguments fall back to. */
  readonly ref: Ops;
  /** Byte offset of a float32 view into our memory, or -1. */
  ptr(a: FloatArray): number;
  /** A 64-byte scratch buffer of the calling thread. */
  readonly buf0: number;
  /** Base of the per-thread scratch areas (the caller's is the first). */
  readonly scratchBase: number;
  /**
   * Split this call of job `kind` over `work` units (floats) across the threads? False
   * below the size where waking the others costs more; above it, the SplitPolicy decides
   * from measured timings and starts timing the call: call `finish()` when it returns.
   */
  split(kind: number, work: number): boolean;
  /** The call after `split` has returned (whichever way it ran). */
  finish(): void;
  /** Threads a split call runs on (1 when there is no team). */
  threads(): number;
  /** Run the job in the job area on every thread. */
  runTeam(): void;
  /** Count a call that ran on the reference. */
  fellBack(): void;
  /** True when `a` is a view into this backend's WebAssembly memory. */
  owns(a: ArrayBufferView): boolean;
  /** A 64-byte aligned block of the heap (contents undefined), and its release. */
  allocBytes(bytes: number): number;
  release(ptr: number): void;
  /** The memory's current buffer, to make views of new blocks. */
  buffer(): ArrayBufferLike;
}
