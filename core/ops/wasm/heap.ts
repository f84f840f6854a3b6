import { StudioError } from '../../errors.js';

/** Every block starts on a cache line: SIMD loads never straddle one at a row start, threads never share one. */
export const BLOCK_ALIGN = 64;
const PAGE = 65536;

/**
 * The size a request is rounded up to. Small blocks in steps of 64 bytes; above 4 KiB,
 * four classes per power of two (2^k, 1.25·2^k, 1.5·2^k, 1.75·2^k), so at most 25% is
 * wasted and a freed block fits any later request of its class. Batch sizes change
 * (training batch, last partial batch, evaluation chunks): the same few classes recur,
 * which is what makes simple segregated free lists enough here.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(BLOCK_ALIGN, Math.ceil(bytes / BLOCK_ALIGN) * BLOCK_ALIGN);
  if (b <= 4096) return b;
  const top = 2 ** Math.floor(Math.log2(b));
  const step = top / 4;
  return Math.ceil(b / step) * step;
}

export interface HeapStats {
  /** Bytes in live blocks (by size class). */
  inUse: number;
  /** The most that was ever live at once. */
  peakInUse: number;
  /** Bytes between the heap start and the high-water mark (live + free blocks). */
  reserved: number;
  /** Size of the whole WebAssembly memory. */
  memoryBytes: number;
  liveBlocks: number;
}

/**
 * A block allocator over the part of a WebAssembly memory that JavaScript manages
 * (the kernels themselves never allocate). Bump allocation from a high-water mark,
 * segregated free lists per size class, and growth of the memory when the mark passes
 * its end, up to `maxBytes`. Growth is allowed only when `canGrow` (a shared memory,
 * whose old views stay valid; growing a plain memory would detach every view handed
 * out so far, so a plain memory is created at its final size instead).
 */
export class WasmHeap {
  private top: number;
  private readonly free = new Map<number, number[]>();
  private readonly live = new Map<number, number>();
  private inUse = 0;
  private peak = 0;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly start: number,
    private readonly maxBytes: number,
    private readonly canGrow: boolean,
    private readonly onGrow: () => void,
  ) {
    if (start % BLOCK_ALIGN !== 0) throw new StudioError('INTERNAL', `heap start ${start} is not ${BLOCK_ALIGN}-byte aligned`);
    this.top = start;
  }

  /** A block of at least `bytes` bytes, 64-byte aligned, contents undefined. */
  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new StudioError('INTERNAL', `wasm heap: cannot allocate ${bytes} bytes`);
    let size = sizeClass(bytes);
    const list = this.free.get(size);
    let ptr = list && list.length > 0 ? list.pop()! : this.bump(size);
    if (ptr < 0) {
      // The memory is full: take the smallest free block of a larger class. It keeps
      // its own class (the rest is unused while it lives) so freeing files it correctly.
      const larger = this.smallestFreeClassAbove(size);
      if (larger > 0) {
        ptr = this.free.get(larger)!.pop()!;
        size = larger;
      }
    }
    if (ptr < 0) {
      throw new StudioError(
        'TOO_LARGE',
        `out of WebAssembly memory: ${mb(size)} more needed, ${mb(this.inUse)} in use of at most ${mb(this.maxBytes)}; use a smaller network or batch`,
      );
    }
    this.live.set(ptr, size);
    this.inUse += size;
    if (this.inUse > this.peak) this.peak = this.inUse;
    return ptr;
  }

  /** Give a block back. Freeing twice, or a pointer that was never allocated, is a bug and throws. */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) {
      throw new StudioError('INTERNAL', `wasm heap: block at ${ptr} is not allocated (freed twice, or not from this backend)`);
    }
    this.live.delete(ptr);
    this.inUse -= size;
    if (ptr + size === this.top) {
      this.top = ptr; // the last block: lower the mark instead of listing it
      return;
    }
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ptr);
  }

  /** Size class of a live block, or undefined. */
  sizeOf(ptr: number): number | undefined {
    return this.live.get(ptr);
  }

  stats(): HeapStats {
    return {
      inUse: this.inUse,
      peakInUse: this.peak,
      reserved: this.top - this.start,
      memoryBytes: this.memory.buffer.byteLength,
      liveBlocks: this.live.size,
    };
  }

  private bump(size: number): number {
    const end = this.top + size;
    if (end > this.maxBytes) return -1;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      if (!this.canGrow) return -1;
      // Grow by at least a quarter of the current size, so a run of allocations grows rarely.
      const want = Math.min(this.maxBytes, Math.max(end, have + Math.ceil(have / 4)));
      const pages = Math.ceil((want - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch {
        try {
          this.memory.grow(Math.ceil((end - have) / PAGE));
        } catch {
          return -1;
        }
      }
      this.onGrow();
    }
    const ptr = this.top;
    this.top = end;
    return ptr;
  }

  private smallestFreeClassAbove(size: number): number {
    let best = -1;
    for (const [s, list] of this.free) {
      if (s > size && list.length > 0 && (best < 0 || s < best)) best = s;
    }
    return best;
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}
