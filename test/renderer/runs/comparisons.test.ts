import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../../core/network.js';
import { createReferenceOps } from '../../../core/ops/reference.js';
import { networkSpecSchema, trainingConfigSchema } from '../../../core/spec.js';
import { COMPARISONS, comparisonPlans, unavailable } from '../../../renderer/src/lib/runs/comparisons.js';
import { searchPlans } from '../../../renderer/src/lib/runs/search.js';

const BASE = trainingConfigSchema.parse({ earlyStopping: { patience: 2, monitor: 'test' }, trainLimit: 50, validationSplit: 0.3 });

describe('the comparison plans', () => {
  it('every comparison the engine can run builds valid networks and settings for the data shape', () => {
    for (const id of COMPARISONS) {
      if (unavailable(id)) continue;
      const plans = comparisonPlans(id, { features: 784, classes: 10 }, BASE, 7, 'g');
      expect(plans.length).toBeGreaterThanOrEqual(2);
      for (const p of plans) {
        expect(networkSpecSchema.safeParse(p.spec).success).toBe(true);
        expect(trainingConfigSchema.safeParse(p.training).success).toBe(true);
        expect(() => buildNetwork(p.spec, { ops: createReferenceOps('f32'), init: p.training.init, seed: 1 })).not.toThrow();
        // The user's early stopping and split would change what is compared: left out.
        expect(p.training.earlyStopping).toBeUndefined();
        expect(p.training.validationSplit).toBeUndefined();
        expect(p.label.group?.id).toBe('g');
      }
    }
  });

  it("the overfitting demo trains 300 samples for at least 100 epochs, with weight decay 0.1 and Dropout when the engine has them", () => {
    const plans = comparisonPlans('overfitting', { features: 784, classes: 10 }, BASE, 7, 'g');
    expect(plans.every((p) => p.training.trainLimit === 300 && p.training.epochs === 100)).toBe(true);
    expect(plans[0]!.spec.layers.filter((l) => l.kind === 'affine')).toHaveLength(7);
    const names = plans.map((p) => p.label.name);
    if (!unavailable('overfitting')) expect(names[0]).toBe('300 samples, plain');
    const wd = plans.find((p) => /weight decay/.test(p.label.name));
    if (wd) expect((wd.training as { weightDecay?: number }).weightDecay).toBe(0.1);
    const dropout = plans.find((p) => /Dropout/.test(p.label.name));
    if (dropout) expect(dropout.spec.layers.filter((l) => l.kind === 'dropout')).toHaveLength(6);
  });

  it('search trials watch the validation split, never the test set', () => {
    const plans = searchPlans({ trials: 4, epochsPerTrial: 2, validationSplit: 0.2, space: { learningRate: { min: 1e-4, max: 1e-2 } }, seed: 3 }, { inputSize: 4, layers: [{ kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' }, BASE, 's', 'Search 1');
    expect(plans).toHaveLength(4);
    for (const p of plans) {
      expect(p.training.validationSplit).toBe(0.2);
      expect(p.training.earlyStopping?.monitor).toBe('validation');
      expect(p.training.trainLimit).toBeUndefined();
      expect(p.training.epochs).toBe(2);
    }
  });
});
