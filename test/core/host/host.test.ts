import { describe, expect, it } from 'vitest';
import { Harness, harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv } from './harness.js';
import type { EventOf } from '../../../core/protocol/messages.js';

/**
 * The engine host driven as the studio drives it: through a real MessageChannel,
 * training a real network on a CSV file made here.
 */

const harness = harnessPerTest();

const CSV = makeCsv(240);

async function setUp(h: Harness, training: Record<string, unknown> = {}): Promise<void> {
  await h.next('ready');
  await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, ...training } });
  await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { testSplit: 0.25, standardize: true } });
}

async function exportBytes(h: Harness): Promise<Buffer> {
  const [ev] = await h.ok({ type: 'exportModel' });
  expect(ev?.type).toBe('modelExported');
  return Buffer.from((ev as EventOf<'modelExported'>).bytes);
}

/** Train to the end with no interruption; the reference for the exactness tests. */
async function uninterrupted(training: Record<string, unknown>): Promise<{ model: Buffer; epochs: EventOf<'epoch'>[] }> {
  const h = harness();
  await setUp(h, training);
  const done = h.next('done');
  await h.ok({ type: 'start' });
  expect((await done).reason).toBe('finished');
  return { model: await exportBytes(h), epochs: h.of('epoch') };
}

const lossesOf = (epochs: EventOf<'epoch'>[]): unknown[] => epochs.map((e) => [e.epoch, e.trainLoss, e.trainAccuracy, e.testLoss, e.testAccuracy]);

describe('engine host over a MessageChannel', () => {
  it('announces itself with the protocol version and the backend', async () => {
    const h = harness();
    const ready = await h.next('ready');
    expect(ready).toEqual({ type: 'ready', protocol: 1, ops: 'ts-f32' });
  });

  it('configures, loads a CSV, trains to the end and learns', async () => {
    const h = harness();
    await h.next('ready');
    const [configured] = await h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    expect(configured).toMatchObject({
      type: 'configured',
      layers: [
        { name: 'fc1', kind: 'affine', inputSize: 4, outputSize: 16, params: 80 },
        { name: 'relu1', kind: 'relu', inputSize: 16, outputSize: 16, params: 0 },
        { name: 'fc2', kind: 'affine', inputSize: 16, outputSize: 3, params: 51 },
      ],
      totalParams: 131,
    });
    const [loaded] = await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { testSplit: 0.25, standardize: true } });
    expect(loaded).toMatchObject({
      type: 'dataLoaded',
      trainCount: 180,
      testCount: 60,
      features: 4,
      classNames: ['alpha', 'beta', 'gamma'],
      standardized: true,
      preview: { kind: 'table', header: ['f1', 'f2', 'f3', 'f4', 'kind'], labelColumn: 4 },
    });
    const l = loaded as EventOf<'dataLoaded'>;
    expect(l.trainClassCounts.reduce((a, b) => a + b)).toBe(180);
    expect(l.testClassCounts.reduce((a, b) => a + b)).toBe(60);

    const done = h.next('done');
    await h.ok({ type: 'start' });
    expect(await done).toMatchObject({ reason: 'finished', epoch: 5, iteration: 45 });

    const epochs = h.of('epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(epochs[4]!.trainLoss).toBeLessThan(epochs[0]!.trainLoss);
    expect(epochs[4]!.testAccuracy).toBeGreaterThan(0.9);
    // One checkpoint and one confusion matrix per epoch; the last confusion sums to the test set.
    expect(h.of('checkpoint').map((c) => [c.epoch, c.endEpoch])).toEqual([1, 2, 3, 4, 5].map((e) => [e, 5]));
    const confusion = h.of('confusion').at(-1)!;
    expect(confusion.set).toBe('test');
    expect(Array.from(confusion.counts).reduce((a, b) => a + b)).toBe(60);
    // The final state is always reported: the last progress says 45 iterations, idle, fraction 1.
    const last = h.of('progress').at(-1)!;
    expect(last).toMatchObject({ iteration: 45, epoch: 5, state: 'idle' });
    expect(h.of('status').at(-1)).toMatchObject({ state: 'idle', hasNetwork: true, hasData: true, epoch: 5 });
    // Per-layer statistics name both affine layers and see non-zero gradients.
    const stats = h.of('layerStats').at(-1)!;
    expect(stats.layers.map((s) => s.layer)).toEqual(['fc1', 'fc2']);
    expect(stats.layers[0]!.dW.norm).toBeGreaterThan(0);
  });

  it('a paused, stepped and resumed run equals an uninterrupted one, bit for bit', async () => {
    const training = { epochs: 40, optimizer: 'adam', learningRate: 0.01 };
    const reference = await uninterrupted(training);

    // One batch per slice and a progress event per slice, so the pause lands mid-run.
    const h = harness({ sliceMs: 0, progressIntervalMs: 0 });
    await setUp(h, training);
    const total = 40 * 9;
    const running = h.waitFor((e) => e.type === 'progress' && e.state === 'running' && e.iteration >= 10);
    await h.ok({ type: 'start' });
    await running;
    await h.ok({ type: 'pause' });
    const paused = h.of('progress').at(-1)!;
    expect(paused.state).toBe('paused');
    expect(paused.iteration).toBeGreaterThanOrEqual(10);
    expect(paused.iteration).toBeLessThan(total);

    // Paused means paused: nothing trains while we look.
    await h.ok({ type: 'inspect', layer: 'fc1' });
    expect(h.of('progress').at(-1)!.iteration).toBe(paused.iteration);

    await h.ok({ type: 'step', count: 5 });
    expect(h.of('progress').at(-1)).toMatchObject({ state: 'paused', iteration: paused.iteration + 5 });

    const done = h.next('done');
    await h.ok({ type: 'resume' });
    expect(await done).toMatchObject({ reason: 'finished', epoch: 40, iteration: total });
    expect(lossesOf(h.of('epoch'))).toEqual(lossesOf(reference.epochs));
    expect((await exportBytes(h)).equals(reference.model)).toBe(true);
  });

  it('steps before start, then start continues the same run', async () => {
    const reference = await uninterrupted({});
    const h = harness();
    await setUp(h);
    await h.ok({ type: 'step' });
    expect(h.of('progress').at(-1)).toMatchObject({ state: 'idle', iteration: 1, epoch: 0 });
    await h.ok({ type: 'step', count: 4 });
    expect(h.of('progress').at(-1)).toMatchObject({ iteration: 5, epoch: 0 });
    // The batches already taken belong to the run's first epoch.
    const done = h.next('done');
    await h.ok({ type: 'start' });
    expect(await done).toMatchObject({ reason: 'finished', epoch: 5, iteration: 45 });
    expect((await exportBytes(h)).equals(reference.model)).toBe(true);
  });

  it('steps that complete an epoch report it; start then trains the configured epochs on top', async () => {
    const h = harness();
    await setUp(h);
    await h.ok({ type: 'step', count: 12 }); // 9 batches per epoch: epoch 1 ends inside this step
    expect(h.of('epoch').map((e) => e.epoch)).toEqual([1]);
    expect(h.of('checkpoint').map((c) => [c.epoch, c.endEpoch])).toEqual([[1, null]]);
    expect(h.of('progress').at(-1)).toMatchObject({ iteration: 12, epoch: 1, state: 'idle' });
    const done = h.next('done');
    await h.ok({ type: 'start' });
    expect(await done).toMatchObject({ reason: 'finished', epoch: 6, iteration: 54 });
  });

  it('stop ends the run and keeps the weights; start trains the configured epochs again', async () => {
    const h = harness({ sliceMs: 0, progressIntervalMs: 0 });
    await setUp(h, { epochs: 50 });
    const running = h.waitFor((e) => e.type === 'progress' && e.state === 'running' && e.iteration >= 3);
    await h.ok({ type: 'start' });
    await running;
    const done = h.next('done');
    await h.ok({ type: 'stop' });
    const d = await done;
    expect(d.reason).toBe('stopped');
    expect(d.iteration).toBeLessThan(50 * 9);
    const weights = (await h.ok({ type: 'inspect', layer: 0 }))[0] as EventOf<'inspectResult'>;
    expect(h.of('status').at(-1)!.state).toBe('idle');
    // Nothing trains after stop.
    const again = (await h.ok({ type: 'inspect', layer: 0 }))[0] as EventOf<'inspectResult'>;
    expect(Array.from(again.W)).toEqual(Array.from(weights.W));
  });

  it('inspect sends copies of W, b, dW and db with their shapes', async () => {
    const h = harness();
    await setUp(h);
    await h.ok({ type: 'step', count: 3 });
    const [byName] = (await h.ok({ type: 'inspect', layer: 'fc2' })) as EventOf<'inspectResult'>[];
    expect(byName).toMatchObject({ layer: 'fc2', index: 1, wShape: [16, 3], bShape: [1, 3], iteration: 3 });
    expect(byName!.W).toBeInstanceOf(Float32Array);
    expect(byName!.W.length).toBe(48);
    expect(byName!.dW.length).toBe(48);
    expect(byName!.b.length).toBe(3);
    expect(byName!.db.length).toBe(3);
    // After a batch, gradients are there, and the bias gradient sums to 0 over the classes
    // (softmax outputs and one-hot targets both sum to 1 per row).
    expect(Math.abs(byName!.db.reduce((a, b) => a + b))).toBeLessThan(1e-5);
    expect(byName!.dW.some((v) => v !== 0)).toBe(true);

    const [byIndex] = (await h.ok({ type: 'inspect', layer: 1 })) as EventOf<'inspectResult'>[];
    expect(Array.from(byIndex!.W)).toEqual(Array.from(byName!.W));
    // A copy, not a live view: training on does not change what we hold.
    const held = Array.from(byName!.W);
    await h.ok({ type: 'step', count: 3 });
    expect(Array.from(byName!.W)).toEqual(held);
    const [later] = (await h.ok({ type: 'inspect', layer: 'fc2' })) as EventOf<'inspectResult'>[];
    expect(Array.from(later!.W)).not.toEqual(held);
  });

  it('exports a model and imports it into a fresh engine with identical predictions', async () => {
    const a = harness();
    await setUp(a);
    const done = a.next('done');
    await a.ok({ type: 'start' });
    await done;
    const model = await exportBytes(a);
    expect(model.readUInt32LE(4)).toBe(0); // safetensors: 8-byte little-endian header length
    const [evalA] = (await a.ok({ type: 'evaluate' })) as EventOf<'evaluation'>[];

    const b = harness();
    await b.next('ready');
    const bytes = model.buffer.slice(model.byteOffset, model.byteOffset + model.byteLength);
    const results = await b.ok({ type: 'importModel', name: 'toy.safetensors', bytes }, [bytes]);
    expect(results.map((e) => e.type)).toEqual(['configured', 'modelImported']);
    const imported = results[1] as EventOf<'modelImported'>;
    expect(imported.spec).toEqual({ ...SPEC, layers: SPEC.layers.map((l) => ({ ...l })) });
    expect(imported.training).toMatchObject(TRAINING);
    expect(imported.classNames).toEqual(['alpha', 'beta', 'gamma']);
    expect(imported.normalization?.mean).toBeInstanceOf(Float32Array);
    expect(imported.normalization?.mean.length).toBe(4);

    // The same data, standardized by the model's own statistics, gives the same numbers.
    const [loaded] = (await b.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { testSplit: 0.25 } })) as EventOf<'dataLoaded'>[];
    expect(loaded!.standardized).toBe(true);
    expect(loaded!.warnings.join(' ')).toMatch(/statistics stored in the opened model/);
    const [evalB] = (await b.ok({ type: 'evaluate' })) as EventOf<'evaluation'>[];
    expect(evalB).toEqual({ ...evalA, id: evalB!.id });
    // And it exports to the very same bytes.
    expect((await exportBytes(b)).equals(model)).toBe(true);
  });

  it('gradient check on the live network: every parameter agrees (tanh, no kinks)', async () => {
    const h = harness();
    await h.next('ready');
    await h.ok({
      type: 'configure',
      spec: { inputSize: 4, layers: [{ kind: 'affine', units: 6 }, { kind: 'tanh' }, { kind: 'affine', units: 3 }] },
      training: TRAINING,
    });
    const [random] = (await h.ok({ type: 'gradcheck' })) as EventOf<'gradcheckResult'>[];
    expect(random!.inputs).toBe('random');
    await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { standardize: true } });
    await h.ok({ type: 'step', count: 4 });
    const [r] = (await h.ok({ type: 'gradcheck', samples: 5 })) as EventOf<'gradcheckResult'>[];
    expect(r!.inputs).toBe('data');
    expect(r!.rows.map((x) => [x.param, x.shape])).toEqual([
      ['fc1.weight', [4, 6]],
      ['fc1.bias', [1, 6]],
      ['fc2.weight', [6, 3]],
      ['fc2.bias', [1, 3]],
    ]);
    for (const row of r!.rows) expect(row.relError).toBeLessThan(r!.threshold);
    expect(r!.ok).toBe(true);
  });

  it('resetWeights gives the configured seed back; another seed gives other weights', async () => {
    const h = harness();
    await setUp(h);
    const first = ((await h.ok({ type: 'inspect', layer: 0 }))[0] as EventOf<'inspectResult'>).W;
    await h.ok({ type: 'step', count: 5 });
    await h.ok({ type: 'resetWeights' });
    expect(h.of('progress').at(-1)).toMatchObject({ iteration: 0, epoch: 0, loss: null });
    const reset = ((await h.ok({ type: 'inspect', layer: 0 }))[0] as EventOf<'inspectResult'>).W;
    expect(Array.from(reset)).toEqual(Array.from(first));
    await h.ok({ type: 'resetWeights', seed: 99 });
    const other = ((await h.ok({ type: 'inspect', layer: 0 }))[0] as EventOf<'inspectResult'>).W;
    expect(Array.from(other)).not.toEqual(Array.from(first));
  });

  it('new data or a new spec while training stops the run first and says so', async () => {
    const h = harness({ sliceMs: 0, progressIntervalMs: 0 });
    await setUp(h, { epochs: 100 });
    let running = h.waitFor((e) => e.type === 'progress' && e.state === 'running' && e.iteration >= 3);
    await h.ok({ type: 'start' });
    await running;
    let from = h.events.length;
    await h.ok({ type: 'loadData', name: 'other.csv', bytes: csvBytes(makeCsv(90, 777)), options: {} });
    let seq = h.events.slice(from).map((e) => e.type);
    expect(seq.indexOf('done')).toBeLessThan(seq.indexOf('dataLoaded'));
    expect(h.of('done').at(-1)).toMatchObject({ reason: 'stopped', message: expect.stringMatching(/new data/) });
    expect(h.of('status').at(-1)!.state).toBe('idle');

    running = h.waitFor((e) => e.type === 'progress' && e.state === 'running' && e.iteration >= 3);
    await h.ok({ type: 'start' });
    await running;
    from = h.events.length;
    await h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    seq = h.events.slice(from).map((e) => e.type);
    expect(seq.indexOf('done')).toBeLessThan(seq.indexOf('configured'));
    expect(h.of('done').at(-1)).toMatchObject({ reason: 'stopped', message: expect.stringMatching(/reconfigured/) });
  });

  it('setTraining keeps weights, counters and place; the same settings change nothing at all', async () => {
    const training = { epochs: 6, optimizer: 'momentum', learningRate: 0.05 };
    const reference = await uninterrupted(training);
    const h = harness({ sliceMs: 0, progressIntervalMs: 0 });
    await setUp(h, training);
    const running = h.waitFor((e) => e.type === 'progress' && e.state === 'running' && e.iteration >= 12);
    await h.ok({ type: 'start' });
    await running;
    await h.ok({ type: 'pause' });
    const at = h.of('progress').at(-1)!;
    // Mid-run, the very same settings through setTraining: a new trainer restored from the old one.
    const [changed] = (await h.ok({ type: 'setTraining', training: { ...TRAINING, ...training } })) as EventOf<'trainingChanged'>[];
    expect(changed).toMatchObject({ optimizerStateKept: true, training: { learningRate: 0.05, optimizer: 'momentum' } });
    expect(h.of('status').at(-1)).toMatchObject({ state: 'paused', iteration: at.iteration });
    const done = h.next('done');
    await h.ok({ type: 'resume' });
    expect(await done).toMatchObject({ reason: 'finished', epoch: 6, iteration: 54 });
    expect((await exportBytes(h)).equals(reference.model)).toBe(true);
  });

  it('setTraining: a new learning rate, optimizer or batch size applies from the next batch', async () => {
    const h = harness();
    await setUp(h);
    await h.ok({ type: 'step', count: 3 }); // 60 of 180 samples of epoch 1
    const before = ((await h.ok({ type: 'inspect', layer: 0 }))[0] as EventOf<'inspectResult'>).W;
    const [c] = (await h.ok({ type: 'setTraining', training: { ...TRAINING, optimizer: 'adam', learningRate: 0.001, batchSize: 60 } })) as EventOf<'trainingChanged'>[];
    expect(c!.optimizerStateKept).toBe(false); // sgd had none; adam starts afresh
    const after = ((await h.ok({ type: 'inspect', layer: 0 }))[0] as EventOf<'inspectResult'>).W;
    expect(Array.from(after)).toEqual(Array.from(before));
    // The 120 samples left in the epoch are two batches of 60.
    await h.ok({ type: 'step' });
    expect(h.of('epoch')).toHaveLength(0);
    await h.ok({ type: 'step' });
    expect(h.of('epoch').map((e) => [e.epoch, e.iteration])).toEqual([[1, 5]]);
    // And the run can start from here with the new settings.
    const done = h.next('done');
    await h.ok({ type: 'start' });
    expect(await done).toMatchObject({ reason: 'finished', epoch: 6, iteration: 5 + 5 * 3 });
  });

  it('setTraining is refused while training runs and before there is a network', async () => {
    const fresh = harness();
    await fresh.next('ready');
    expect((await fresh.request({ type: 'setTraining', training: TRAINING })).error).toMatchObject({ code: 'NOT_READY' });
    const h = harness({ sliceMs: 0 });
    await setUp(h, { epochs: 500 });
    await h.ok({ type: 'start' });
    const r = await h.request({ type: 'setTraining', training: TRAINING });
    expect(r.error?.message).toBe('cannot change the training settings while training runs; pause first');
    await h.ok({ type: 'stop' });
  });

  it('a corrupt file, model or spec sent mid-run is refused without stopping the run', async () => {
    const h = harness({ sliceMs: 0, progressIntervalMs: 0 });
    await setUp(h, { epochs: 300 });
    const running = h.waitFor((e) => e.type === 'progress' && e.state === 'running' && e.iteration >= 3);
    await h.ok({ type: 'start' });
    await running;
    expect((await h.request({ type: 'loadData', name: 'bad.csv', bytes: csvBytes('a,b,c\n1,2,x\n1,oops,y\n'), options: {} })).error?.code).toBe('NOT_A_NUMBER');
    expect((await h.request({ type: 'importModel', name: 'bad.safetensors', bytes: new ArrayBuffer(4) })).error?.code).toBe('BAD_MODEL');
    expect((await h.request({ type: 'configure', spec: { inputSize: 4, layers: [{ kind: 'tanh' }] }, training: TRAINING })).error?.code).toBe('BAD_SPEC');
    expect((await h.request({ type: 'restoreCheckpoint', bytes: new ArrayBuffer(40) })).error?.code).toBe('BAD_MESSAGE');
    expect(h.of('done')).toHaveLength(0);
    expect(h.of('status').at(-1)!.state).toBe('running');
    const before = h.of('progress').at(-1)!.iteration;
    await h.waitFor((e) => e.type === 'progress' && e.iteration > before + 5);
    await h.ok({ type: 'stop' });
  });

  it('a diverging run ends with done {reason: diverged}', async () => {
    const h = harness();
    await setUp(h, { learningRate: 1000, init: 'he', epochs: 50 });
    const done = h.next('done');
    await h.ok({ type: 'start' });
    const d = await done;
    expect(d.reason).toBe('diverged');
    expect(d.message).toMatch(/diverged/);
    const r = await h.request({ type: 'start' });
    expect(r.error).toMatchObject({ code: 'NOT_READY', message: expect.stringMatching(/diverged/) });
    // Reset makes the network trainable again.
    await h.ok({ type: 'resetWeights' });
    await h.ok({ type: 'step' });
  });
});
