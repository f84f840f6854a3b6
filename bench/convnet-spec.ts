import { trainingConfigSchema, type NetworkSpec, type TrainingConfig } from '../core/spec.js';

/**
 * The book's SimpleConvNet (ch. 7) as ../shared/anchors/torch_convnet.py and
 * numpy_convnet.py build it: Conv 30 filters 5x5 - ReLU - MaxPool 2 - Affine 100 - ReLU -
 * Affine 10 on 1x28x28 images, softmax cross-entropy.
 */
export const SIMPLE_CONVNET: NetworkSpec = {
  inputSize: 784,
  inputShape: [1, 28, 28],
  layers: [
    { kind: 'conv', filters: 30, size: 5, stride: 1, pad: 0 }, { kind: 'relu' }, { kind: 'pool', size: 2, stride: 2 },
    { kind: 'affine', units: 100 }, { kind: 'relu' },
    { kind: 'affine', units: 10 },
  ],
  loss: 'softmax-cross-entropy',
};

/** Adam lr 0.001, batch 100, He init: the anchors' settings. */
export function simpleConvnetConfig(iterations: number, count: number): TrainingConfig {
  return trainingConfigSchema.parse({
    optimizer: 'adam', learningRate: 0.001, batchSize: 100, init: 'he', seed: 1,
    epochs: Math.max(1, Math.ceil((iterations * 100) / count)),
  });
}

/** The anchors' arguments for the same run. */
export function convnetAnchorArgs(data: string, iterations: number, threads: number): string[] {
  return ['--data', data, '--iters', String(iterations), '--init', 'he', '--lr', '0.001', '--batch', '100', '--threads', String(threads)];
}
