import { disposeOnThrow } from '../disposable.js';
import { buildNetwork, type Network } from '../network.js';
import { decodeModel, encodeModel, loadTensorsIntoParams, modelClassNames, tensorsFromParams } from '../model/model-file.js';
import type { Ops } from '../ops/types.js';
import { trainingConfigSchema, type Normalization, type TrainingConfig } from '../spec.js';
import type { Bytes } from '../protocol/messages.js';
import { toUint8 } from './data-load.js';

/**
 * The session's network to and from safetensors bytes (core/model/model-file.ts
 * does the format; this joins it to a live network and the session's settings).
 */
export interface ModelToSave {
  network: Network;
  training: TrainingConfig;
  normalization: Normalization | null;
  classNames: string[];
  /** The input columns' names in the network's order, when the data had a header row. */
  featureNames: readonly string[] | null;
}

export function exportModelBytes(m: ModelToSave): ArrayBuffer {
  const bytes = encodeModel({
    spec: m.network.spec,
    training: m.training,
    ...(m.normalization ? { normalization: m.normalization } : {}),
    // Class names only mean something for a classifier (one per output).
    ...(m.network.spec.loss === 'softmax-cross-entropy' ? { classNames: m.classNames } : {}),
    ...(m.featureNames ? { featureNames: [...m.featureNames] } : {}),
    tensors: tensorsFromParams(m.network.namedParams(), m.network.namedBuffers()),
  });
  // An ArrayBuffer of exactly the file's bytes, ours to transfer.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : bytes.slice().buffer;
}

export interface OpenedModel {
  network: Network;
  training: TrainingConfig;
  normalization: Normalization | null;
  classNames: string[];
  featureNames: string[] | null;
}

export function importModelBytes(name: string, bytes: Bytes, ops: Ops): OpenedModel {
  const content = decodeModel(toUint8(bytes), name);
  const training = content.training ?? trainingConfigSchema.parse({});
  const network = buildNetwork(content.spec, { ops, init: training.init, seed: training.seed });
  disposeOnThrow(network, () => loadTensorsIntoParams(content.tensors, network.namedParams(), network.namedBuffers()));
  return {
    network,
    training,
    normalization: content.normalization ?? null,
    classNames: modelClassNames(content),
    featureNames: content.featureNames ?? null,
  };
}
