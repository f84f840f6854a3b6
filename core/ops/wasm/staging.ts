import type { WasmHeap } from './heap.js';

/**
 * A reusable block of WebAssembly memory for per-call inputs that live in JavaScript
 * (labels, batch indices, gathered rows): tiny per call, grown (never shrunk) as
 * batches grow. The views are remade only when the block moves.
 */
export class StagingArea {
  private ptr = -1;
  private bytes = 0;
  i32: Int32Array = new Int32Array(0);
  u8: Uint8Array = new Uint8Array(0);
  f64: Float64Array = new Float64Array(0);

  constructor(
    private readonly heap: WasmHeap,
    private readonly buffer: () => ArrayBufferLike,
  ) {}

  /** The block's address, with room for at least `bytes` bytes; the views cover it. */
  reserve(bytes: number): number {
    if (bytes > this.bytes) {
      if (this.ptr >= 0) this.heap.release(this.ptr);
      this.ptr = this.heap.alloc(bytes);
      this.bytes = this.heap.sizeOf(this.ptr)!;
      const b = this.buffer();
      this.i32 = new Int32Array(b, this.ptr, this.bytes >> 2);
      this.u8 = new Uint8Array(b, this.ptr, this.bytes);
      this.f64 = new Float64Array(b, this.ptr, this.bytes >> 3);
    }
    return this.ptr;
  }
}
