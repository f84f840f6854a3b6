/**
 * A network over a whole data set in evaluation mode: loss and accuracy, the
 * confusion matrix, every sample's outputs. One chunked loop (forEachChunk) serves
 * the trainer's epoch ends, the CLI's eval and predict and the studio's probes.
 */
import type { Matrix } from './matrix.js';
import type { Dataset } from './data/dataset.js';
import type { Network } from './network.js';
import { StudioError } from './errors.js';
import { RowBuffers } from './layers/buffers.js';
import { planLayers } from './layers/registry.js';
import { shapeSize } from './layers/shape.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
  samples: number;
}

/** Rows per forward pass when evaluating: large enough to be efficient, small enough for memory. */
const EVAL_ROWS = 1000;
/** Values one chunk may hold between two layers (32 MB of float32): convolutions get fewer rows per chunk. */
const EVAL_VALUES = 1 << 23;

/** Index of the largest value in each row (the predicted class). */
export function argmaxRows(m: Matrix, out: Int32Array = new Int32Array(m.rows)): Int32Array {
  for (let r = 0; r < m.rows; r++) {
    const row = m.row(r);
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Mean loss and accuracy of `network` over a whole data set, without touching the weights.
 * `buffers` caches the input matrices: a Trainer passes its batch cache so evaluation
 * reuses memory whose pages are already in; without it a scratch cache lives for the call.
 */
export function evaluateDataset(network: Network, ds: Dataset, buffers?: RowBuffers): Evaluation {
  return withBuffers(network, buffers, (x) => evaluateWith(network, ds, x));
}

/** count x outputs probabilities (raw outputs for mse) of every sample; labels are not looked at. */
export function predictDataset(network: Network, ds: Dataset, buffers?: RowBuffers): Float32Array {
  return withBuffers(network, buffers, (x) => predictWith(network, ds, x));
}

/** classes x classes counts, row = true class, column = predicted class. */
export function confusionMatrix(network: Network, ds: Dataset, buffers?: RowBuffers): Int32Array {
  return withBuffers(network, buffers, (x) => confusionWith(network, ds, x));
}

function withBuffers<T>(network: Network, given: RowBuffers | undefined, use: (x: RowBuffers) => T): T {
  if (given) return use(given);
  const x = new RowBuffers(network.ops, network.inputSize, 2);
  try {
    return use(x);
  } finally {
    x.dispose();
  }
}

function evaluateWith(network: Network, ds: Dataset, x: RowBuffers): Evaluation {
  checkDataset(network, ds, 'data set', true);
  let lossSum = 0;
  let correct = 0;
  const predicted = new Int32Array(EVAL_ROWS);
  forEachChunk(network, ds, x, (scores, indices, labels) => {
    lossSum += network.lossLayer.forward(scores, labels) * indices.length;
    argmaxRows(scores, predicted);
    for (let r = 0; r < indices.length; r++) if (predicted[r] === labels[r]) correct++;
  });
  return { loss: lossSum / ds.count, accuracy: correct / ds.count, samples: ds.count };
}

function confusionWith(network: Network, ds: Dataset, x: RowBuffers): Int32Array {
  checkDataset(network, ds, 'data set', true);
  const classes = network.outputSize;
  const counts = new Int32Array(classes * classes);
  const predicted = new Int32Array(EVAL_ROWS);
  forEachChunk(network, ds, x, (scores, indices, labels) => {
    argmaxRows(scores, predicted);
    for (let r = 0; r < indices.length; r++) counts[labels[r]! * classes + predicted[r]!]!++;
  });
  return counts;
}

function predictWith(network: Network, ds: Dataset, x: RowBuffers): Float32Array {
  checkDataset(network, ds, 'data set', false);
  const out = new Float32Array(ds.count * network.outputSize);
  forEachChunk(network, ds, x, (scores, indices) => {
    out.set(network.lossLayer.predict(scores).data, indices[0]! * network.outputSize);
  });
  return out;
}

/**
 * Rows per evaluation chunk: EVAL_ROWS, or fewer when one sample's activations
 * (a convolution's output, its im2col rows) would make a chunk hold over EVAL_VALUES.
 */
export function evaluationRows(network: Network): number {
  let widest = network.inputSize;
  for (const l of planLayers(network.spec)) widest = Math.max(widest, shapeSize(l.output), l.workspacePerSample);
  return Math.max(1, Math.min(EVAL_ROWS, Math.floor(EVAL_VALUES / widest)));
}

/**
 * Forward a whole data set in order, a chunk of rows at a time, in evaluation mode:
 * the one chunked loop behind the trainer's evaluation, the CLI's eval and predict,
 * and the studio's loss + accuracy + confusion pass. `x` caches the input matrices
 * (pass the training batch's cache to share memory); labels are the chunk's (0 when
 * the data set has none).
 */
export function forEachChunk(
  network: Network,
  ds: Dataset,
  x: RowBuffers,
  visit: (scores: Matrix, indices: Int32Array, labels: Int32Array) => void,
): void {
  const chunk = evaluationRows(network);
  const indexBuffer = new Int32Array(chunk);
  const labelBuffer = new Int32Array(chunk);
  for (let start = 0; start < ds.count; start += chunk) {
    const rows = Math.min(chunk, ds.count - start);
    const indices = indexBuffer.subarray(0, rows);
    const labels = labelBuffer.subarray(0, rows);
    for (let r = 0; r < rows; r++) {
      indices[r] = start + r;
      labels[r] = ds.labels[start + r] ?? 0;
    }
    const batch = x.get(rows); // same width as training batches: one cache serves both
    network.ops.gatherRows(ds.x, ds.features, indices, ds.scale, batch);
    visit(network.forward(batch, false), indices, labels);
  }
}

/** The data set must fit the network: feature count, storage size, labels within the outputs. */
export function checkDataset(network: Network, ds: Dataset, what: string, needLabels: boolean): void {
  if (ds.count < 1) throw new StudioError('BAD_DATA', `${what} is empty`);
  if (ds.features !== network.inputSize) {
    throw new StudioError('SHAPE_MISMATCH', `${what} has ${ds.features} features per sample, the network expects ${network.inputSize}`);
  }
  if (ds.x.length !== ds.count * ds.features) {
    throw new StudioError('BAD_DATA', `${what}: ${ds.x.length} values stored for ${ds.count} samples of ${ds.features} features`);
  }
  if (!Number.isFinite(ds.scale)) throw new StudioError('BAD_DATA', `${what}: scale ${ds.scale} is not a finite number`);
  if (!needLabels) return;
  if (ds.labels.length !== ds.count) {
    throw new StudioError('BAD_DATA', `${what}: ${ds.labels.length} labels for ${ds.count} samples`);
  }
  const outputs = network.outputSize;
  for (let i = 0; i < ds.count; i++) {
    const label = ds.labels[i]!;
    if (label < 0 || label >= outputs) {
      throw new StudioError(
        'SHAPE_MISMATCH',
        `${what}: sample ${i} has class ${label}${ds.classNames[label] !== undefined ? ` (${ds.classNames[label]})` : ''}, but the network has only ${outputs} outputs`,
      );
    }
  }
}
