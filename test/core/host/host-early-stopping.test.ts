import { describe, expect, it } from 'vitest';
import { Harness, harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv } from './harness.js';
import type { EventOf } from '../../../core/protocol/messages.js';

/**
 * Validation split, training subset and early stopping as the host runs them:
 * they are training settings, so a single run and every trial of a search get
 * them the same way.
 */

const harness = harnessPerTest();
const CSV = makeCsv(240);

async function setUp(h: Harness, training: Record<string, unknown>): Promise<void> {
  await h.next('ready');
  await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, ...training } });
  // 240 rows, a quarter held out as the test set: 180 training samples.
  await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { testSplit: 0.25, standardize: true } });
}

async function run(h: Harness): Promise<EventOf<'done'>> {
  const done = h.next('done');
  await h.ok({ type: 'start' });
  return done;
}

/** Every weight and bias of the network, in order. */
async function weights(h: Harness): Promise<number[]> {
  const out: number[] = [];
  for (const layer of ['fc1', 'fc2']) {
    const [ev] = await h.ok({ type: 'inspect', layer });
    const r = ev as EventOf<'inspectResult'>;
    out.push(...r.W, ...r.b);
  }
  return out;
}

describe('validation split and training subset', () => {
  it('holds out a validation set: fewer batches per epoch, validation metrics in every epoch event', async () => {
    const h = harness();
    await setUp(h, { validationSplit: 0.2, epochs: 2 });
    expect((await run(h)).reason).toBe('finished');
    const epochs = h.of('epoch');
    // 180 - 36 held out = 144 samples in batches of 20: 8 per epoch.
    expect(epochs.map((e) => e.iteration)).toEqual([8, 16]);
    for (const e of epochs) {
      expect(e.validationLoss).toBeGreaterThan(0);
      expect(e.validationAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.testLoss).not.toBeNull();
    }
  });

  it('without a split the epoch events carry no validation fields', async () => {
    const h = harness();
    await setUp(h, { epochs: 1 });
    await run(h);
    expect('validationLoss' in h.of('epoch')[0]!).toBe(false);
  });

  it('trainLimit trains on that many samples only', async () => {
    const h = harness();
    await setUp(h, { trainLimit: 40, epochs: 1 });
    await run(h);
    expect(h.of('epoch')[0]!.iteration).toBe(2);
  });
});

describe('early stopping', () => {
  it('ends the run after `patience` epochs without improvement and restores the best epoch, saying so', async () => {
    // minDelta far above any loss: only the first epoch ever counts as an improvement.
    const h = harness();
    await setUp(h, { validationSplit: 0.2, epochs: 10, earlyStopping: { patience: 2, monitor: 'validation', minDelta: 100 } });
    const done = await run(h);
    expect(done).toMatchObject({ reason: 'finished', epoch: 3, bestEpoch: 1 });
    expect(done.message).toMatch(/finished early: the validation loss has not improved for 2 epochs; the weights of epoch 1 \(validation loss [\d.]+\) were restored/);
    // The restored weights are exactly those of a run that stopped after epoch 1.
    const one = harness();
    await setUp(one, { validationSplit: 0.2, epochs: 1 });
    await run(one);
    expect(await weights(h)).toEqual(await weights(one));
    // A checkpoint of the restored weights follows, so a crash cannot bring back epoch 3's.
    const checkpoints = h.of('checkpoint');
    expect(checkpoints[checkpoints.length - 1]!.epoch).toBe(3);
    expect(checkpoints.length).toBe(4);
  });

  it('watches the test loss when asked, and names the best epoch of a run that went to its end', async () => {
    const h = harness();
    await setUp(h, { epochs: 3, learningRate: 0.05, earlyStopping: { patience: 5, monitor: 'test' } });
    const done = await run(h);
    expect(done.reason).toBe('finished');
    expect(done.epoch).toBe(3);
    const tests = h.of('epoch').map((e) => e.testLoss!);
    const best = tests.indexOf(Math.min(...tests)) + 1;
    expect(done.bestEpoch).toBe(best);
  });

  it('refuses to start when the watched set does not exist', async () => {
    const h = harness();
    await setUp(h, { earlyStopping: { patience: 2, monitor: 'validation' } });
    const r = await h.request({ type: 'start' });
    expect(r.error?.code).toBe('NOT_READY');
    expect(r.error?.message).toMatch(/no validation set is held out/);
  });
});
