/**
 * What happens to the copies onnxruntime-node's binding makes of every product.
 *
 * Why this exists: onnxruntime-node 1.31's `run` copies every fetched output into a fresh
 * ArrayBuffer (its OrtValueToNapiValue), even when the output was bound to our own buffer
 * and already holds the product. Nobody reads those copies, but their memory comes back
 * only when V8 next collects, which for a few small JavaScript objects per call is rarely:
 * megabytes of dead copies pile up, the C allocator hands the freed block back to the
 * system, and the next copies fault fresh pages in. On the 2-core build VM (a page fault
 * ~10 µs) that cost a 128x512x784 product more than the product itself (issue 15).
 *
 * Two remedies, the first where the runtime has it:
 *   1. Detach each copy as soon as `run` returns (ArrayBuffer.prototype.transfer(0)): V8
 *      frees its memory at once, so the allocator hands the same block to the next copy and
 *      no collection is needed. Native from V8 11.4 (Electron's Node); Node 20's V8 11.3 has
 *      it behind --harmony-rab-gsab-transfer, which applies to contexts made after it is
 *      set, so the builtin is taken from a fresh context (it works on any ArrayBuffer).
 *      W1 on the native backend, 1 thread, 7 alternating runs: 0.182 s an epoch against
 *      0.218 s with the collections of (2) (issue 15).
 *   2. Otherwise collect V8's young generation each time `everyBytes` of copies have been
 *      dropped (`gc`, exposed at run time the same way). A collection took 140-170 µs inside
 *      W1's loop (V8's own pause ~75 µs).
 * Only speed depends on this: where neither can be had, the copies wait for V8's own pace.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;
type TransferFunction = (this: ArrayBuffer, newLength?: number) => ArrayBuffer;

/** A builtin taken from a fresh context after setting the V8 flag that installs it; null when the runtime refuses. */
function builtinFromFreshContext<T>(flag: string, expression: string): T | null {
  try {
    v8.setFlagsFromString(flag);
    const value: unknown = vm.runInNewContext(expression);
    return typeof value === 'function' ? (value as T) : null;
  } catch {
    return null;
  }
}

let gcCached: GcFunction | null | undefined;

/** V8's collector, or null when this runtime does not let us have it. */
export function exposedGc(): GcFunction | null {
  if (gcCached !== undefined) return gcCached;
  const existing = (globalThis as { gc?: unknown }).gc;
  gcCached = typeof existing === 'function' ? (existing as GcFunction) : builtinFromFreshContext<GcFunction>('--expose-gc', 'gc');
  return gcCached;
}

let transferCached: TransferFunction | null | undefined;

/** ArrayBuffer.prototype.transfer (native, or from a fresh context on Node 20), or null. */
export function arrayBufferTransfer(): TransferFunction | null {
  if (transferCached !== undefined) return transferCached;
  const own = (ArrayBuffer.prototype as { transfer?: unknown }).transfer;
  transferCached =
    typeof own === 'function'
      ? (own as TransferFunction)
      : builtinFromFreshContext<TransferFunction>('--harmony-rab-gsab-transfer', 'ArrayBuffer.prototype.transfer');
  return transferCached;
}

export type CopyRemedy = 'detach' | 'collect' | 'none';

export interface DroppedCopiesOptions {
  /** Detach each copy when the runtime can (default true). */
  detach: boolean;
  /** Without detaching: collect the young generation each time this many bytes were dropped (0: every copy; Infinity: never). */
  collectEveryBytes: number;
}

/** Frees (or schedules the freeing of) the binding's output copies, one call per product. */
export class DroppedCopies {
  /** Copies detached and collections made so far (for the bench and tests). */
  detached = 0;
  collections = 0;
  private pending = 0;
  private transfer: TransferFunction | null;
  private gc: GcFunction | null;

  constructor(private readonly opts: DroppedCopiesOptions) {
    this.transfer = opts.detach ? arrayBufferTransfer() : null;
    this.gc = this.transfer ? null : this.collector();
  }

  /** What is done with the copies now. */
  get remedy(): CopyRemedy {
    return this.transfer ? 'detach' : this.gc ? 'collect' : 'none';
  }

  /**
   * `copy` is the binding's copy of a product that was written into `kept`. A copy that
   * shares kept's memory (a binding that stops copying) is left alone: detaching it would
   * take the engine's own buffer away.
   */
  dropped(copy: ArrayBufferView | undefined, kept: ArrayBufferView): void {
    if (this.transfer) {
      if (!copy || copy.buffer === kept.buffer) return;
      try {
        this.transfer.call(copy.buffer as ArrayBuffer, 0);
        this.detached++;
        return;
      } catch {
        // A buffer V8 will not detach (shared, or marked so by another binding version):
        // collect instead from now on, rather than fail the product that already succeeded.
        this.transfer = null;
        this.gc = this.collector();
      }
    }
    if (!this.gc) return;
    this.pending += copy?.byteLength ?? kept.byteLength;
    if (this.pending >= this.opts.collectEveryBytes) {
      this.pending = 0;
      this.collections++;
      this.gc({ type: 'minor' });
    }
  }

  private collector(): GcFunction | null {
    return Number.isFinite(this.opts.collectEveryBytes) ? exposedGc() : null;
  }
}
