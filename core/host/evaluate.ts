import type { Dataset } from '../data/dataset.js';
import { RowBuffers } from '../layers/buffers.js';
import type { Network } from '../network.js';
import { argmaxRows, checkDataset, forEachChunk } from '../evaluation.js';

/**
 * Loss, accuracy and the confusion matrix of a data set in ONE forward pass.
 * The studio wants all three for the test set after every epoch; asking the
 * trainer for the evaluation and then for the confusion matrix would run the
 * test set through the network twice, which on MNIST-sized data costs the
 * engine host several percent of its speed against the CLI. The chunked loop
 * itself is the trainer's (forEachChunk), shared with every other evaluation.
 */
export interface FullEvaluation {
  loss: number;
  accuracy: number;
  /** classes x classes, row = true class; null for a regression (mse) network. */
  confusion: Int32Array | null;
}

/**
 * `buffers`: matrices to gather the chunks into, normally the trainer's (Trainer.batchBuffers),
 * whose memory is already in use; without them a scratch is made and given back. A fresh
 * one costs its first use a page fault per 4 KiB: the host's test evaluation of W1
 * (10,000 Fashion-MNIST rows, 31 MB) took 31 ms with one against the trainer's 13.
 */
export function evaluateWithConfusion(network: Network, ds: Dataset, what: string, buffers?: RowBuffers): FullEvaluation {
  checkDataset(network, ds, what, true);
  const classes = network.outputSize;
  const confusion = network.spec.loss === 'softmax-cross-entropy' ? new Int32Array(classes * classes) : null;
  const scratch = buffers ?? new RowBuffers(network.ops, network.inputSize, 2);
  let predicted = new Int32Array(0);
  let lossSum = 0;
  let correct = 0;
  try {
    forEachChunk(network, ds, scratch, (scores, indices, labels) => {
      const rows = indices.length;
      if (predicted.length < rows) predicted = new Int32Array(rows);
      lossSum += network.lossLayer.forward(scores, labels) * rows;
      argmaxRows(scores, predicted);
      for (let r = 0; r < rows; r++) {
        if (predicted[r] === labels[r]) correct++;
        if (confusion) confusion[labels[r]! * classes + predicted[r]!]!++;
      }
    });
  } finally {
    if (!buffers) scratch.dispose();
  }
  return { loss: lossSum / ds.count, accuracy: correct / ds.count, confusion };
}
