/**
 * The job layout of asm/jobs.ts, seen from JavaScript: byte 0 the kind, byte 4 the
 * base of the per-thread scratch areas, int32/float32 argument slots from byte 8
 * (slot k at 8 + 4k), one float64 argument at byte 128, the chunk counter of a shared
 * product at byte 192. Keep in step with asm/jobs.ts.
 */
export const JOB = {
  GEMM: 1,
  ADD_ROW: 2,
  SUM_ROWS: 3,
  ACT_FORWARD: 4,
  ACT_BACKWARD: 5,
  SGD: 6,
  MOMENTUM: 7,
  ADAGRAD: 8,
  ADAM: 9,
  GATHER: 10,
  CONVERT: 11,
  NESTEROV: 12,
  RMSPROP: 13,
  // Chunked over samples or channels (slot 0 the count; the counter is reset for each).
  IM2COL: 14,
  COL2IM: 15,
  TRANSPOSE: 16,
  POOL_FORWARD: 17,
  POOL_BACKWARD: 18,
  BN_STATS: 19,
  BN_FORWARD: 20,
  BN_BACKWARD: 21,
  MULTIPLY: 22,
} as const;

/** Activation kinds of asm/elementwise.ts. */
export const ACT = { relu: 0, sigmoid: 1, tanh: 2 } as const;

/** Writes jobs into the job area through views made once (the area never moves). */
export class JobWriter {
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;

  constructor(buffer: ArrayBufferLike, readonly ptr: number, scratchBase: number) {
    this.i32 = new Int32Array(buffer, ptr, 64);
    this.f32 = new Float32Array(buffer, ptr, 64);
    this.f64 = new Float64Array(buffer, ptr, 32);
    this.i32[1] = scratchBase;
  }

  /** Kind and integer/pointer slots; float slots are set with `float`. Zeroes the chunk counter (every shared job claims its chunks from it). */
  write(kind: number, ...slots: number[]): this {
    this.i32[0] = kind;
    this.i32[48] = 0;
    for (let k = 0; k < slots.length; k++) this.i32[2 + k] = slots[k]!;
    return this;
  }

  float(slot: number, value: number): this {
    this.f32[2 + slot] = value;
    return this;
  }

  /** Zero the chunk counter of a shared product (byte 192, asm/jobs.ts JOB_COUNTER). */
  resetCounter(): this {
    this.i32[48] = 0;
    return this;
  }

  double(value: number): this {
    this.f64[16] = value;
    return this;
  }
}
