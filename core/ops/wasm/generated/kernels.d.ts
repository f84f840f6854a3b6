// Types of kernels.js, which scripts/build-wasm.mjs generates (and git ignores).

/** Hash of the AssemblyScript sources, build flags and compiler version the bytes came from. */
export declare const KERNELS_HASH: string;
/** The memory maximum (64 KiB pages) every variant declares for its imported memory. */
export declare const KERNELS_MAX_PAGES: number;
/** The four builds of asm/, as base64 WebAssembly binaries. */
export declare const KERNELS: {
  /** 128-bit SIMD, shared memory (threads). */
  readonly simdShared: string;
  /** 128-bit SIMD, plain memory. */
  readonly simdPlain: string;
  /** + relaxed SIMD fused multiply-add, shared memory. */
  readonly relaxedShared: string;
  /** + relaxed SIMD fused multiply-add, plain memory. */
  readonly relaxedPlain: string;
};
