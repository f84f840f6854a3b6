import { z } from 'zod';
import { LIMITS } from './layers/limits.js';
import { layerSpecSchema } from './layers/kinds/index.js';
import { earlyStoppingSchema } from './early-stopping.js';

/**
 * The serializable description of a network and of a training run. The same
 * objects travel in the protocol, live in the model file's `__metadata__`, and
 * are what the renderer's network editor edits. Validated with zod wherever they
 * cross a boundary (file, message, CLI flags).
 */

export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh'] as const;
export type ActivationKind = (typeof ACTIVATIONS)[number];

export const LOSSES = ['softmax-cross-entropy', 'mse'] as const;
export type LossKind = (typeof LOSSES)[number];

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'] as const;
export type OptimizerKind = (typeof OPTIMIZERS)[number];

/** std = 0.01·randn (the book's TwoLayerNet), xavier = randn/√n_in, he = randn·√(2/n_in). */
export const INITIALIZERS = ['std', 'xavier', 'he'] as const;
export type InitializerKind = (typeof INITIALIZERS)[number];

/** Hard limits that keep a typo from allocating gigabytes (the layer-kind table needs them too). */
export { LIMITS } from './layers/limits.js';

/** Layer specs come from the layer-kind table (core/layers/kinds/index.ts): one schema per kind. */
export { layerSpecSchema, LAYER_KIND_NAMES } from './layers/kinds/index.js';
export type { LayerSpec } from './layers/kinds/index.js';

/** [channels, height, width] of image inputs (IDX images: [1, 28, 28]; CSV rows with --input-shape). */
export const inputShapeSchema = z.tuple([
  z.number().int().min(1).max(LIMITS.maxChannels),
  z.number().int().min(1).max(LIMITS.maxImageSide),
  z.number().int().min(1).max(LIMITS.maxImageSide),
]);

export const networkSpecSchema = z
  .object({
    inputSize: z.number().int().min(1).max(LIMITS.maxUnits * 16),
    /** Image inputs: channels x height x width, C·H·W = inputSize. Absent: flat feature rows. */
    inputShape: inputShapeSchema.optional(),
    layers: z.array(layerSpecSchema).min(1).max(LIMITS.maxLayers),
    loss: z.enum(LOSSES).default('softmax-cross-entropy'),
  })
  .strict();
export type NetworkSpec = z.infer<typeof networkSpecSchema>;

export const trainingConfigSchema = z
  .object({
    optimizer: z.enum(OPTIMIZERS).default('sgd'),
    learningRate: z.number().positive().max(1e3).default(0.1),
    batchSize: z.number().int().min(1).max(LIMITS.maxBatch).default(100),
    epochs: z.number().int().min(1).max(LIMITS.maxEpochs).default(5),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    init: z.enum(INITIALIZERS).default('std'),
    momentum: z.number().min(0).max(1).default(0.9),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    /** The book's weight decay λ (ch. 6): loss + ½λ·ΣW² over Convolution and Affine weights; dW += λW. Absent: 0. */
    weightDecay: z.number().min(0).max(100).optional(),
    /** Visit the training samples in a new random order every epoch (absent: true; false: file order). */
    shuffle: z.boolean().optional(),
    /** RMSprop's decay of the squared-gradient average (the book's decay_rate; PyTorch's alpha). */
    decay: z.number().min(0).lt(1).default(0.99),
    /**
     * Share of the training set held out as a validation set, never trained on
     * (what early stopping and the hyperparameter search watch; core/training-split.ts).
     * Like seed and init, it takes effect with new weights (configure, resetWeights).
     */
    validationSplit: z.number().min(0).max(0.5).optional(),
    /** Train on this many samples of the training set only (the book's overfitting demo: 300). */
    trainLimit: z.number().int().min(1).max(100_000_000).optional(),
    /** End the run when the watched loss stops improving; the best epoch's weights are restored. */
    earlyStopping: earlyStoppingSchema.optional(),
  })
  .strict();
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;

/** Per-feature standardization taken from the training set only. */
export interface Normalization {
  mean: Float32Array;
  std: Float32Array;
}

/** The book's TwoLayerNet: 784-50-10, ReLU between, softmax with cross-entropy. */
export const TWO_LAYER_NET: NetworkSpec = {
  inputSize: 784,
  layers: [{ kind: 'affine', units: 50 }, { kind: 'relu' }, { kind: 'affine', units: 10 }],
  loss: 'softmax-cross-entropy',
};

/** A zod issue's path as a field name: `layers[2].units` ('' for the root). */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** Turn a zod error into one line that names the field: `layers[2].units: ...`. */
export function describeZodError(err: z.ZodError, what: string): string {
  const first = err.issues[0];
  if (!first) return `${what}: invalid`;
  const path = fieldPath(first.path);
  return `${what}${path ? ` field ${path}` : ''}: ${first.message}`;
}
