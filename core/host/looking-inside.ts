import { StudioError } from '../errors.js';
import { Matrix } from '../matrix.js';
import type { Ops } from '../ops/types.js';
import type { Network } from '../network.js';
import { argmaxRows } from '../evaluation.js';
import { GRADCHECK_THRESHOLD, gradientCheckNetwork, randomGradcheckInputs } from '../gradcheck.js';
import { Rng } from '../rng.js';
import type { Normalization, TrainingConfig } from '../spec.js';
import type { Dataset } from '../data/dataset.js';
import type { AffineLayer } from '../layers/affine.js';
import type { CommandId, EventOf } from '../protocol/messages.js';
import { checkGridAnswer, checkGridBounds } from './grid-bounds.js';

/*
 * Looking inside the session's network without changing it: one Affine layer's
 * tensors, the gradient check, decision regions over a 2-D grid and a page of the
 * sample browser. The session picks the network and data; these build the events.
 */

type GridBounds = { xMin: number; xMax: number; yMin: number; yMax: number };

export function inspectAffineLayer(network: Network, id: CommandId, layer: string | number, iteration: number): EventOf<'inspectResult'> {
  const affine = network.affineLayers();
  let index: number;
  if (typeof layer === 'number') {
    index = layer;
    if (index >= affine.length) {
      throw new StudioError('BAD_USAGE', `inspect: layer index ${layer} is out of range; the network has ${affine.length} affine layers (0..${affine.length - 1})`, { field: 'layer' });
    }
  } else {
    index = affine.findIndex((l) => l.name === layer);
    if (index < 0) {
      const other = network.layers.find((l) => l.name === layer);
      throw new StudioError(
        'BAD_USAGE',
        other
          ? `inspect: layer ${layer} (${other.kind}) has no weights; pick one of ${affine.map((l) => l.name).join(', ')}`
          : `inspect: no layer named '${layer}'; the affine layers are ${affine.map((l) => l.name).join(', ')}`,
        { field: 'layer' },
      );
    }
  }
  const l: AffineLayer = affine[index]!;
  // Copies, always float32: the event transfers them, and the layer's own buffers
  // may live in WebAssembly memory.
  return {
    type: 'inspectResult',
    id,
    layer: l.name,
    index,
    wShape: [l.W.rows, l.W.cols],
    bShape: [l.b.rows, l.b.cols],
    W: new Float32Array(l.W.data),
    b: new Float32Array(l.b.data),
    dW: new Float32Array(l.dW.data),
    db: new Float32Array(l.db.data),
    iteration,
  };
}

export function gradcheckEvent(
network: Network,
training: TrainingConfig,
train: Dataset | null,
id: CommandId,
samples: number,
): EventOf<'gradcheckResult'> {
  let x: Matrix;
  let t: Int32Array | Matrix;
  let inputs: 'data' | 'random';
  if (train && train.features === network.inputSize && network.spec.loss === 'softmax-cross-entropy') {
    // The first samples of the training set, as the network sees them (standardized if so).
    const n = Math.min(samples, train.count);
    const ds = train;
    x = Matrix.zeros64(n, ds.features);
    for (let i = 0; i < x.data.length; i++) x.data[i] = ds.x[i]! * ds.scale;
    t = ds.labels.slice(0, n);
    for (const label of t) {
      if (label >= network.outputSize) throw new StudioError('SHAPE_MISMATCH', `gradient check: class ${label} of the data is beyond the network's ${network.outputSize} outputs`);
    }
    inputs = 'data';
  } else {
    ({ x, t } = randomGradcheckInputs(network, samples, new Rng(training.seed)));
    inputs = 'random';
  }
  const rows = gradientCheckNetwork(network, x, t, { seed: training.seed, weightDecay: training.weightDecay ?? 0 });
  return {
    type: 'gradcheckResult',
    id,
    rows: rows.map((r) => ({ param: r.name, shape: r.shape, maxAbsDiff: r.maxAbsDiff, relError: r.relError, ok: r.ok, checked: r.checked })),
    threshold: GRADCHECK_THRESHOLD,
    ok: rows.every((r) => r.ok),
    inputs,
  };
}

/** Decision regions: the predicted class at the centre of every cell, bounds in the data's own units. */
export function decisionGrid(
ops: Ops,
network: Network,
normalization: Normalization | null,
bounds: GridBounds,
cols: number,
rows: number,
): Omit<EventOf<'gridResult'>, 'id'> {
  if (network.inputSize !== 2) {
    throw new StudioError('SHAPE_MISMATCH', `decision regions need a network with 2 inputs (2-D data); this one has ${network.inputSize}`);
  }
  checkGridBounds(bounds, normalization);
  const n = cols * rows;
  const classes = new Uint8Array(n);
  const confidence = new Float32Array(n);
  const norm = normalization;
  const CHUNK = 4096;
  const outputs = network.outputSize;
  // Inputs from the backend (they may have to live in WebAssembly memory), at most two sizes.
  const inputs = new Map<number, Matrix>();
  try {
    for (let start = 0; start < n; start += CHUNK) {
      const m = Math.min(CHUNK, n - start);
      let batch = inputs.get(m);
      if (!batch) inputs.set(m, (batch = ops.alloc(m, 2)));
      for (let k = 0; k < m; k++) {
        const cell = start + k;
        const r = Math.floor(cell / cols);
        const c = cell % cols;
        let px = bounds.xMin + ((c + 0.5) / cols) * (bounds.xMax - bounds.xMin);
        let py = bounds.yMax - ((r + 0.5) / rows) * (bounds.yMax - bounds.yMin); // row 0 at the top
        if (norm) {
          px = (px - norm.mean[0]!) / norm.std[0]!;
          py = (py - norm.mean[1]!) / norm.std[1]!;
        }
        batch.data[2 * k] = px;
        batch.data[2 * k + 1] = py;
      }
      const p = network.predictProbabilities(batch);
      for (let k = 0; k < m; k++) {
        const row = p.row(k);
        let best = 0;
        for (let j = 1; j < outputs; j++) if (row[j]! > row[best]!) best = j;
        classes[start + k] = Math.min(best, 255);
        confidence[start + k] = row[best]!;
      }
    }
  } finally {
    for (const m of inputs.values()) ops.free(m);
  }
  checkGridAnswer(confidence);
  return { type: 'gridResult', cols, rows, classes, confidence };
}

/** The set the sample browser pages through, and the network's probabilities for each of its samples. */
export interface SamplesSource {
  /** The set as the network sees it (standardized if so). */
  ds: Dataset;
  /** The same set unstandardized: the values the user sees. */
  rawDs: Dataset;
  set: 'test' | 'train';
  /** ds.count x outputs row-major. */
  probs: Float32Array;
  outputs: number;
}

/** A page of samples (all, or the misclassified ones; optionally one confusion cell) with the network's predictions. */
export function samplesPage(
  { ds, rawDs, set, probs, outputs }: SamplesSource,
  which: 'misclassified' | 'all',
  offset: number,
  limit: number,
  pair?: { label: number; predicted: number },
): Omit<EventOf<'samplesResult'>, 'id'> {
  const predicted = argmaxRows(new Matrix(ds.count, outputs, probs));
  const matching: number[] = [];
  for (let i = 0; i < ds.count; i++) {
    if (pair && (ds.labels[i] !== pair.label || predicted[i] !== pair.predicted)) continue;
    if (which === 'all' || predicted[i] !== ds.labels[i]) matching.push(i);
  }
  const page = matching.slice(offset, offset + limit);
  const f = rawDs.features;
  const values = new Float32Array(page.length * f);
  page.forEach((i, k) => {
    for (let j = 0; j < f; j++) values[k * f + j] = rawDs.x[i * f + j]! * rawDs.scale;
  });
  const ev: Omit<EventOf<'samplesResult'>, 'id'> = {
    type: 'samplesResult',
    which,
    set,
    total: matching.length,
    offset,
    indices: Int32Array.from(page),
    labels: Int32Array.from(page, (i) => ds.labels[i]!),
    predicted: Int32Array.from(page, (i) => predicted[i]!),
    confidence: Float32Array.from(page, (i) => probs[i * outputs + predicted[i]!]!),
    features: f,
    values,
  };
  if (rawDs.imageShape) ev.imageShape = [rawDs.imageShape[0], rawDs.imageShape[1]];
  return ev;
}
