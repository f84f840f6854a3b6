import { describe, expect, it } from 'vitest';
import { SPEC, TRAINING, csvBytes, makeCsv, wasmHarnessPerTest, type Harness } from './harness.js';
import type { WasmOps } from '../../../core/ops/wasm/wasm-ops.js';
import type { EventOf } from '../../../core/protocol/messages.js';

/**
 * WebAssembly memory is not garbage collected: a network, trainer or traced twin the
 * session drops must give its matrices back, or every rebuilt network (a comparison
 * run, a search trial, a reset) stays in the engine's heap until it runs out. Each case
 * repeats one change several times; from the second round on, the heap in use must not
 * grow at all.
 */

const wasmHost = wasmHarnessPerTest();
let ops: WasmOps;

const CONV_SPEC = {
  inputSize: 36,
  inputShape: [1, 6, 6],
  layers: [{ kind: 'conv', filters: 3, size: 3 }, { kind: 'relu' }, { kind: 'pool', size: 2 }, { kind: 'batchnorm' }, { kind: 'affine', units: 3 }],
  loss: 'softmax-cross-entropy',
};

async function engine(): Promise<Harness> {
  const made = await wasmHost();
  ops = made.ops;
  return made.h;
}

/** Bytes of the WebAssembly heap in use after each of `rounds` repetitions of `change`. */
async function inUseAfter(rounds: number, change: (round: number) => Promise<void>): Promise<number[]> {
  const seen: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await change(r);
    seen.push(ops.memoryStats().inUse);
  }
  return seen;
}

/** The first round may allocate what later rounds reuse; after it the heap stays put. */
function expectFlat(seen: number[]): void {
  expect(seen.slice(1)).toEqual(seen.slice(1).map(() => seen[1]));
}

describe('the session gives dropped networks and trainers back to the WebAssembly heap', () => {
  it('configure again (a comparison run, a search trial), after training, tracing and evaluating', async () => {
    const e = await engine();
    await e.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(240)), options: { testSplit: 0.25 } });
    const seen = await inUseAfter(5, async () => {
      await e.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, optimizer: 'adam' } });
      await e.ok({ type: 'step', count: 5 });
      await e.ok({ type: 'trace', set: 'train', indices: [0, 1, 2] });
      await e.ok({ type: 'evaluate' });
    });
    expectFlat(seen);
  });

  it('a convolutional network with BatchNorm and pooling, rebuilt and reset', async () => {
    const e = await engine();
    const rows = Array.from({ length: 60 }, (_, i) => [...Array.from({ length: 36 }, (_, j) => ((i * 7 + j * 3) % 11) / 10), i % 3].join(','));
    const csv = [Array.from({ length: 36 }, (_, j) => `p${j}`).concat('label').join(','), ...rows].join('\n');
    await e.ok({ type: 'loadData', name: 'img.csv', bytes: csvBytes(csv), options: { testSplit: 0.2 } });
    const seen = await inUseAfter(4, async (r) => {
      if (r % 2 === 0) await e.ok({ type: 'configure', spec: CONV_SPEC, training: { ...TRAINING, batchSize: 10 } });
      else await e.ok({ type: 'resetWeights' });
      await e.ok({ type: 'step', count: 4 });
      await e.ok({ type: 'trace', set: 'train', indices: [0, 1] });
    });
    expectFlat(seen);
  });

  it('new training settings and new data replace the trainer, not add to it', async () => {
    const e = await engine();
    await e.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    const seen = await inUseAfter(5, async (r) => {
      await e.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(240)), options: { testSplit: 0.25 } });
      await e.ok({ type: 'step', count: 3 });
      await e.ok({ type: 'setTraining', training: { ...TRAINING, optimizer: r % 2 === 0 ? 'momentum' : 'adam' } });
      await e.ok({ type: 'step', count: 3 });
    });
    // Rounds alternate optimizers (Momentum keeps one vector per weight, Adam two): compare like with like.
    expect(seen[3]).toBe(seen[1]);
    expect(seen[4]).toBe(seen[2]);
  });

  it('opening models, and a model file that is refused', async () => {
    const e = await engine();
    await e.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    await e.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(240)), options: {} });
    await e.ok({ type: 'step', count: 3 });
    const [exported] = (await e.ok({ type: 'exportModel' })) as EventOf<'modelExported'>[];
    const good = new Uint8Array(exported!.bytes);
    const seen = await inUseAfter(4, async () => {
      await e.ok({ type: 'importModel', name: 'model.safetensors', bytes: good.slice().buffer });
      await e.ok({ type: 'step', count: 2 });
      // The same file cut short is refused and leaves nothing behind.
      const err = await e.ok({ type: 'importModel', name: 'cut.safetensors', bytes: good.slice(0, good.length - 8).buffer }).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(Error);
    });
    expectFlat(seen);
  });
});
