import { resolve } from 'node:path';
import { decodeModel, loadTensorsIntoParams, type ModelFileContent } from '../core/model/model-file.js';
import { buildNetwork, type Network } from '../core/network.js';
import { applyNormalization, matchFeatureNames } from '../core/data/prepare.js';
import { StudioError, formatPlace } from '../core/errors.js';
import type { Dataset } from '../core/data/dataset.js';
import { readFileCapped } from '../node/read-file.js';
import type { Ops } from '../core/ops/types.js';
import type { CliIO } from './io.js';

/** Models larger than this are not ours: the biggest spec the limits allow is 200 MB of f32. */
const MAX_MODEL_BYTES = 512 * 1024 * 1024;

export interface LoadedModel {
  file: string;
  content: ModelFileContent;
  network: Network;
}

/** Read and validate a saved model file: spec, tensors, metadata (no network yet). */
export async function readModelFile(io: CliIO, path: string): Promise<{ file: string; content: ModelFileContent }> {
  const bytes = await readFileCapped(resolve(io.cwd, path), MAX_MODEL_BYTES, path);
  return { file: path, content: decodeModel(bytes, path) };
}

/** Read, validate and rebuild a saved model, weights included. */
export async function loadModel(io: CliIO, path: string, ops: Ops): Promise<LoadedModel> {
  const { content } = await readModelFile(io, path);
  return { file: path, content, network: modelNetwork(content, path, ops) };
}

/** The network of a read model file, with its weights and BatchNorm statistics. */
export function modelNetwork(content: ModelFileContent, path: string, ops: Ops): Network {
  try {
    const network = buildNetwork(content.spec, { ops });
    loadTensorsIntoParams(content.tensors, network.namedParams(), network.namedBuffers());
    return network;
  } catch (e) {
    // Building the network and loading its weights know nothing of files: say which one.
    if (!(e instanceof StudioError) || e.where.file !== undefined) throw e;
    throw new StudioError(e.code, e.message.slice(formatPlace(e.where).length), { file: path, ...e.where });
  }
}

/**
 * Make new data look like the model's training data: its columns in the trained
 * order (by name, when both have names), the stored standardization.
 */
export function prepareForModel(
  data: Dataset, model: LoadedModel, dataFile: string, warnings: string[], featureNames?: readonly string[],
): Dataset {
  const ds = lineUpWithModel(data, model, dataFile, warnings, featureNames);
  return model.content.normalization ? applyNormalization(ds, model.content.normalization) : ds;
}

/**
 * The data's columns as the model reads them: the same count (else refused, naming
 * the model as `modelName`), in the trained order by name when both have names, and
 * a warning when the values are on another scale than the model was trained on.
 */
export function lineUpWithModel(
  data: Dataset, model: Pick<LoadedModel, 'file' | 'content'>, dataFile: string, warnings: string[],
  featureNames?: readonly string[], modelName = model.file,
): Dataset {
  if (data.features !== model.content.spec.inputSize) {
    throw new StudioError('SHAPE_MISMATCH', `has ${data.features} features per sample, but the model ${modelName} expects ${model.content.spec.inputSize}`, { file: dataFile });
  }
  let ds = data;
  if (featureNames && model.content.featureNames) {
    const matched = matchFeatureNames(ds, featureNames, model.content.featureNames, dataFile);
    ds = matched.dataset;
    if (matched.note) warnings.push(matched.note);
  }
  const scale = scaleWarning(ds, model, dataFile);
  if (scale) warnings.push(scale);
  return ds;
}

/**
 * New values far outside the training range usually mean another scale, not new
 * cases: 0..255 pixels given to a model trained on IDX images (read as 0..1) give
 * confident nonsense. "Far" is more than twice the training range beyond either end.
 */
function scaleWarning(ds: Dataset, model: Pick<LoadedModel, 'file' | 'content'>, dataFile: string): string | undefined {
  const range = model.content.inputRange;
  if (!range) return undefined;
  const [lo, hi] = dataRange(ds);
  const [tlo, thi] = range;
  const slack = 2 * Math.max(thi - tlo, Number.MIN_VALUE);
  if (lo >= tlo - slack && hi <= thi + slack) return undefined;
  const show = (v: number): string => String(Number(v.toPrecision(4)));
  return (
    `${dataFile}: values run from ${show(lo)} to ${show(hi)}, but ${model.file} was trained on values from ${show(tlo)} to ${show(thi)}; ` +
    'is the data on the same scale (IDX pixels are read as 0..1)?'
  );
}

/** Smallest and largest feature value as read (scale applied). */
export function dataRange(ds: Dataset): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < ds.x.length; i++) {
    const v = ds.x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo * ds.scale, hi * ds.scale];
}
