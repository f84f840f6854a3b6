import { expectedTensorShapes, type ModelFileContent, type Tensor } from '../../../core/model/model-file.js';
import { Rng } from '../../../core/rng.js';
import { trainingConfigSchema, type NetworkSpec } from '../../../core/spec.js';

/** The small model the model-file tests write, read and damage: 3 inputs, 4 hidden, 2 classes. */
export const SPEC: NetworkSpec = {
  inputSize: 3,
  layers: [{ kind: 'affine', units: 4 }, { kind: 'relu' }, { kind: 'affine', units: 2 }],
  loss: 'softmax-cross-entropy',
};

/** Seeded normal values in every tensor `spec` needs, in PyTorch's shapes. */
export function randomTensors(spec: NetworkSpec, seed = 1): Map<string, Tensor> {
  const rng = new Rng(seed);
  const out = new Map<string, Tensor>();
  for (const [name, shape] of expectedTensorShapes(spec)) {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
    out.set(name, { shape, data });
  }
  return out;
}

/** A model with every optional part present: training config, normalization, class names. */
export function fullModel(): ModelFileContent {
  return {
    spec: SPEC,
    training: trainingConfigSchema.parse({ optimizer: 'adam', learningRate: 0.001, seed: 9 }),
    normalization: { mean: Float32Array.from([0.1, -2, 3.5]), std: Float32Array.from([1, 0.25, 7]) },
    classNames: ['cat', 'dog'],
    tensors: randomTensors(SPEC),
  };
}
