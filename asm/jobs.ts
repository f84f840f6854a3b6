// One entry point for work shared between threads. The calling thread writes a job
// (kind + arguments) into shared memory, wakes the workers, and every thread, the
// caller included, runs `runJob` with its own index; each kernel then works on its own
// share of the output. The job layout is mirrored in core/ops/wasm/job.ts.

import { gemm, GEMM_SCRATCH_BYTES } from './gemm';
import { addRow, sumRows, activationForward, activationBackward, shareStart } from './elementwise';
import { sgd, momentum, adagrad, adam, nesterov, rmsprop } from './optim';
import { gatherRows, convertRows } from './gather';
import { im2col, col2im, transposeSamples } from './conv';
import { maxPoolForward, maxPoolBackward } from './pool';
import { channelMeanVariance, batchNormForward, batchNormBackward, multiply } from './batchnorm';

export const JOB_GEMM: i32 = 1;
export const JOB_ADD_ROW: i32 = 2;
export const JOB_SUM_ROWS: i32 = 3;
export const JOB_ACT_FORWARD: i32 = 4;
export const JOB_ACT_BACKWARD: i32 = 5;
export const JOB_SGD: i32 = 6;
export const JOB_MOMENTUM: i32 = 7;
export const JOB_ADAGRAD: i32 = 8;
export const JOB_ADAM: i32 = 9;
export const JOB_GATHER: i32 = 10;
export const JOB_CONVERT: i32 = 11;
export const JOB_NESTEROV: i32 = 12;
export const JOB_RMSPROP: i32 = 13;
// Jobs over a batch (slot 0: the sample count) or over channels (slot 0: the channel count),
// shared out in chunks: see forChunks.
export const JOB_IM2COL: i32 = 14;
export const JOB_COL2IM: i32 = 15;
export const JOB_TRANSPOSE: i32 = 16;
export const JOB_POOL_FORWARD: i32 = 17;
export const JOB_POOL_BACKWARD: i32 = 18;
export const JOB_BN_STATS: i32 = 19;
export const JOB_BN_FORWARD: i32 = 20;
export const JOB_BN_BACKWARD: i32 = 21;
export const JOB_MULTIPLY: i32 = 22;

/** Per-thread scratch: GEMM panels, then a 64-byte buffer for partial vectors. */
export const THREAD_SCRATCH_BYTES: i32 = GEMM_SCRATCH_BYTES + 64;

// Job layout (bytes): 0 kind, 4 scratch base, 8.. i32/f32 arguments (slot k at 8 + 4k),
// 128.. one f64 argument, 192 the chunk counter of a shared product (own cache line).
export const JOB_COUNTER: usize = 192;
// @ts-ignore: decorator
@inline function i(job: usize, k: i32): i32 {
  return load<i32>(job + 8 + (<usize>k << 2));
}
// @ts-ignore: decorator
@inline function u(job: usize, k: i32): usize {
  return <usize>load<u32>(job + 8 + (<usize>k << 2));
}
// @ts-ignore: decorator
@inline function f(job: usize, k: i32): f32 {
  return load<f32>(job + 8 + (<usize>k << 2));
}

export function runJob(job: usize, tid: i32, nthreads: i32): void {
  const kind = load<i32>(job);
  const scratch = <usize>load<u32>(job, 4) + <usize>tid * <usize>THREAD_SCRATCH_BYTES;
  if (kind == JOB_GEMM) {
    gemm(u(job, 0), i(job, 1), i(job, 2), u(job, 3), i(job, 4), i(job, 5), u(job, 6), i(job, 7),
      i(job, 8), i(job, 9), i(job, 10), i(job, 11), scratch, tid, nthreads, job + JOB_COUNTER);
    return;
  }
  if (kind >= JOB_IM2COL && kind <= JOB_BN_BACKWARD) {
    forChunks(kind, job, i(job, 0), tid, nthreads);
    return;
  }
  const buf = scratch + <usize>GEMM_SCRATCH_BYTES;
  if (SHARED) {
    if (nthreads > 1) {
      // Elementwise kernels: shares claimed from the counter, a few per thread (see forChunks).
      const parts = 4 * nthreads;
      for (;;) {
        const part = atomic.add<i32>(job + JOB_COUNTER, 1);
        if (part >= parts) break;
        runShare(kind, job, buf, part, parts);
      }
      return;
    }
  }
  runShare(kind, job, buf, tid, nthreads);
}

/** Share `part` of `parts` of an elementwise job (the kernels' own cache-line-aligned shares). */
function runShare(kind: i32, job: usize, buf: usize, part: i32, parts: i32): void {
  switch (kind) {
    case JOB_ADD_ROW:
      addRow(u(job, 0), i(job, 1), i(job, 2), u(job, 3), buf, part, parts);
      break;
    case JOB_SUM_ROWS:
      sumRows(u(job, 0), i(job, 1), i(job, 2), u(job, 3), part, parts);
      break;
    case JOB_ACT_FORWARD:
      activationForward(i(job, 0), u(job, 1), u(job, 2), i(job, 3), buf, part, parts);
      break;
    case JOB_ACT_BACKWARD:
      activationBackward(i(job, 0), u(job, 1), u(job, 2), u(job, 3), i(job, 4), buf, part, parts);
      break;
    case JOB_SGD:
      sgd(u(job, 0), u(job, 1), i(job, 2), f(job, 3), part, parts);
      break;
    case JOB_MOMENTUM:
      momentum(u(job, 0), u(job, 1), u(job, 2), i(job, 3), f(job, 4), f(job, 5), part, parts);
      break;
    case JOB_ADAGRAD:
      adagrad(u(job, 0), u(job, 1), u(job, 2), i(job, 3), f(job, 4), part, parts);
      break;
    case JOB_ADAM:
      adam(u(job, 0), u(job, 1), u(job, 2), u(job, 3), i(job, 4), f(job, 5), f(job, 6), f(job, 7), part, parts);
      break;
    case JOB_NESTEROV:
      nesterov(u(job, 0), u(job, 1), u(job, 2), i(job, 3), f(job, 4), f(job, 5), f(job, 6), f(job, 7), part, parts);
      break;
    case JOB_RMSPROP:
      rmsprop(u(job, 0), u(job, 1), u(job, 2), i(job, 3), f(job, 4), f(job, 5), f(job, 6), part, parts);
      break;
    case JOB_GATHER:
      gatherRows(u(job, 0), i(job, 1), i(job, 2), u(job, 3), i(job, 4), load<f64>(job, 128), u(job, 5), part, parts);
      break;
    case JOB_CONVERT:
      convertRows(u(job, 0), i(job, 1), i(job, 2), load<f64>(job, 128), u(job, 3), part, parts);
      break;
    case JOB_MULTIPLY:
      multiply(u(job, 0), u(job, 1), u(job, 2), i(job, 3), part, parts);
      break;
    default:
      unreachable();
  }
}

/** Items (samples or channels) [lo, hi) of a chunked job. */
function runRange(kind: i32, job: usize, lo: i32, hi: i32): void {
  switch (kind) {
    case JOB_IM2COL:
      im2col(u(job, 1), i(job, 2), i(job, 3), i(job, 4), i(job, 5), i(job, 6), i(job, 7), i(job, 8), i(job, 9), u(job, 10), lo, hi);
      break;
    case JOB_COL2IM:
      col2im(u(job, 1), i(job, 2), i(job, 3), i(job, 4), i(job, 5), i(job, 6), i(job, 7), i(job, 8), i(job, 9), u(job, 10), lo, hi);
      break;
    case JOB_TRANSPOSE:
      transposeSamples(u(job, 1), i(job, 2), i(job, 3), u(job, 4), i(job, 5), u(job, 6), lo, hi);
      break;
    case JOB_POOL_FORWARD:
      maxPoolForward(u(job, 1), i(job, 2), i(job, 3), i(job, 4), i(job, 5), i(job, 6), i(job, 7), i(job, 8), u(job, 9), u(job, 10), lo, hi);
      break;
    case JOB_POOL_BACKWARD:
      maxPoolBackward(u(job, 1), u(job, 2), i(job, 3), i(job, 4), u(job, 5), lo, hi);
      break;
    case JOB_BN_STATS:
      channelMeanVariance(u(job, 1), i(job, 2), i(job, 0), i(job, 3), u(job, 4), u(job, 5), lo, hi);
      break;
    case JOB_BN_FORWARD:
      batchNormForward(u(job, 1), i(job, 2), i(job, 0), i(job, 3), u(job, 4), u(job, 5), load<f64>(job, 128),
        u(job, 6), u(job, 7), u(job, 8), u(job, 9), lo, hi);
      break;
    case JOB_BN_BACKWARD:
      batchNormBackward(u(job, 1), u(job, 2), i(job, 3), i(job, 0), i(job, 4), u(job, 5), load<f64>(job, 128), u(job, 6),
        u(job, 7), u(job, 8), u(job, 9), lo, hi);
      break;
    default:
      unreachable();
  }
}

/**
 * Share `count` independent items out in chunks that threads claim from the job's counter
 * (a few per thread): a thread slowed down by another program simply claims fewer, instead
 * of holding everyone up with a fixed share. Which thread computes an item never changes
 * its result.
 */
function forChunks(kind: i32, job: usize, count: i32, tid: i32, nthreads: i32): void {
  if (nthreads <= 1) {
    runRange(kind, job, 0, count);
    return;
  }
  if (SHARED) {
    const chunks = min(count, 4 * nthreads);
    for (;;) {
      const k = atomic.add<i32>(job + JOB_COUNTER, 1);
      if (k >= chunks) break;
      runRange(kind, job, <i32>((<i64>count * k) / chunks), <i32>((<i64>count * (k + 1)) / chunks));
    }
  } else {
    runRange(kind, job, shareStart(count, 1, tid, nthreads), shareStart(count, 1, tid + 1, nthreads));
  }
}
