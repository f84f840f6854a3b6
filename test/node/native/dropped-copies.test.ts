import { describe, expect, it } from 'vitest';
import { DroppedCopies, arrayBufferTransfer, exposedGc } from '../../../node/native/dropped-copies.js';

/*
 * The native backend drops a copy of every product's output (onnxruntime-node's `run`
 * returns one). It detaches each copy so that V8 frees it at once, or, where the runtime
 * cannot, collects V8's young generation after each `collectEveryBytes` of them.
 */
describe('DroppedCopies', () => {
  it('has both remedies under Node (the flags are set at run time)', () => {
    expect(typeof arrayBufferTransfer()).toBe('function');
    expect(typeof exposedGc()).toBe('function');
  });

  it('detaches each copy at once: its memory is gone before any collection', () => {
    const copies = new DroppedCopies({ detach: true, collectEveryBytes: 1000 });
    expect(copies.remedy).toBe('detach');
    const kept = new Float32Array(16);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 64; i++) {
      const copy = new Float32Array(1 << 18); // 1 MiB each
      copy[7] = i;
      copies.dropped(copy, kept);
      expect(copy.buffer.byteLength).toBe(0);
    }
    // 64 MiB went through; without detaching it would all still be counted here.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 << 20);
    expect(copies.detached).toBe(64);
    expect(copies.collections).toBe(0);
  });

  it("never detaches a copy that shares the engine's buffer, nor a missing one", () => {
    const copies = new DroppedCopies({ detach: true, collectEveryBytes: 0 });
    const memory = new ArrayBuffer(64);
    const kept = new Float32Array(memory, 0, 8);
    const sameMemory = new Float32Array(memory, 32, 8);
    copies.dropped(sameMemory, kept);
    copies.dropped(undefined, kept);
    expect(memory.byteLength).toBe(64);
    expect(copies.detached).toBe(0);
  });

  it('falls back to collecting, without failing, when a copy cannot be detached', () => {
    const copies = new DroppedCopies({ detach: true, collectEveryBytes: 0 });
    const shared = new Float32Array(new SharedArrayBuffer(64));
    copies.dropped(shared, new Float32Array(4));
    expect(copies.remedy).toBe('collect');
    expect(copies.collections).toBe(1);
    expect(shared.buffer.byteLength).toBe(64);
  });

  it('without detaching, collects once each time the dropped bytes reach the threshold', () => {
    const c = new DroppedCopies({ detach: false, collectEveryBytes: 1000 });
    expect(c.remedy).toBe('collect');
    const kept = new Float32Array(1);
    c.dropped(new Uint8Array(600), kept);
    expect(c.collections).toBe(0);
    c.dropped(new Uint8Array(400), kept);
    expect(c.collections).toBe(1);
    c.dropped(new Uint8Array(999), kept);
    expect(c.collections).toBe(1);
    c.dropped(new Uint8Array(2500), kept);
    expect(c.collections).toBe(2);
    expect(c.detached).toBe(0);
  });

  it('collects after every copy at 0 and never at Infinity', () => {
    const kept = new Float32Array(1);
    const every = new DroppedCopies({ detach: false, collectEveryBytes: 0 });
    every.dropped(new Float32Array(1), kept);
    every.dropped(new Float32Array(1), kept);
    expect(every.collections).toBe(2);
    const never = new DroppedCopies({ detach: false, collectEveryBytes: Infinity });
    expect(never.remedy).toBe('none');
    never.dropped(new Float32Array(1 << 10), kept);
    expect(never.collections).toBe(0);
  });
});
