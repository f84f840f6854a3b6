import { describe, expect, it } from 'vitest';
import { CopyCollector, exposedGc } from '../../../node/native/minor-gc.js';

/*
 * The native backend drops a copy of every product's output (onnxruntime-node's `run`
 * returns one) and collects V8's young generation after each `everyBytes` of them, so
 * that the C allocator keeps reusing the same memory instead of faulting in fresh pages.
 */
describe('CopyCollector', () => {
  it('has V8 collect under Node (the flag is set at run time)', () => {
    expect(typeof exposedGc()).toBe('function');
  });

  it('collects once each time the dropped bytes reach the threshold, then counts afresh', () => {
    const c = new CopyCollector(1000);
    c.dropped(600);
    expect(c.collections).toBe(0);
    c.dropped(400);
    expect(c.collections).toBe(1);
    c.dropped(999);
    expect(c.collections).toBe(1);
    c.dropped(2500);
    expect(c.collections).toBe(2);
  });

  it('collects after every product at 0 and never at Infinity', () => {
    const every = new CopyCollector(0);
    every.dropped(4);
    every.dropped(4);
    expect(every.collections).toBe(2);
    const never = new CopyCollector(Infinity);
    never.dropped(1e12);
    expect(never.collections).toBe(0);
  });

});
