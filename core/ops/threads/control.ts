/**
 * The control block through which the calling thread and the kernel workers talk:
 * int32 words in the shared WebAssembly memory, each hot word on its own 64-byte
 * cache line (workers poll GEN while the caller polls DONE; sharing a line would make
 * every poll a cache miss for the other side). The job itself follows the block.
 */
export const CTRL = {
  /** Bumped by the caller for each job; workers wait for it to change. */
  GEN: 0,
  /** Workers add 1 when their share of the job is done. */
  DONE: 16,
  /** Nonzero: workers leave their loop. */
  STOP: 32,
  /** Index of a worker whose share threw (0: none). */
  ERROR: 33,
  /** Threads taking part in the current job, caller included. */
  NTHREADS: 34,
  /** Byte length of a worker's error message at ERROR_TEXT. */
  ERROR_LENGTH: 35,
  /** Start (in int32 words) of up to 256 bytes of UTF-8 error text. */
  ERROR_TEXT: 48,
} as const;

/** Bytes of the control block; the job area starts right after it. */
export const CTRL_BYTES = 512;
/** Bytes of the job area (kind, scratch base, 30 int32/float32 slots, one float64 at 128). */
export const JOB_BYTES = 256;
/** Maximum UTF-8 bytes of a worker error message. */
export const ERROR_TEXT_BYTES = CTRL_BYTES - CTRL.ERROR_TEXT * 4;
