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
  const own: Pick<ScopedOps, 'alloc' | 'free' | 'allocIndices' | 'freeIndices' | 'releaseAll'> = {
    alloc(rows, cols) {
      if (released) throw new Error('the backend scope was released: its network or trainer is no longer in use');
      const m = base.alloc(rows, cols);
      matrices.add(m);
      return m;
    },
    free(m) {
      if (matrices.delete(m)) base.free(m);
      // A matrix this scope does not hold: already given back by a release, or someone else's.
      else if (!released) base.free(m);
    },
    allocIndices(n) {
      if (released) throw new Error('the backend scope was released: its network or trainer is no longer in use');
      const a = base.allocIndices(n);
      indices.add(a);
      return a;
    },
    freeIndices(a) {
      if (indices.delete(a)) base.freeIndices(a);
      else if (!released) base.freeIndices(a);
    },
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
