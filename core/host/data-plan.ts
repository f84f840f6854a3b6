import type { Normalization } from '../spec.js';
import type { Dataset } from '../data/dataset.js';
import { fitIfAsked, prepareData, type RawData } from './data-load.js';
import { lineUpDataWithModel, type ModelColumns } from './model-lineup.js';

/*
 * How a session reads data it loads: lined up with an opened model's columns and
 * classes (model-lineup.ts), and standardized with the statistics that apply, with
 * the notes that tell the user why (see Session). Kept apart from the session so the
 * rule reads in one place.
 */

/** Data sets ready for training and what the user should be told about them. */
export interface DataPlan {
  /** The data as the session uses it: the file's, lined up with the opened model if any. */
  raw: RawData;
  train: Dataset;
  test: Dataset | null;
  normalization: Normalization | null;
  notes: string[];
}

/** What an opened model brings to data loaded with it. */
export interface OpenedModelData extends ModelColumns {
  normalization: Normalization | null;
}

/**
 * `asRead` lined up with the opened `model` (if any), then standardized with the
 * statistics that apply: the model's (its weights were trained on them), else those
 * the current weights were trained with, else the data's own when its options ask.
 */
export function planData(asRead: RawData, model: OpenedModelData | null, trainedWith: TrainedWith | null = null): DataPlan {
  const notes: string[] = [];
  let raw = asRead;
  if (model) {
    const lined = lineUpDataWithModel(asRead, model);
    raw = lined.raw;
    notes.push(...lined.notes);
  }
  let normalization: Normalization | null;
  const modelNormalization = model?.normalization;
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
  return { raw, train, test, normalization, notes };
}

/** The standardization the current weights were trained under (null inside: none). */
export interface TrainedWith {
  normalization: Normalization | null;
}
