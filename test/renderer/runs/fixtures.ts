import type { RunRecord } from '../../../renderer/src/lib/runs/record.js';

/** A small finished run of two epochs; `over` replaces any field. */
export function sampleRun(over: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1,
    id: 'r1',
    name: 'Run 1',
    createdAt: 1_700_000_000_000,
    spec: { inputSize: 2, layers: [{ kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' },
    training: { optimizer: 'sgd', learningRate: 0.1, batchSize: 10, epochs: 2, seed: 1, init: 'he', momentum: 0.9, beta1: 0.9, beta2: 0.999, decay: 0.99 },
    data: { name: 'spiral', trainCount: 100, testCount: 20, features: 2, classes: 3 },
    status: 'finished',
    message: 'finished 2 epochs',
    curve: { iterations: [1, 2, 3], seconds: [0.1, 0.2, 0.3], losses: [1.1, 1.0, null] },
    epochs: [
      { epoch: 1, iteration: 10, seconds: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1.1, testAccuracy: 0.45 },
      { epoch: 2, iteration: 20, seconds: 2, trainLoss: 0.8, trainAccuracy: 0.6, testLoss: 0.9, testAccuracy: 0.55 },
    ],
    iterations: 20,
    wallSeconds: 2.5,
    samplesPerSecond: 800,
    hasWeights: false,
    ...over,
  };
}
