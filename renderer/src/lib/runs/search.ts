import { sampleTrials, type SearchSpace, type Trial } from '../../../../core/search/random-search.js';
import { trainingConfigSchema, type NetworkSpec, type TrainingConfig } from '../../../../core/spec.js';
import type { RunPlan } from './comparisons.js';
import { runMetrics, type RunRecord } from './record.js';

/**
 * Hyperparameter search as the book's §6.5: random trials of the learning rate
 * (and weight decay), each a run on the network being edited, judged on a
 * validation set held out of the training data, never on the test set.
 */

export interface SearchSettings {
  trials: number;
  epochsPerTrial: number;
  /** Share of the training data held out for validation. */
  validationSplit: number;
  space: SearchSpace;
  seed: number;
}

export const DEFAULT_SEARCH: SearchSettings = {
  trials: 20,
  epochsPerTrial: 3,
  validationSplit: 0.2,
  space: { learningRate: { min: 1e-6, max: 1e-2 }, weightDecay: { min: 1e-8, max: 1e-4 } },
  seed: 1,
};

export const hasWeightDecay = (): boolean => trainingConfigSchema.safeParse({ weightDecay: 1e-6 }).success;

const short = (v: number): string => v.toExponential(1).replace('e-', 'e−');

export function trialName(t: Trial): string {
  return `Trial ${t.index} · lr ${short(t.learningRate)}${t.weightDecay !== undefined ? ` wd ${short(t.weightDecay)}` : ''}`;
}

export function searchPlans(s: SearchSettings, spec: NetworkSpec, base: TrainingConfig, groupId: string, label: string): RunPlan[] {
  const space = hasWeightDecay() ? s.space : { learningRate: s.space.learningRate };
  const group = { id: groupId, kind: 'search' as const, label };
  const { earlyStopping, trainLimit: _t, ...rest } = base;
  return sampleTrials(space, s.trials, s.seed).map((t) => ({
    label: { name: trialName(t), group },
    spec,
    training: trainingConfigSchema.parse({
      ...rest,
      epochs: s.epochsPerTrial,
      learningRate: t.learningRate,
      ...(t.weightDecay !== undefined ? { weightDecay: t.weightDecay } : {}),
      validationSplit: s.validationSplit,
      // Early stopping in a search watches the validation loss, never the test loss.
      ...(earlyStopping ? { earlyStopping: { ...earlyStopping, monitor: 'validation' } } : {}),
    }),
  }));
}

export interface TrialResult {
  run: RunRecord;
  learningRate: number;
  weightDecay: number | null;
  validationAccuracy: number | null;
  validationLoss: number | null;
}

/** The trials of a search, best validation accuracy first (trials without one last). */
export function trialResults(runs: RunRecord[], groupId: string): TrialResult[] {
  return runs
    .filter((r) => r.group?.id === groupId)
    .map((run) => {
      const m = runMetrics(run);
      const wd = (run.training as { weightDecay?: number }).weightDecay;
      return { run, learningRate: run.training.learningRate, weightDecay: wd ?? null, validationAccuracy: m.finalValidationAccuracy, validationLoss: m.finalValidationLoss };
    })
    .sort((a, b) => (b.validationAccuracy ?? -1) - (a.validationAccuracy ?? -1));
}
