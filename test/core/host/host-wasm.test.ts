import { describe, expect, it } from 'vitest';
import { SPEC, TRAINING, csvBytes, makeCsv, wasmHarnessPerTest } from './harness.js';
import type { EventOf } from '../../../core/protocol/messages.js';

/**
 * The host on the WebAssembly backend, as browser mode and the desktop engine
 * run it: tensors live in WebAssembly memory, and everything the host sends must
 * still be plain, transferable copies.
 */

const wasmHost = wasmHarnessPerTest();

describe('host on the WebAssembly backend', () => {
  it('trains, inspects and predicts with every tensor in WebAssembly memory', async () => {
    const { h, ops, ready } = await wasmHost();
    expect(ready.ops).toBe(ops.name);
    await h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(240)), options: { testSplit: 0.25, standardize: true } });
    const done = h.next('done');
    await h.ok({ type: 'start' });
    expect((await done).reason).toBe('finished');
    expect(h.of('epoch').at(-1)!.testAccuracy).toBeGreaterThan(0.9);

    const [insp] = (await h.ok({ type: 'inspect', layer: 'fc1' })) as EventOf<'inspectResult'>[];
    // A copy on an ordinary ArrayBuffer (transferable), not a view of the engine's memory.
    expect(insp!.W.buffer).toBeInstanceOf(ArrayBuffer);
    expect(insp!.W.length).toBe(64);
    expect(insp!.dW.some((v) => v !== 0)).toBe(true);

    await h.ok({ type: 'samples', which: 'all' });
    await h.ok({ type: 'evaluate' });
    const [exported] = (await h.ok({ type: 'exportModel' })) as EventOf<'modelExported'>[];
    expect(exported!.bytes.byteLength).toBeGreaterThan(131 * 4);
    // The hot path never fell back to the TypeScript kernels.
    expect(ops.fallbackCalls).toBe(0);
  });

  it('draws decision regions without leaving WebAssembly', async () => {
    const { h, ops } = await wasmHost();
    await h.ok({
      type: 'configure',
      spec: { inputSize: 2, layers: [{ kind: 'affine', units: 8 }, { kind: 'tanh' }, { kind: 'affine', units: 2 }] },
      training: { ...TRAINING, learningRate: 0.3, batchSize: 10 },
    });
    await h.ok({ type: 'loadBuiltin', dataset: { kind: 'gaussians', count: 200, noise: 0, seed: 2 }, options: {} });
    await h.ok({ type: 'step', count: 50 });
    const [grid] = (await h.ok({ type: 'predictGrid', bounds: { xMin: -6, xMax: 6, yMin: -6, yMax: 6 }, cols: 100, rows: 90 })) as EventOf<'gridResult'>[];
    expect(grid!.classes.length).toBe(9000);
    expect(new Set(grid!.classes).size).toBe(2);
    expect(ops.fallbackCalls).toBe(0);
  });
});
