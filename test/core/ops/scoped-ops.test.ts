import { describe, expect, it } from 'vitest';
import { scopedOps } from '../../../core/ops/scoped-ops.js';
import { createReferenceOps } from '../../../core/ops/reference.js';
import { Matrix } from '../../../core/matrix.js';
import type { Ops } from '../../../core/ops/types.js';

/** The reference backend with a count of what is allocated and not freed (what a WebAssembly heap would hold). */
function countingOps(): Ops & { live(): number; freedTwice: number } {
  const base = createReferenceOps('f32');
  const live = new Set<unknown>();
  let freedTwice = 0;
  const ops = Object.create(base) as Ops & { live(): number; freedTwice: number };
  Object.assign(ops, {
    alloc(r: number, c: number) {
      const m = base.alloc(r, c);
      live.add(m);
      return m;
    },
    free(m: Matrix) {
      if (!live.delete(m)) freedTwice++;
    },
    allocIndices(n: number) {
      const a = base.allocIndices(n);
      live.add(a);
      return a;
    },
    freeIndices(a: Int32Array) {
      if (!live.delete(a)) freedTwice++;
    },
    live: () => live.size,
  });
  Object.defineProperty(ops, 'freedTwice', { get: () => freedTwice });
  return ops;
}

describe('scopedOps: one owner’s view of the backend', () => {
  it('gives back on releaseAll what was allocated through it and not freed, and nothing twice', () => {
    const base = countingOps();
    const scope = scopedOps(base);
    const a = scope.alloc(2, 3);
    scope.alloc(4, 4);
    scope.allocIndices(10);
    scope.free(a);
    expect(scope.liveCount).toBe(2);
    expect(base.live()).toBe(2);
    scope.releaseAll();
    expect(base.live()).toBe(0);
    expect(scope.liveCount).toBe(0);
    scope.releaseAll();
    expect(base.freedTwice).toBe(0);
  });

  it('is the backend for everything else (kernels, name)', () => {
    const base = countingOps();
    const scope = scopedOps(base);
    expect(scope.name).toBe(base.name);
    const x = scope.alloc(1, 3);
    x.data.set([1, -2, 3]);
    const y = scope.alloc(1, 3);
    scope.reluForward(x, y);
    expect(Array.from(y.data)).toEqual([1, 0, 3]);
  });

  it('nests: releasing the parent frees the child’s too, and the child’s own release is then a no-op', () => {
    const base = countingOps();
    const network = scopedOps(base);
    const trainer = scopedOps(network);
    network.alloc(3, 3);
    const slot = trainer.alloc(3, 3);
    trainer.allocIndices(5);
    expect(base.live()).toBe(3);
    network.releaseAll();
    expect(base.live()).toBe(0);
    trainer.free(slot);
    trainer.releaseAll();
    expect(base.freedTwice).toBe(0);
  });

  it('a child released first hands its matrices back through the parent, which forgets them', () => {
    const base = countingOps();
    const network = scopedOps(base);
    const trainer = scopedOps(network);
    network.alloc(2, 2);
    trainer.alloc(5, 5);
    trainer.releaseAll();
    expect(base.live()).toBe(1);
    expect(network.liveCount).toBe(1);
    network.releaseAll();
    expect(base.live()).toBe(0);
    expect(base.freedTwice).toBe(0);
  });

  it('refuses to allocate once released (a dropped network used again is a bug worth a loud error)', () => {
    const scope = scopedOps(countingOps());
    scope.releaseAll();
    expect(() => scope.alloc(1, 1)).toThrow(/released/);
    expect(() => scope.allocIndices(1)).toThrow(/released/);
  });

  it('passes the freeing of a matrix it never allocated on to the backend', () => {
    const base = countingOps();
    const scope = scopedOps(base);
    const elsewhere = base.alloc(2, 2);
    scope.free(elsewhere);
    expect(base.live()).toBe(0);
  });
});
