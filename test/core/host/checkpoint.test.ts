import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Harness, harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv } from './harness.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../../core/host/checkpoint-codec.js';
import { buildNetwork } from '../../../core/network.js';
import { Trainer } from '../../../core/trainer.js';
import { generate2D } from '../../../core/data/synthetic2d.js';
import { StudioError } from '../../../core/errors.js';
import type { EventOf } from '../../../core/protocol/messages.js';

/**
 * Checkpoints are how a crashed engine comes back: Electron main keeps the last
 * `checkpoint` event's bytes and replays configure, loadData and restoreCheckpoint
 * into a fresh engine.
 */

const harness = harnessPerTest();

const CSV = makeCsv(240);
const TRAIN = { ...TRAINING, optimizer: 'adam', learningRate: 0.01, epochs: 4 } as const;

async function setUp(h: Harness): Promise<void> {
  await h.next('ready');
  await h.ok({ type: 'configure', spec: SPEC, training: TRAIN });
  await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { testSplit: 0.25, standardize: true } });
}

async function model(h: Harness): Promise<Buffer> {
  const [ev] = (await h.ok({ type: 'exportModel' })) as EventOf<'modelExported'>[];
  return Buffer.from(ev!.bytes);
}

function trainerMidEpoch(): Trainer {
  const train = generate2D({ kind: 'spiral', count: 90, noise: 0.1, seed: 1 });
  const network = buildNetwork({ inputSize: 2, layers: [{ kind: 'affine', units: 5 }, { kind: 'relu' }, { kind: 'affine', units: 2 }], loss: 'softmax-cross-entropy' }, { seed: 3, init: 'he' });
  const t = new Trainer({ network, train, config: { ...TRAINING, optimizer: 'momentum', momentum: 0.9, beta1: 0.9, beta2: 0.999, decay: 0.99, batchSize: 20, epochs: 10 } });
  for (let i = 0; i < 7; i++) {
    if (t.step().epochEnded) t.finishEpoch();
  }
  return t;
}

describe('checkpoint bytes', () => {
  it('round-trips a trainer checkpoint exactly (weights, optimizer slots, shuffle order, rng)', () => {
    const cp = trainerMidEpoch().checkpoint();
    const back = decodeCheckpoint(encodeCheckpoint(cp));
    expect(back).toEqual(cp);
    expect(back.order).toBeInstanceOf(Int32Array);
    expect(back.params[0]!.data).toBeInstanceOf(Float32Array);
    // Also from a Uint8Array view at an odd offset (as a Node Buffer may arrive).
    const bytes = new Uint8Array(encodeCheckpoint(cp));
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeCheckpoint(shifted.subarray(3))).toEqual(cp);
  });

  it('rejects truncated, flipped and random bytes with a StudioError, never anything else', () => {
    const good = new Uint8Array(encodeCheckpoint(trainerMidEpoch().checkpoint()));
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.nat(255), fc.boolean(), (pos, value, truncate) => {
        const bytes = truncate ? good.slice(0, pos) : good.slice();
        if (!truncate) bytes[pos] = value;
        try {
          decodeCheckpoint(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(StudioError);
          expect((e as StudioError).message).toMatch(/^checkpoint: /);
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(() => decodeCheckpoint(bytes)).toThrow(StudioError);
      }),
    );
  });
});

describe('restoreCheckpoint through the host', () => {
  it('a run restored from its epoch-2 checkpoint and resumed ends exactly where the original did', async () => {
    const a = harness();
    await setUp(a);
    const done = a.next('done');
    await a.ok({ type: 'start' });
    await done;
    const reference = await model(a);
    const checkpoints = a.of('checkpoint');
    expect(checkpoints.map((c) => [c.epoch, c.endEpoch])).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    const cp2 = checkpoints[1]!;

    // A fresh engine, as after a crash: replay configure and loadData, then the checkpoint.
    const b = harness();
    await setUp(b);
    await b.ok({ type: 'restoreCheckpoint', bytes: cp2.bytes, endEpoch: cp2.endEpoch! });
    expect(b.of('status').at(-1)).toMatchObject({ state: 'paused', epoch: 2, iteration: 18 });
    expect(b.of('progress').at(-1)).toMatchObject({ state: 'paused', epoch: 2, iteration: 18, fraction: 0.5 });
    const bDone = b.next('done');
    await b.ok({ type: 'resume' });
    expect(await bDone).toMatchObject({ reason: 'finished', epoch: 4, iteration: 36 });
    expect(b.of('epoch').map((e) => [e.epoch, e.trainLoss, e.testAccuracy])).toEqual(
      a.of('epoch').slice(2).map((e) => [e.epoch, e.trainLoss, e.testAccuracy]),
    );
    expect((await model(b)).equals(reference)).toBe(true);
  });

  it('without endEpoch the session is idle with the weights back; start trains the configured epochs', async () => {
    const a = harness();
    await setUp(a);
    await a.ok({ type: 'step', count: 9 }); // exactly one epoch
    const cp = a.of('checkpoint')[0]!;
    expect(cp).toMatchObject({ epoch: 1, endEpoch: null });
    const weights = ((await a.ok({ type: 'inspect', layer: 'fc1' }))[0] as EventOf<'inspectResult'>).W;

    const b = harness();
    await setUp(b);
    await b.ok({ type: 'restoreCheckpoint', bytes: cp.bytes });
    expect(b.of('status').at(-1)).toMatchObject({ state: 'idle', epoch: 1 });
    const restored = ((await b.ok({ type: 'inspect', layer: 'fc1' }))[0] as EventOf<'inspectResult'>).W;
    expect(Array.from(restored)).toEqual(Array.from(weights));
    const done = b.next('done');
    await b.ok({ type: 'start' });
    expect(await done).toMatchObject({ reason: 'finished', epoch: 5 });
  });

  it('refuses a checkpoint of another network or another training set', async () => {
    const a = harness();
    await setUp(a);
    await a.ok({ type: 'step', count: 9 });
    const cp = a.of('checkpoint')[0]!;

    const b = harness();
    await b.next('ready');
    await b.ok({ type: 'configure', spec: { ...SPEC, layers: [{ kind: 'affine', units: 8 }, { kind: 'relu' }, { kind: 'affine', units: 3 }] }, training: TRAIN });
    await b.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { testSplit: 0.25, standardize: true } });
    let r = await b.request({ type: 'restoreCheckpoint', bytes: cp.bytes });
    expect(r.error).toMatchObject({ code: 'SHAPE_MISMATCH', message: expect.stringMatching(/different network/) });

    await b.ok({ type: 'configure', spec: SPEC, training: TRAIN });
    await b.ok({ type: 'loadData', name: 'small.csv', bytes: csvBytes(makeCsv(120)), options: { testSplit: 0.25 } });
    r = await b.request({ type: 'restoreCheckpoint', bytes: cp.bytes });
    expect(r.error).toMatchObject({ code: 'SHAPE_MISMATCH', message: expect.stringMatching(/180 samples, this one has 90/) });

    await b.ok({ type: 'configure', spec: SPEC, training: { ...TRAIN, optimizer: 'sgd' } });
    r = await b.request({ type: 'restoreCheckpoint', bytes: cp.bytes });
    expect(r.error?.message).toMatch(/adam optimizer, the session uses sgd/);
  });
});
