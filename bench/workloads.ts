import type { NetworkSpec, TrainingConfig } from '../core/spec.js';

/**
 * The two training workloads of ../shared/anchors/README.md, as the engine runs them
 * and as numpy_twolayer.py is asked to run them.
 */
export interface Workload {
  id: 'W1' | 'W2';
  layers: number[];
  batch: number;
  /** Iterations timed (W1: one epoch of 60,000 = 600; W2: 200). */
  iterations: number;
  init: 'std' | 'he';
  lr: number;
  /** numpy_twolayer.py arguments for the same run. */
  numpyArgs: string[];
}

export const WORKLOADS: Record<'W1' | 'W2', Workload> = {
  W1: {
    id: 'W1',
    layers: [784, 50, 10],
    batch: 100,
    iterations: 600,
    init: 'std',
    lr: 0.1,
    numpyArgs: ['--workload', 'W1', '--layers', '784,50,10', '--batch', '100', '--epochs', '1', '--init', 'std0.01', '--lr', '0.1'],
  },
  W2: {
    id: 'W2',
    layers: [784, 512, 512, 10],
    batch: 128,
    iterations: 200,
    init: 'he',
    lr: 0.1,
    numpyArgs: ['--workload', 'W2', '--layers', '784,512,512,10', '--batch', '128', '--iters', '200', '--init', 'he', '--lr', '0.1'],
  },
};

export function workloadSpec(w: Workload): NetworkSpec {
  const layers: NetworkSpec['layers'] = [];
  for (let i = 1; i < w.layers.length; i++) {
    if (i > 1) layers.push({ kind: 'relu' });
    layers.push({ kind: 'affine', units: w.layers[i]! });
  }
  return { inputSize: w.layers[0]!, layers, loss: 'softmax-cross-entropy' };
}

export function workloadConfig(w: Workload, count: number): TrainingConfig {
  return {
    optimizer: 'sgd',
    learningRate: w.lr,
    batchSize: w.batch,
    epochs: Math.max(1, Math.ceil((w.iterations * w.batch) / count)),
    seed: 1,
    init: w.init,
    momentum: 0.9,
    beta1: 0.9,
    beta2: 0.999,
    decay: 0.99,
  };
}

/**
 * Floating-point work per sample as the anchors count it: for each Affine layer the
 * forward product and dW (2·in·out each), and dx for every layer but the first
 * (2·in·out). The engine also forms the first layer's dx, as the book's code does;
 * that extra work is not counted, so GFLOP/s compares the same work.
 */
export function flopsPerSample(w: Workload): number {
  let f = 0;
  for (let i = 1; i < w.layers.length; i++) {
    const io = w.layers[i - 1]! * w.layers[i]!;
    f += 2 * io * (i === 1 ? 2 : 3);
  }
  return f;
}
