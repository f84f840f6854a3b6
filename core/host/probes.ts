import { StudioError } from '../errors.js';
import { Matrix } from '../matrix.js';
import type { Network } from '../network.js';
import type { Normalization } from '../spec.js';
import type { Dataset } from '../data/dataset.js';
import { alignClasses, applyNormalization, matchFeatureNames } from '../data/prepare.js';
import { readDataFile, type LoadedData } from '../data/read-data.js';
import { predictDataset } from '../evaluation.js';
import { GRADCHECK_THRESHOLD } from '../gradcheck.js';
import { checkWeightGradient, traceNetwork } from '../graph/network-trace.js';
import type { CommandOf, EventOf, EventType } from '../protocol/messages.js';
import { evaluateWithConfusion } from './evaluate.js';
import { toUint8, type RawData } from './data-load.js';

/**
 * Looking inside the network and trying it, without changing anything: the
 * trace (the network as a computational graph with one batch's numbers), one
 * weight's numerical gradient, predictions for typed or drawn rows, and a file
 * evaluated or predicted beside the loaded data. Every input the user brings is
 * standardized with the statistics the weights use (the session's), never with
 * its own.
 */
export interface ProbeView {
  network: Network | null;
  /** The training and test sets as the trainer sees them (standardized when so). */
  train: Dataset | null;
  test: Dataset | null;
  raw: RawData | null;
  normalization: Normalization | null;
  classNames: string[];
  iteration: number;
  /** Each Convolution's weights as the network was built or opened, by layer name: the book's "before training" filters. */
  startWeights: ReadonlyMap<string, Float32Array>;
}

type Reply<T extends EventType> = Omit<EventOf<T>, 'id'>;

export function needNetwork(v: ProbeView, what: string): Network {
  if (!v.network) throw new StudioError('NOT_READY', `cannot ${what}: no network configured yet`);
  return v.network;
}

/** The chosen samples as the network sees them (backend memory: call free). */
export function samplesOf(v: ProbeView, network: Network, set: 'train' | 'test', indices: number[], what: string): { x: Matrix; t: Int32Array; free(): void } {
  const ds = set === 'test' ? v.test : v.train;
  if (!ds) throw new StudioError('NOT_READY', set === 'test' ? `cannot ${what}: the data has no test set` : `cannot ${what}: no data loaded yet`);
  if (ds.features !== network.inputSize) {
    throw new StudioError('SHAPE_MISMATCH', `cannot ${what}: the data has ${ds.features} features per sample, the network takes ${network.inputSize}`);
  }
  const bad = indices.find((i) => i >= ds.count);
  if (bad !== undefined) throw new StudioError('BAD_USAGE', `sample ${bad} is beyond the ${set === 'test' ? 'test' : 'training'} set's ${ds.count} samples (0..${ds.count - 1})`, { field: 'indices' });
  const x = network.ops.alloc(indices.length, ds.features);
  network.ops.gatherRows(ds.x, ds.features, Int32Array.from(indices), ds.scale, x);
  return { x, t: Int32Array.from(indices, (i) => ds.labels[i]!), free: () => network.ops.free(x) };
}

export function trace(v: ProbeView, cmd: CommandOf<'trace'>): Reply<'traceResult'> {
  const network = needNetwork(v, 'trace the network');
  const s = samplesOf(v, network, cmd.set, cmd.indices, 'trace the network');
  try {
    const inputImage = inputImageOf(v, network);
    const tr = traceNetwork(network, s.x, s.t, inputImage ? { inputImage } : {});
    return {
      type: 'traceResult',
      set: cmd.set,
      indices: Int32Array.from(cmd.indices),
      labels: s.t,
      classNames: v.classNames,
      loss: tr.loss,
      nodes: tr.nodes,
      edges: tr.edges,
      heat: tr.heat,
      iteration: v.iteration,
    };
  } finally {
    s.free();
  }
}

/** [C, H, W] of the network's input: the network's own input shape when it has one, else the data's image shape. */
function inputImageOf(v: ProbeView, network: Network): readonly [number, number, number] | undefined {
  const own = (network as { inputShape?: unknown }).inputShape;
  if (Array.isArray(own) && own.length === 3 && own[0] * own[1] * own[2] === network.inputSize) return [own[0], own[1], own[2]];
  const shape = v.raw?.train.imageShape;
  return shape && shape[0] * shape[1] === network.inputSize ? [1, shape[0], shape[1]] : undefined;
}

export function checkWeight(v: ProbeView, cmd: CommandOf<'checkWeight'>): Reply<'weightCheckResult'> {
  const network = needNetwork(v, 'check a weight');
  const s = samplesOf(v, network, cmd.set, cmd.indices, 'check a weight');
  try {
    const r = checkWeightGradient(network, s.x, s.t, cmd.param, cmd.index);
    return { type: 'weightCheckResult', ...r, threshold: GRADCHECK_THRESHOLD };
  } finally {
    s.free();
  }
}

/** Rows in the data's own units, standardized as the weights were trained. */
function standardizeRows(values: Float32Array, features: number, norm: Normalization | null): Float32Array {
  if (!norm) return values;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const j = i % features;
    out[i] = (values[i]! - norm.mean[j]!) / norm.std[j]!;
  }
  return out;
}

export function predict(v: ProbeView, cmd: CommandOf<'predict'>): Reply<'predictResult'> {
  const network = needNetwork(v, 'predict');
  if (cmd.features !== network.inputSize) {
    throw new StudioError('SHAPE_MISMATCH', `the network takes ${network.inputSize} values per sample, got ${cmd.features}`, { field: 'features' });
  }
  if (cmd.values.length === 0 || cmd.values.length % cmd.features !== 0) {
    throw new StudioError('BAD_USAGE', `${cmd.values.length} values are not whole rows of ${cmd.features}`, { field: 'values' });
  }
  const bad = cmd.values.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new StudioError('BAD_USAGE', `value ${bad % cmd.features} of row ${Math.floor(bad / cmd.features)} is not a finite number`, { field: 'values' });
  const rows = cmd.values.length / cmd.features;
  const x = standardizeRows(cmd.values, cmd.features, v.normalization);
  const ds: Dataset = { count: rows, features: cmd.features, x, scale: 1, labels: new Int32Array(rows), classNames: v.classNames };
  return { type: 'predictResult', rows, classNames: v.classNames, probs: predictDataset(network, ds) };
}

/** A file read with the loaded data's label column, its columns matched by name to the training file's. */
function readLike(v: ProbeView, cmd: CommandOf<'evaluateFile'> | CommandOf<'predictFile'>, labelsOptional: boolean): { ds: Dataset; hasLabels: boolean; warnings: string[] } {
  const network = needNetwork(v, 'use a file');
  const input = { name: cmd.name, bytes: toUint8(cmd.bytes), ...(cmd.labels ? { labels: { name: cmd.labels.name, bytes: toUint8(cmd.labels.bytes) } } : {}) };
  const labelColumn = v.raw?.options.labelColumn;
  let read: LoadedData | null = null;
  let failure: unknown = null;
  let hasLabels = true;
  try {
    read = readDataFile(input, labelColumn === undefined ? {} : { labelColumn });
  } catch (e) {
    if (!labelsOptional) throw e;
    failure = e;
  }
  if (labelsOptional && (!read || read.dataset.features !== network.inputSize)) {
    // Prediction input may have no label column: then every column is a feature (the width decides).
    try {
      const unlabelled = readDataFile(input, { labelColumn: null });
      if (unlabelled.dataset.features === network.inputSize || !read) {
        read = unlabelled;
        hasLabels = false;
      }
    } catch (e) {
      if (!read) throw failure ?? e;
    }
  }
  if (!read) throw failure;
  const warnings = [...read.warnings];
  let ds = read.dataset;
  if (ds.features !== network.inputSize) {
    throw new StudioError('SHAPE_MISMATCH', `has ${ds.features} features per sample, the network takes ${network.inputSize}`, { file: cmd.name });
  }
  // The trained columns' names as the network reads them (lined up with an opened model's, see model-lineup.ts).
  const trainedHeader = v.raw?.featureNames ?? null;
  if (read.header && trainedHeader) {
    const have = read.header.filter((_, j) => j !== read.labelColumn);
    const matched = matchFeatureNames(ds, have, trainedHeader, cmd.name);
    ds = matched.dataset;
    if (matched.note) warnings.push(matched.note);
  }
  if (hasLabels) ds = alignClasses(ds, v.classNames, cmd.name);
  if (v.normalization) ds = applyNormalization(ds, v.normalization);
  return { ds, hasLabels, warnings };
}

function standardizationWords(v: ProbeView): string {
  return v.normalization
    ? 'standardized with the mean and std the network was trained with (not the file\'s own)'
    : 'not standardized (the network was trained on unstandardized values)';
}

export function evaluateFile(v: ProbeView, cmd: CommandOf<'evaluateFile'>): Reply<'fileEvaluation'> {
  const network = needNetwork(v, 'evaluate a file');
  if (network.spec.loss !== 'softmax-cross-entropy') throw new StudioError('NOT_READY', 'evaluating a file needs a classification network (softmax-with-loss)');
  const { ds, warnings } = readLike(v, cmd, false);
  const r = evaluateWithConfusion(network, ds, cmd.name);
  return {
    type: 'fileEvaluation',
    name: cmd.name,
    count: ds.count,
    loss: r.loss,
    accuracy: r.accuracy,
    classNames: v.classNames,
    counts: r.confusion ?? new Int32Array(0),
    standardization: standardizationWords(v),
    warnings,
  };
}

export function predictFile(v: ProbeView, cmd: CommandOf<'predictFile'>): Reply<'filePredictions'> {
  const network = needNetwork(v, 'predict a file');
  const { ds, hasLabels, warnings } = readLike(v, cmd, true);
  warnings.push(standardizationWords(v));
  return {
    type: 'filePredictions',
    name: cmd.name,
    rows: ds.count,
    classNames: v.classNames,
    probs: predictDataset(network, ds),
    ...(hasLabels ? { labels: ds.labels.slice() } : {}),
    warnings,
  };
}
