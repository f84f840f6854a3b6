/**
 * A young-generation garbage collection on demand, for the native backend's products.
 *
 * Why: onnxruntime-node 1.31's `run` copies every fetched output into a fresh ArrayBuffer
 * (its OrtValueToNapiValue), even when the output was bound to our own buffer and already
 * holds the product. The native backend drops those copies at once, but V8 frees their
 * memory only when it next collects, which for a few small JavaScript objects per call is
 * rarely: megabytes of dead copies pile up, the C allocator hands the freed block back to
 * the system, and the next copies fault fresh pages in. On the 2-core build VM (a page
 * fault ~10 µs) that cost a 128x512x784 product more than the product itself: 75 GFLOP/s
 * without collections, 150-180 with one every megabyte of copies (issue 15).
 *
 * The collector is V8's `gc`, exposed at run time (`--expose-gc` set through node:v8 and
 * read from a fresh context); a minor collection of a near-empty young generation takes
 * ~50 µs. Where it cannot be had, collecting is skipped: only speed depends on it.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let cached: GcFunction | null | undefined;

/** V8's collector, or null when this runtime does not let us have it. */
export function exposedGc(): GcFunction | null {
  if (cached !== undefined) return cached;
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return (cached = existing as GcFunction);
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    cached = typeof gc === 'function' ? (gc as GcFunction) : null;
  } catch {
    cached = null;
  }
  return cached;
}

/**
 * Counts the bytes of the binding's dropped output copies and collects the young
 * generation each time `everyBytes` have piled up (0: after every product; Infinity: never).
 */
export class CopyCollector {
  private pending = 0;
  /** Collections made so far (for the bench and tests). */
  collections = 0;
  private readonly gc: GcFunction | null;

  constructor(private readonly everyBytes: number) {
    this.gc = Number.isFinite(everyBytes) ? exposedGc() : null;
  }

  /** A product's output of `bytes` was copied by the binding and dropped. */
  dropped(bytes: number): void {
    if (!this.gc) return;
    this.pending += bytes;
    if (this.pending >= this.everyBytes) {
      this.pending = 0;
      this.collections++;
      this.gc({ type: 'minor' });
    }
  }
}
