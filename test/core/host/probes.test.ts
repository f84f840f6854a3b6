import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../../core/protocol/messages.js';
import { harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv, type Harness } from './harness.js';

const harness = harnessPerTest();
const CSV = makeCsv(240);

/**
 * Held-out rows with few of the middle class: every class is there (so class
 * indices agree), but the file's own mean and std are far from the training set's.
 */
function heldOut(): string {
  const lines = makeCsv(150, 999).trim().split('\n');
  let betas = 0;
  return [lines[0], ...lines.slice(1).filter((l) => !l.endsWith(',beta') || betas++ < 2)].join('\n') + '\n';
}

async function trained(h: Harness, epochs = 20): Promise<void> {
  await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, epochs } });
  await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { standardize: true, testSplit: 0.25 } });
  const done = h.next('done');
  await h.ok({ type: 'start' });
  await done;
}

async function first<T extends EventOf<'traceResult'>['type'] | 'evaluation' | 'fileEvaluation' | 'weightCheckResult' | 'predictResult' | 'filePredictions' | 'dataLoaded' | 'modelExported' | 'samplesResult' | 'inspectResult'>(
  h: Harness,
  cmd: Record<string, unknown> & { type: string },
  type: T,
): Promise<EventOf<T>> {
  const events = await h.ok(cmd);
  const ev = events.find((e) => e.type === type);
  if (!ev) throw new Error(`${cmd.type} sent no ${type}`);
  return ev as EventOf<T>;
}

describe('weights are evaluated with their own standardization (issue 12, C1)', () => {
  it('a held-out file loaded after training is standardized with the training statistics, as the saved model and Evaluate on file do', async () => {
    const h = harness();
    await trained(h);
    const model = await first(h, { type: 'exportModel' }, 'modelExported');
    const fileEval = await first(h, { type: 'evaluateFile', name: 'held-out.csv', bytes: csvBytes(heldOut()) }, 'fileEvaluation');
    expect(fileEval.standardization).toMatch(/trained with/);
    const loaded = await first(h, { type: 'loadData', name: 'held-out.csv', bytes: csvBytes(heldOut()), options: { standardize: true, testSplit: 0 } }, 'dataLoaded');
    expect(loaded.warnings.join('\n')).toMatch(/standardized with the statistics the network was trained with/);
    const inSession = await first(h, { type: 'evaluate' }, 'evaluation');

    // The same weights opened from the saved file in a fresh engine, then the same file.
    const fresh = harness();
    await fresh.ok({ type: 'importModel', name: 'toy.safetensors', bytes: model.bytes });
    await fresh.ok({ type: 'loadData', name: 'held-out.csv', bytes: csvBytes(heldOut()), options: { standardize: true, testSplit: 0 } });
    const opened = await first(fresh, { type: 'evaluate' }, 'evaluation');

    expect(inSession.trainAccuracy).toBe(opened.trainAccuracy);
    expect(inSession.trainLoss).toBeCloseTo(opened.trainLoss, 5);
    expect(fileEval.accuracy).toBe(opened.trainAccuracy);
    expect(fileEval.count).toBe(102);
    // The file's own statistics would have shifted every point: the trained net is good on this data.
    expect(opened.trainAccuracy).toBeGreaterThan(0.9);
    // Per-class table material: a confusion matrix over the training classes.
    expect(fileEval.classNames).toEqual(['alpha', 'beta', 'gamma']);
    expect(Array.from(fileEval.counts).reduce((a, b) => a + b)).toBe(102);
  });

  it('fresh weights take the new data’s own statistics again', async () => {
    const h = harness();
    await trained(h, 2);
    await h.ok({ type: 'resetWeights' });
    const loaded = await first(h, { type: 'loadData', name: 'held-out.csv', bytes: csvBytes(heldOut()), options: { standardize: true, testSplit: 0 } }, 'dataLoaded');
    expect(loaded.warnings.join('\n')).not.toMatch(/trained with/);
  });

  it('a reset tells the page when the loaded data is no longer read with the old weights\' statistics', async () => {
    const h = harness();
    await trained(h, 2);
    const loaded = await first(h, { type: 'loadData', name: 'held-out.csv', bytes: csvBytes(heldOut()), options: { standardize: false, testSplit: 0 } }, 'dataLoaded');
    expect(loaded.standardized).toBe(true); // the trained weights' statistics
    const reset = await h.ok({ type: 'resetWeights' });
    expect(reset.filter((e) => e.type === 'dataLoaded')).toMatchObject([{ name: 'held-out.csv', standardized: false }]);
    // A second reset changes nothing the page shows.
    expect((await h.ok({ type: 'resetWeights' })).filter((e) => e.type === 'dataLoaded')).toEqual([]);
  });

  it('Predict on file reads a file with or without its label column', async () => {
    const h = harness();
    await trained(h, 5);
    const labelled = await first(h, { type: 'predictFile', name: 'held-out.csv', bytes: csvBytes(heldOut()) }, 'filePredictions');
    expect(labelled.rows).toBe(102);
    expect(labelled.probs.length).toBe(306);
    expect(labelled.labels?.length).toBe(102);
    const unlabelledText = heldOut()
      .trim()
      .split('\n')
      .map((l) => l.split(',').slice(0, 4).join(','))
      .join('\n');
    const unlabelled = await first(h, { type: 'predictFile', name: 'rows.csv', bytes: csvBytes(unlabelledText) }, 'filePredictions');
    expect(unlabelled.labels).toBeUndefined();
    expect(Array.from(unlabelled.probs)).toEqual(Array.from(labelled.probs));
  });
});

describe('probes look inside without disturbing the run', () => {
  it('trace: the graph of the network with the batch’s numbers; weights and gradients of the run are unchanged', async () => {
    const h = harness();
    await h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { standardize: true, testSplit: 0.25 } });
    await h.ok({ type: 'step', count: 3 });
    const before = await first(h, { type: 'inspect', layer: 'fc1' }, 'inspectResult');
    const trace = await first(h, { type: 'trace', set: 'test', indices: [0, 1, 2, 3, 4] }, 'traceResult');
    expect(trace.nodes.map((n) => n.name)).toEqual(['x', 'fc1', 'relu1', 'fc2', 'loss', 'L']);
    expect(trace.labels.length).toBe(5);
    expect(trace.edges[0]!.value.shape).toEqual([5, 4]);
    expect(trace.heat.length).toBeGreaterThan(0);
    const after = await first(h, { type: 'inspect', layer: 'fc1' }, 'inspectResult');
    expect(after.W).toEqual(before.W);
    expect(after.dW).toEqual(before.dW);
    const check = await first(h, { type: 'checkWeight', set: 'test', indices: [0, 1, 2, 3, 4], param: 'fc1.weight', index: 5 }, 'weightCheckResult');
    expect(check.relError).toBeLessThan(1e-6);
    const bad = await h.request({ type: 'trace', set: 'test', indices: [60] });
    expect(bad.error?.message).toMatch(/sample 60 is beyond the test set's 60 samples/);
  });

  it('predict: rows in the data’s own units give the class the sample browser shows', async () => {
    const h = harness();
    await trained(h, 3);
    const page = await first(h, { type: 'samples', which: 'all', offset: 0, limit: 3 }, 'samplesResult');
    const r = await first(h, { type: 'predict', values: page.values, features: 4 }, 'predictResult');
    expect(r.rows).toBe(3);
    for (let i = 0; i < 3; i++) {
      const p = Array.from(r.probs.subarray(i * 3, i * 3 + 3));
      expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      expect(p.indexOf(Math.max(...p))).toBe(page.predicted[i]);
      expect(Math.max(...p)).toBeCloseTo(page.confidence[i]!, 5);
    }
    const wrong = await h.request({ type: 'predict', values: new Float32Array(6), features: 3 });
    expect(wrong.error?.message).toMatch(/takes 4 values per sample, got 3/);
  });
});

describe('a confusion-matrix cell filters the sample browser (issue 12, B)', () => {
  it('samples {pair} lists only that true class predicted as that class, and counts them as the matrix does', async () => {
    const h = harness();
    await trained(h, 1);
    const confusion = h.of('confusion').at(-1)!;
    const n = confusion.classNames.length;
    // The busiest wrong cell, else the busiest right one.
    let best = { t: 0, p: 0, c: -1 };
    for (let t = 0; t < n; t++) for (let p = 0; p < n; p++) {
      const c = confusion.counts[t * n + p]!;
      if (c > best.c || (c === best.c && t !== p)) best = { t, p, c };
    }
    const page = await first(h, { type: 'samples', which: 'all', offset: 0, limit: 1000, pair: { label: best.t, predicted: best.p } }, 'samplesResult');
    expect(page.total).toBe(best.c);
    expect(Array.from(page.labels).every((l) => l === best.t)).toBe(true);
    expect(Array.from(page.predicted).every((p) => p === best.p)).toBe(true);
  });
});

describe('slow motion (issue 12, C9)', () => {
  it('waits between batches with a timer, one batch per slice, and a pause still gets in', async () => {
    const waits: { fn: () => void; ms: number }[] = [];
    const h = harness({ delay: (fn, ms) => waits.push({ fn, ms }) });
    await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, epochs: 50 } });
    await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { testSplit: 0.25 } });
    await h.ok({ type: 'setPace', batchDelayMs: 80 });
    await h.ok({ type: 'start' });
    await new Promise((r) => setTimeout(r, 20));
    expect(waits.length).toBe(1);
    expect(waits[0]!.ms).toBe(80);
    const progress = h.next('progress');
    waits.shift()!.fn(); // the timer fires: exactly one batch
    expect((await progress).iteration).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(waits.length).toBe(1);
    await h.ok({ type: 'pause' });
    waits.shift()!.fn();
    await new Promise((r) => setTimeout(r, 20));
    const status = h.of('progress').at(-1)!;
    expect(status.state).toBe('paused');
    expect(status.iteration).toBe(1);
    expect(waits.length).toBe(0);
    // Full speed again: the run finishes its 50 epochs without another wait.
    await h.ok({ type: 'setPace', batchDelayMs: 0 });
    const done = h.next('done');
    await h.ok({ type: 'resume' });
    expect((await done).reason).toBe('finished');
    expect(waits.length).toBe(0);
  });
});
