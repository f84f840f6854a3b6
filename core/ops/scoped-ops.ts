import type { Matrix } from '../matrix.js';
import type { Ops } from './types.js';

/**
 * The backend as one owner sees it: everything allocated through the scope is
 * remembered until it is freed, and `releaseAll` gives back what is left.
 *
 * Why: the WebAssembly backend's matrices live in a heap of its own that the
 * garbage collector knows nothing about. A network, its layers' buffers, a trainer's
 * optimizer state and batch matrix were allocated there and never freed, so every
 * network the studio built and dropped (a new network, a reset, an opened model,
 * each run of a comparison or search) stayed in memory for the engine's lifetime:
 * about 175 KB for a tiny net, tens of MB for a convnet, until WebAssembly's 4 GB
 * ran out. With a scope per network and per trainer, dropping one is one call.
 *
 * Scopes nest (a trainer's scope sits on its network's): what a child allocates is
 * in its parent too, so releasing the parent also releases the child's, and the
 * child's later release of the same matrices is a no-op. Every other method is the
 * backend's own (the scope delegates through its prototype).
 */
export interface ScopedOps extends Ops {
  /** Free everything allocated through this scope and not freed yet; the scope cannot allocate after this. */
  releaseAll(): void;
  /** Matrices and index buffers allocated here and not yet freed. */
  readonly liveCount: number;
}

export function scopedOps(base: Ops): ScopedOps {
  const matrices = new Set<Matrix>();
  const indices = new Set<Int32Array>();
  let released = false;
  const scope = Object.create(base) as ScopedOps;
  const track = <T>(held: Set<T>, make: () => T): T => {
    if (released) throw new Error('the backend scope was released: its network or trainer is no longer in use');
    const item = make();
    held.add(item);
    return item;
  };
  // Something this scope does not hold is either already given back by a release (nothing
  // to do) or someone else's (the backend frees it).
  const give = <T>(held: Set<T>, item: T, free: (x: T) => void): void => {
    if (held.delete(item) || !released) free(item);
  };
  const own: Pick<ScopedOps, 'alloc' | 'free' | 'allocIndices' | 'freeIndices' | 'releaseAll'> = {
    alloc: (rows, cols) => track(matrices, () => base.alloc(rows, cols)),
    free: (m) => give(matrices, m, (x) => base.free(x)),
    allocIndices: (n) => track(indices, () => base.allocIndices(n)),
    freeIndices: (a) => give(indices, a, (x) => base.freeIndices(x)),
    releaseAll() {
      released = true;
      for (const m of matrices) base.free(m);
      for (const a of indices) base.freeIndices(a);
      matrices.clear();
      indices.clear();
    },
  };
  Object.assign(scope, own);
  Object.defineProperty(scope, 'liveCount', { get: () => matrices.size + indices.size });
  return scope;
}
