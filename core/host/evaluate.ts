import { StudioError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { RowBuffers } from '../layers/buffers.js';
import type { Network } from '../network.js';
import { argmaxRows } from '../trainer.js';

/**
 * Loss, accuracy and the confusion matrix of a data set in ONE forward pass.
 * The studio wants all three for the test set after every epoch; asking the
 * trainer for the evaluation and then for the confusion matrix would run the
 * test set through the network twice, which on MNIST-sized data costs the
 * engine host several percent of its speed against the CLI.
 */
export interface FullEvaluation {
  loss: number;
  accuracy: number;
  /** classes x classes, row = true class; null for a regression (mse) network. */
  confusion: Int32Array | null;
}

const CHUNK_ROWS = 1000;

export function evaluateWithConfusion(network: Network, ds: Dataset, what: string): FullEvaluation {
  if (ds.count < 1) throw new StudioError('BAD_DATA', `${what} is empty`);
  if (ds.features !== network.inputSize) {
    throw new StudioError('SHAPE_MISMATCH', `${what} has ${ds.features} features per sample, the network expects ${network.inputSize}`);
  }
  const classes = network.outputSize;
  for (let i = 0; i < ds.count; i++) {
    const l = ds.labels[i]!;
    if (l < 0 || l >= classes) {
      throw new StudioError('SHAPE_MISMATCH', `${what}: sample ${i} has class ${l}, but the network has only ${classes} outputs`);
    }
  }
  const confusion = network.spec.loss === 'softmax-cross-entropy' ? new Int32Array(classes * classes) : null;
  const scratch = new RowBuffers(network.ops, network.inputSize, 2);
  const indexBuffer = new Int32Array(CHUNK_ROWS);
  const predicted = new Int32Array(CHUNK_ROWS);
  let lossSum = 0;
  let correct = 0;
  try {
    for (let start = 0; start < ds.count; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, ds.count - start);
      const indices = indexBuffer.subarray(0, rows);
      for (let r = 0; r < rows; r++) indices[r] = start + r;
      const labels = ds.labels.subarray(start, start + rows);
      const batch = scratch.get(rows);
      network.ops.gatherRows(ds.x, ds.features, indices, ds.scale, batch);
      const scores = network.forward(batch, false);
      lossSum += network.lossLayer.forward(scores, labels) * rows;
      argmaxRows(scores, predicted);
      for (let r = 0; r < rows; r++) {
        if (predicted[r] === labels[r]) correct++;
        if (confusion) confusion[labels[r]! * classes + predicted[r]!]!++;
      }
    }
  } finally {
    scratch.dispose();
  }
  return { loss: lossSum / ds.count, accuracy: correct / ds.count, confusion };
}
