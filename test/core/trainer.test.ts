import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../core/data/dataset.js';
import type { Ops } from '../../core/ops/types.js';
import { createReferenceOps } from '../../core/ops/reference.js';
import { buildNetwork, type Network } from '../../core/network.js';
import { Rng } from '../../core/rng.js';
import { trainingConfigSchema, type NetworkSpec, type TrainingConfig } from '../../core/spec.js';
import { Trainer, type StepResult } from '../../core/trainer.js';
import { confusionMatrix, evaluateDataset, predictDataset } from '../../core/evaluation.js';
import { layerStats } from '../../core/stats.js';
import { StudioError } from '../../core/errors.js';

/** Gaussian blobs: `classes` centres in `features` dimensions, well separated. */
function blobs(count: number, features: number, classes: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: features }, () => rng.normal() * 2));
  const x = new Float32Array(count * features);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = rng.int(classes);
    labels[i] = c;
    for (let f = 0; f < features; f++) x[i * features + f] = centres[c]![f]! + rng.normal() * 0.7;
  }
  return { count, features, x, scale: 1, labels, classNames: Array.from({ length: classes }, (_, i) => `c${i}`) };
}

/** The same blobs stored as bytes with scale 1/255, the way image data arrives. */
function asBytes(ds: Dataset): Dataset {
  const x = new Uint8Array(ds.x.length);
  for (let i = 0; i < x.length; i++) x[i] = Math.max(0, Math.min(255, Math.round(128 + ds.x[i]! * 25)));
  return { ...ds, x, scale: 1 / 255 };
}

const SPEC: NetworkSpec = {
  inputSize: 6,
  layers: [{ kind: 'affine', units: 12 }, { kind: 'relu' }, { kind: 'affine', units: 3 }],
  loss: 'softmax-cross-entropy',
};

function cfg(over: Partial<TrainingConfig> = {}): TrainingConfig {
  return trainingConfigSchema.parse({ learningRate: 0.1, batchSize: 32, epochs: 3, ...over });
}

function weights(net: Network): number[][] {
  return net.params().map((p) => Array.from(p.value.data));
}

/** Ops that record every batch of indices the trainer gathers. */
function recordingOps(): { ops: Ops; batches: number[][] } {
  const base = createReferenceOps('f32');
  const batches: number[][] = [];
  const ops: Ops = {
    ...base,
    gatherRows(source, cols, indices, scale, out) {
      batches.push(Array.from(indices));
      base.gatherRows(source, cols, indices, scale, out);
    },
  };
  return { ops, batches };
}

describe('Trainer', () => {
  // Train and test sets drawn from the same centres (one generator), then split.
  const all = blobs(420, 6, 3, 2);
  const trainSet: Dataset = { ...all, count: 300, x: all.x.subarray(0, 300 * 6), labels: all.labels.subarray(0, 300) };
  const testSet: Dataset = { ...all, count: 120, x: all.x.subarray(300 * 6), labels: all.labels.subarray(300) };

  it('learns separable data: loss falls, train and test accuracy above 0.95', () => {
    const network = buildNetwork(SPEC, { init: 'he', seed: 1 });
    const trainer = new Trainer({ network, train: trainSet, test: testSet, config: cfg({ epochs: 5 }) });
    const before = trainer.evaluate(testSet);
    const result = trainer.run();
    expect(result.reason).toBe('finished');
    expect(result.epochs).toHaveLength(5);
    const last = result.epochs[4]!;
    expect(last.trainLoss).toBeLessThan(before.loss / 4);
    expect(last.trainAccuracy).toBeGreaterThan(0.95);
    expect(last.testAccuracy).toBeGreaterThan(0.95);
    expect(last.testLoss).toBeLessThan(before.loss);
    expect(last.seconds).toBeGreaterThanOrEqual(0);
    expect(trainer.isFinished).toBe(true);
    expect(trainer.epoch).toBe(5);
  });

  it('trains on byte data (scale 1/255) through gatherRows', () => {
    const network = buildNetwork(SPEC, { init: 'he', seed: 1 });
    const trainer = new Trainer({ network, train: asBytes(trainSet), test: asBytes(testSet), config: cfg({ epochs: 8, learningRate: 0.5 }) });
    const last = trainer.run().epochs.at(-1)!;
    expect(last.testAccuracy).toBeGreaterThan(0.9);
  });

  it('visits every sample once per epoch, in a new seeded order each epoch, last batch smaller', () => {
    const { ops, batches } = recordingOps();
    const network = buildNetwork(SPEC, { ops, seed: 1 });
    const trainer = new Trainer({ network, train: trainSet, config: cfg({ epochs: 2, batchSize: 64 }) });
    expect(trainer.iterationsPerEpoch).toBe(5);
    const steps: StepResult[] = [];
    for (let e = 0; e < 2; e++) {
      for (let b = 0; b < 5; b++) steps.push(trainer.step());
      trainer.finishEpoch();
    }
    expect(steps.map((s) => [s.epoch, s.batchInEpoch, s.samples, s.epochEnded])).toEqual([
      [1, 1, 64, false], [1, 2, 64, false], [1, 3, 64, false], [1, 4, 64, false], [1, 5, 44, true],
      [2, 1, 64, false], [2, 2, 64, false], [2, 3, 64, false], [2, 4, 64, false], [2, 5, 44, true],
    ]);
    expect(steps.map((s) => s.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The training batches are the first 5 gathers of each epoch; the rest are evaluation chunks.
    const epoch1 = batches.slice(0, 5).flat();
    const epoch2 = batches.slice(6, 11).flat();
    const everyIndex = Array.from({ length: 300 }, (_, i) => i);
    expect([...epoch1].sort((a, b) => a - b)).toEqual(everyIndex);
    expect([...epoch2].sort((a, b) => a - b)).toEqual(everyIndex);
    expect(epoch1).not.toEqual(epoch2);
    expect(epoch1).not.toEqual(everyIndex);
  });

  it('requires finishEpoch between epochs and refuses to step past the end', () => {
    const network = buildNetwork(SPEC, { seed: 1 });
    const trainer = new Trainer({ network, train: trainSet, config: cfg({ epochs: 1, batchSize: 300 }) });
    expect(() => trainer.finishEpoch()).toThrow(/in the middle of epoch 1/);
    expect(trainer.step().epochEnded).toBe(true);
    expect(trainer.epochPending).toBe(true);
    expect(() => trainer.step()).toThrow(/call finishEpoch\(\)/);
    expect(trainer.finishEpoch().epoch).toBe(1);
    expect(trainer.isFinished).toBe(true);
    expect(() => trainer.step()).toThrow(/training is finished/);
  });

  for (const optimizer of ['sgd', 'momentum', 'adagrad', 'adam'] as const) {
    it(`${optimizer}: the same seed and settings give the same run, bit for bit`, () => {
      const runOnce = (seed: number) => {
        const network = buildNetwork(SPEC, { init: 'he', seed });
        const trainer = new Trainer({ network, train: trainSet, test: testSet, config: cfg({ optimizer, seed, learningRate: 0.05 }) });
        const losses: number[] = [];
        const r = trainer.run({ onStep: (s) => losses.push(s.loss) });
        return { losses, weights: weights(network), epochs: r.epochs.map((e) => [e.trainLoss, e.trainAccuracy, e.testLoss, e.testAccuracy]) };
      };
      const a = runOnce(7);
      const b = runOnce(7);
      expect(b.losses).toEqual(a.losses);
      expect(b.weights).toEqual(a.weights);
      expect(b.epochs).toEqual(a.epochs);
      expect(runOnce(8).losses).not.toEqual(a.losses);
    });
  }

  for (const [label, stopAfter] of [['mid-epoch', 13], ['at an epoch end, before finishEpoch', 10]] as const) {
    it(`a checkpoint taken ${label} resumes exactly like an uninterrupted run`, () => {
      const config = cfg({ optimizer: 'adam', learningRate: 0.01, epochs: 4, seed: 3 });
      const straight = new Trainer({ network: buildNetwork(SPEC, { init: 'he', seed: 3 }), train: trainSet, test: testSet, config });
      const straightLosses: number[] = [];
      const straightEpochs = straight.run({ onStep: (s) => straightLosses.push(s.loss) }).epochs;

      const first = new Trainer({ network: buildNetwork(SPEC, { init: 'he', seed: 3 }), train: trainSet, test: testSet, config });
      const losses: number[] = [];
      const epochs = [];
      while (first.iteration < stopAfter) {
        const s = first.step();
        losses.push(s.loss);
        if (s.epochEnded && first.iteration < stopAfter) epochs.push(first.finishEpoch());
      }
      // Through structuredClone, as it would travel to another process.
      const cp = structuredClone(first.checkpoint());
      // A different network (other seed) and trainer: everything must come from the checkpoint.
      const resumedNet = buildNetwork(SPEC, { init: 'he', seed: 999 });
      const resumed = new Trainer({ network: resumedNet, train: trainSet, test: testSet, config });
      resumed.restore(cp);
      expect(resumed.iteration).toBe(stopAfter);
      const rest = resumed.run({ onStep: (s) => losses.push(s.loss) });
      epochs.push(...rest.epochs);
      expect(losses).toEqual(straightLosses);
      expect(weights(resumedNet)).toEqual(weights(straight.network));
      expect(epochs.map((e) => [e.epoch, e.trainLoss, e.testAccuracy])).toEqual(straightEpochs.map((e) => [e.epoch, e.trainLoss, e.testAccuracy]));
    });
  }

  it('restore refuses a checkpoint from another network shape or training set', () => {
    const config = cfg();
    const t = new Trainer({ network: buildNetwork(SPEC), train: trainSet, config });
    t.step();
    const cp = t.checkpoint();
    const other = new Trainer({ network: buildNetwork({ ...SPEC, layers: [{ kind: 'affine', units: 3 }] }), train: trainSet, config });
    expect(() => other.restore(cp)).toThrow(/checkpoint holds fc1.weight\[6x12\].*the network has fc1.weight\[6x3\]/);
    const smaller = new Trainer({ network: buildNetwork(SPEC), train: testSet, config });
    expect(() => smaller.restore(cp)).toThrow(/training set of 300 samples, this one has 120/);
  });

  it('stops with diverged when the loss becomes infinite or NaN, without applying that update', () => {
    // Inputs of 1e30 overflow float32 within a step or two.
    const huge = { ...trainSet, x: trainSet.x.map((v) => v * 1e30) as Float32Array };
    const network = buildNetwork(SPEC, { init: 'he', seed: 1 });
    const trainer = new Trainer({ network, train: huge, config: cfg() });
    let before = weights(network);
    let last: StepResult | undefined;
    while (!trainer.isFinished) {
      before = weights(network);
      last = trainer.step();
    }
    expect(last!.diverged).toBe(true);
    expect(Number.isFinite(last!.loss)).toBe(false);
    expect(last!.iteration).toBeLessThanOrEqual(3);
    expect(weights(network)).toEqual(before);
    expect(trainer.diverged).toBe(true);
    expect(() => trainer.step()).toThrow(/diverged/);

    const again = new Trainer({ network: buildNetwork(SPEC, { init: 'he', seed: 1 }), train: huge, config: cfg() });
    const onEpoch: unknown[] = [];
    const result = again.run({ onEpoch: (e) => onEpoch.push(e) });
    expect(result.reason).toBe('diverged');
    expect(Number.isFinite(result.lastLoss)).toBe(false);
    expect(onEpoch).toHaveLength(0);
  });

  it('a learning rate far too large diverges (weights blow up) rather than running on', () => {
    const network = buildNetwork(SPEC, { init: 'he', seed: 1 });
    const trainer = new Trainer({ network, train: trainSet, config: cfg({ learningRate: 1000, epochs: 50, optimizer: 'momentum', momentum: 0.99 }) });
    const result = trainer.run();
    expect(result.reason).toBe('diverged');
    expect(trainer.epoch).toBeLessThan(50);
  });

  it('evaluate, confusionMatrix and predictDataset agree with each other', () => {
    const network = buildNetwork(SPEC, { init: 'he', seed: 2 });
    const trainer = new Trainer({ network, train: trainSet, config: cfg({ epochs: 1 }) });
    trainer.run();
    const ev = trainer.evaluate(testSet);
    expect(ev.samples).toBe(120);
    const cm = trainer.confusionMatrix(testSet);
    expect(cm.length).toBe(9);
    expect(cm.reduce((a, b) => a + b, 0)).toBe(120);
    expect((cm[0]! + cm[4]! + cm[8]!) / 120).toBeCloseTo(ev.accuracy, 12);
    const probs = trainer.predictDataset(testSet);
    expect(probs.length).toBe(360);
    let correct = 0, loss = 0;
    for (let i = 0; i < 120; i++) {
      const p = Array.from(probs.subarray(i * 3, i * 3 + 3));
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      if (p.indexOf(Math.max(...p)) === testSet.labels[i]) correct++;
      loss -= Math.log(p[testSet.labels[i]!]!);
    }
    expect(correct / 120).toBe(ev.accuracy);
    expect(loss / 120).toBeCloseTo(ev.loss, 4);
    // The free functions give the same numbers without a Trainer (the CLI's eval and predict).
    expect(evaluateDataset(network, testSet)).toEqual(ev);
    expect(Array.from(confusionMatrix(network, testSet))).toEqual(Array.from(cm));
    expect(Array.from(predictDataset(network, testSet))).toEqual(Array.from(probs));
  });

  it('evaluates sets larger than one evaluation chunk (1000 rows) correctly', () => {
    const big = blobs(2500, 6, 3, 9);
    const network = buildNetwork(SPEC, { init: 'he', seed: 2 });
    const whole = evaluateDataset(network, big);
    // Same thing computed in one forward pass over all rows.
    const x = network.ops.alloc(2500, 6);
    x.data.set(big.x);
    const loss = network.loss(x, big.labels);
    expect(whole.loss).toBeCloseTo(loss, 5);
  });

  it('trains an mse network on class labels (one-hot targets)', () => {
    const network = buildNetwork({ ...SPEC, loss: 'mse' }, { init: 'he', seed: 1 });
    const trainer = new Trainer({ network, train: trainSet, test: testSet, config: cfg({ epochs: 10, learningRate: 0.05 }) });
    const result = trainer.run();
    expect(result.reason).toBe('finished');
    const last = result.epochs.at(-1)!;
    expect(last.testAccuracy).toBeGreaterThan(0.9);
  });

  it('rejects data that does not fit the network, with the reason', () => {
    const network = buildNetwork(SPEC);
    const code = (ds: Dataset) => {
      try {
        new Trainer({ network, train: ds, config: cfg() });
        return 'no error';
      } catch (e) {
        return e instanceof StudioError ? `${e.code}: ${e.message}` : String(e);
      }
    };
    expect(code(blobs(10, 5, 3, 1))).toBe('SHAPE_MISMATCH: training set has 5 features per sample, the network expects 6');
    expect(code(blobs(30, 6, 5, 1))).toMatch(/^SHAPE_MISMATCH: training set: sample \d+ has class [34] \(c[34]\), but the network has only 3 outputs$/);
    expect(code({ ...trainSet, count: 0, x: new Float32Array(0), labels: new Int32Array(0) })).toBe('BAD_DATA: training set is empty');
    expect(code({ ...trainSet, labels: trainSet.labels.subarray(0, 10) })).toBe('BAD_DATA: training set: 10 labels for 300 samples');
    expect(() => new Trainer({ network, train: trainSet, config: { ...cfg(), batchSize: 0 } })).toThrow(/training config field batchSize/);
  });

  it('layerStats summarizes W, b, dW and db per Affine layer', () => {
    const network = buildNetwork(SPEC, { init: 'he', seed: 1 });
    const trainer = new Trainer({ network, train: trainSet, config: cfg() });
    trainer.step();
    const stats = layerStats(network);
    expect(stats.map((s) => s.layer)).toEqual(['fc1', 'fc2']);
    const W = Array.from(network.affineLayers()[0]!.W.data);
    const mean = W.reduce((a, b) => a + b, 0) / W.length;
    expect(stats[0]!.W.mean).toBeCloseTo(mean, 6);
    expect(stats[0]!.W.norm).toBeCloseTo(Math.sqrt(W.reduce((a, b) => a + b * b, 0)), 5);
    expect(stats[0]!.W.min).toBe(Math.min(...W));
    expect(stats[0]!.W.max).toBe(Math.max(...W));
    expect(stats[0]!.dW.norm).toBeGreaterThan(0);
    expect(stats[1]!.b.std).toBeGreaterThan(0);
  });
});
