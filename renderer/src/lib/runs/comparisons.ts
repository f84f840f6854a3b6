import { layerSpecSchema, trainingConfigSchema, type LayerSpec, type NetworkSpec, type OptimizerKind, type TrainingConfig } from '../../../../core/spec.js';
import { OPTIMIZERS } from '../../../../core/spec.js';
import type { RunLabel } from './recorder.js';

/**
 * The book's chapter 6 comparisons, each a set of runs on the data loaded now,
 * built as the book's scripts build them (ch06/optimizer_compare_mnist.py,
 * weight_init_compare.py, batch_norm_test.py, overfit_weight_decay.py,
 * overfit_dropout.py): a MultiLayerNet of 100-unit ReLU layers, SGD at 0.01
 * unless the optimizer is what is compared. A comparison whose layer kind or
 * setting the engine lacks is offered as unavailable, with the reason.
 */

export interface RunPlan {
  label: RunLabel;
  spec: NetworkSpec;
  training: TrainingConfig;
}

export interface DataShape {
  features: number;
  classes: number;
}

export const COMPARISONS = ['optimizers', 'init', 'batchnorm', 'overfitting'] as const;
export type ComparisonId = (typeof COMPARISONS)[number];

export const COMPARISON_INFO: Record<ComparisonId, { title: string; what: string }> = {
  optimizers: { title: 'Optimizers', what: 'SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam on a 4×100 ReLU net (book §6.1.7)' },
  init: { title: 'Weight initialization', what: 'std 0.01, Xavier and He on a 5-layer ReLU net (book §6.2.4): std 0.01 stays near loss 2.30' },
  batchnorm: { title: 'Batch Normalization', what: 'with and without BatchNorm, at std 0.01 and He init (book §6.3.2)' },
  overfitting: { title: 'Overfitting', what: '300 training samples, a 7-layer net, plain vs weight decay 0.1 vs Dropout 0.2 (book §6.4)' },
};

/** The book's learning rates for each optimizer (its class defaults). */
const BOOK_LR: Record<string, number> = { sgd: 0.01, momentum: 0.01, nesterov: 0.01, adagrad: 0.01, rmsprop: 0.01, adam: 0.001 };
const OPTIMIZER_NAME: Record<string, string> = { sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', adagrad: 'AdaGrad', rmsprop: 'RMSprop', adam: 'Adam' };

export function optimizerName(kind: string): string {
  return OPTIMIZER_NAME[kind] ?? kind;
}

const has = (l: unknown): boolean => layerSpecSchema.safeParse(l).success;
const hasWeightDecay = (): boolean => trainingConfigSchema.safeParse({ weightDecay: 0.1 }).success;

/** `hidden` Affine(100) layers, each followed by `between` and a ReLU, then the output layer. */
function multiLayerNet(shape: DataShape, hidden: number, between: (i: number) => LayerSpec[] = () => [], after: LayerSpec[] = []): NetworkSpec {
  const layers: LayerSpec[] = [];
  for (let i = 0; i < hidden; i++) layers.push({ kind: 'affine', units: 100 }, ...between(i), { kind: 'relu' }, ...after);
  layers.push({ kind: 'affine', units: shape.classes });
  return { inputSize: shape.features, layers, loss: 'softmax-cross-entropy' };
}

function training(base: TrainingConfig, patch: Record<string, unknown>): TrainingConfig {
  // Settings of the user's that would change what is compared are left out.
  const { earlyStopping: _e, validationSplit: _v, trainLimit: _t, ...rest } = base;
  return trainingConfigSchema.parse({ ...rest, ...patch });
}

/** Why a comparison cannot run with this engine, or null. */
export function unavailable(id: ComparisonId): string | null {
  if (id === 'batchnorm' && !has({ kind: 'batchnorm' })) return 'the engine has no BatchNorm layer yet';
  if (id === 'overfitting' && !hasWeightDecay() && !has({ kind: 'dropout', rate: 0.2 })) return 'the engine has neither weight decay nor Dropout yet';
  return null;
}

/**
 * The runs of one comparison. `epochs` is per run (the overfitting demo trains
 * its 300 samples for `max(epochs, 100)` epochs: it needs long training to overfit).
 */
export function comparisonPlans(id: ComparisonId, shape: DataShape, base: TrainingConfig, epochs: number, groupId: string): RunPlan[] {
  const group = { id: groupId, kind: 'comparison' as const, label: COMPARISON_INFO[id].title };
  const plan = (name: string, spec: NetworkSpec, patch: Record<string, unknown>): RunPlan => ({
    label: { name, group },
    spec,
    training: training(base, { epochs, batchSize: 100, optimizer: 'sgd', learningRate: 0.01, init: 'he', ...patch }),
  });
  switch (id) {
    case 'optimizers':
      return (OPTIMIZERS as readonly OptimizerKind[]).map((o) =>
        plan(optimizerName(o), multiLayerNet(shape, 4), { optimizer: o, learningRate: BOOK_LR[o] ?? 0.01 }),
      );
    case 'init':
      return [
        plan('std 0.01', multiLayerNet(shape, 4), { init: 'std' }),
        plan('Xavier', multiLayerNet(shape, 4), { init: 'xavier' }),
        plan('He', multiLayerNet(shape, 4), { init: 'he' }),
      ];
    case 'batchnorm': {
      const bn = (): LayerSpec[] => [{ kind: 'batchnorm' } as unknown as LayerSpec];
      return [
        plan('std 0.01, no BatchNorm', multiLayerNet(shape, 5), { init: 'std' }),
        plan('std 0.01, BatchNorm', multiLayerNet(shape, 5, bn), { init: 'std' }),
        plan('He, no BatchNorm', multiLayerNet(shape, 5), { init: 'he' }),
        plan('He, BatchNorm', multiLayerNet(shape, 5, bn), { init: 'he' }),
      ];
    }
    case 'overfitting': {
      const long = { epochs: Math.max(epochs, 100), trainLimit: 300 };
      const plans = [plan('300 samples, plain', multiLayerNet(shape, 6), long)];
      if (hasWeightDecay()) plans.push(plan('300 samples, weight decay 0.1', multiLayerNet(shape, 6), { ...long, weightDecay: 0.1 }));
      if (has({ kind: 'dropout', rate: 0.2 })) {
        const dropout = [{ kind: 'dropout', rate: 0.2 } as unknown as LayerSpec];
        plans.push(plan('300 samples, Dropout 0.2', multiLayerNet(shape, 6, undefined, dropout), long));
      }
      return plans;
    }
  }
}
