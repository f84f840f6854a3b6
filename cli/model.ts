import { resolve } from 'node:path';
import { decodeModel, loadTensorsIntoParams, type ModelFileContent } from '../core/model/model-file.js';
import { buildNetwork, type Network } from '../core/network.js';
import { applyNormalization } from '../core/data/prepare.js';
import { StudioError } from '../core/errors.js';
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

/** Read, validate and rebuild a saved model, weights included. */
export async function loadModel(io: CliIO, path: string, ops: Ops): Promise<LoadedModel> {
  const full = resolve(io.cwd, path);
  const bytes = await readFileCapped(full, MAX_MODEL_BYTES, path);
  const content = decodeModel(bytes, path);
  const network = buildNetwork(content.spec, { ops });
  loadTensorsIntoParams(content.tensors, network.namedParams());
  return { file: path, content, network };
}

/**
 * Make new data look like the model's training data: the stored standardization and
 * the model's class numbering.
 */
export function prepareForModel(ds: Dataset, model: LoadedModel, dataFile: string): Dataset {
  if (ds.features !== model.content.spec.inputSize) {
    throw new StudioError('SHAPE_MISMATCH', `has ${ds.features} features per sample, but the model ${model.file} expects ${model.content.spec.inputSize}`, { file: dataFile });
  }
  return model.content.normalization ? applyNormalization(ds, model.content.normalization) : ds;
}
