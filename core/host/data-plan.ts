import type { Normalization } from '../spec.js';
import type { Dataset } from '../data/dataset.js';
import { fitIfAsked, prepareData, type RawData } from './data-load.js';

/*
 * Which standardization statistics a session applies to data it loads, and the
 * notes that tell the user why (see Session). Kept apart from the session so the
 * rule reads in one place.
 */

/** Data sets ready for training and what the user should be told about them. */
export interface DataPlan {
  train: Dataset;
  test: Dataset | null;
  normalization: Normalization | null;
  notes: string[];
}

/**
 * Standardize `raw` with the statistics that apply: an opened model's (its weights
 * were trained on them), else the data's own when its options ask for it.
 */
export function planData(
  raw: RawData,
  modelNormalization: Normalization | null,
  modelClassNames: string[] | null,
  trainedWith: TrainedWith | null = null,
): DataPlan {
  const notes: string[] = [];
  let normalization: Normalization | null;
  const trained = trainedWith?.normalization;
  if (modelNormalization && modelNormalization.mean.length === raw.train.features) {
    normalization = modelNormalization;
    notes.push('standardized with the statistics stored in the opened model');
  } else if (trainedWith && (trained === null || trained?.mean.length === raw.train.features)) {
    // Weights are evaluated with the statistics they were trained with, never with new data's own.
    normalization = trained ?? null;
    if (normalization) notes.push('standardized with the statistics the network was trained with (reset the weights to train afresh on this data\'s own)');
    else if (raw.options.standardize) notes.push('not standardized: the network was trained on unstandardized values (reset the weights to train afresh with this data\'s statistics)');
  } else {
    if (modelNormalization) {
      notes.push(`the opened model's standardization is for ${modelNormalization.mean.length} features, this data has ${raw.train.features}; not applied`);
    }
    normalization = fitIfAsked(raw);
  }
  const { train, test } = prepareData(raw, normalization);
  if (modelClassNames) {
    const same = modelClassNames.length === raw.train.classNames.length && modelClassNames.every((c, i) => c === raw.train.classNames[i]);
    if (!same) {
      notes.push(`the opened model's classes (${modelClassNames.slice(0, 10).join(', ')}) differ from this data's (${raw.train.classNames.slice(0, 10).join(', ')})`);
    }
  }
  return { train, test, normalization, notes };
}

/** The standardization the current weights were trained under (null inside: none). */
export interface TrainedWith {
  normalization: Normalization | null;
}
