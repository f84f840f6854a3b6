import type { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';

/**
 * Output and gradient matrices of one role in a layer (say "Affine output"),
 * allocated through the backend once per batch size and reused after that.
 *
 * A run sees only a few batch sizes (the training batch, the last partial batch,
 * the evaluation chunk and its remainder), so a handful of entries keeps every
 * call allocation-free; the oldest entry is handed back to the backend when a
 * new size would exceed the limit, so a caller that tries many sizes cannot make
 * memory grow without bound.
 */
export class RowBuffers {
  private readonly byRows = new Map<number, Matrix>();

  constructor(
    private readonly ops: Ops,
    readonly cols: number,
    private readonly limit = 8,
  ) {}

  /** A rows x cols matrix owned by this cache; its contents are whatever the last user left. */
  get(rows: number): Matrix {
    const hit = this.byRows.get(rows);
    if (hit) return hit;
    if (this.byRows.size >= this.limit) {
      const [oldestRows, oldest] = this.byRows.entries().next().value as [number, Matrix];
      this.byRows.delete(oldestRows);
      this.ops.free(oldest);
    }
    const m = this.ops.alloc(rows, this.cols);
    this.byRows.set(rows, m);
    return m;
  }

  /** Hand every matrix back to the backend (for caches that live only as long as one call). */
  dispose(): void {
    for (const m of this.byRows.values()) this.ops.free(m);
    this.byRows.clear();
  }
}

/** The same idea for integer buffers (class indices of a batch); plain memory, no backend needed. */
export class IndexBuffers {
  private readonly byLength = new Map<number, Int32Array>();

  constructor(private readonly limit = 8) {}

  get(length: number): Int32Array {
    const hit = this.byLength.get(length);
    if (hit) return hit;
    if (this.byLength.size >= this.limit) {
      const oldest = this.byLength.keys().next().value as number;
      this.byLength.delete(oldest);
    }
    const a = new Int32Array(length);
    this.byLength.set(length, a);
    return a;
  }
}
