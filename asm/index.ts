// Backprop Studio's WebAssembly kernels (AssemblyScript, 128-bit SIMD).
//
// Everything here works on raw pointers into one linear memory that JavaScript owns:
// the memory is imported, JavaScript allocates every tensor in it (core/ops/wasm/heap.ts),
// and these functions never allocate. That is what lets the same module run on several
// threads over one shared memory: no allocator state, no runtime, only the stack-free
// code below and per-thread scratch areas handed in by the caller.

import { THREAD_SCRATCH_BYTES } from './jobs';
export { runJob } from './jobs';
export { gemm } from './gemm';
export { addRow, sumRows, activationForward, activationBackward, expArray } from './elementwise';
export { softmaxCrossEntropy, softmaxCrossEntropyBackward } from './softmax';
export { sgd, momentum, adagrad, adam, nesterov, rmsprop } from './optim';
export { gatherRows, convertRows } from './gather';
export { im2col, col2im, transposeSamples } from './conv';
export { maxPoolForward, maxPoolBackward } from './pool';
export { channelMeanVariance, batchNormForward, batchNormBackward, multiply } from './batchnorm';

/** First byte JavaScript may use (after the module's own static data, if any). */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}

/** Bytes of scratch each thread needs (GEMM panels and a small buffer). */
export function threadScratchBytes(): i32 {
  return THREAD_SCRATCH_BYTES;
}
