import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT_PROBABILITIES, ONNX_OUTPUT_SCORES, ONNX_OPSET } from '../../../core/export/onnx.js';
import { predictDataset } from '../../../core/trainer.js';
import type { Dataset } from '../../../core/data/dataset.js';
import { argmax, irisDataset, mnistIdx, rawFeatures, trainModel, type TrainedModel } from './fixtures.js';

/**
 * Exported ONNX files run in ONNX Runtime and give what the engine's predict
 * gives, row by row, on real data: probabilities within 1e-5, the same class.
 */

async function runOnnx(bytes: Uint8Array, input: Float32Array, dims: number[], output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', input, dims) });
    return result[output]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

async function expectSameAsPredict(model: TrainedModel, data: Dataset, output = ONNX_OUTPUT_PROBABILITIES): Promise<void> {
  const expected = predictDataset(model.network, model.prepared);
  const got = await runOnnx(exportOnnx(model.content), rawFeatures(data), [data.count, data.features], output);
  const classes = model.network.outputSize;
  expect(got.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
  expect(worst).toBeLessThan(1e-5);
  for (let r = 0; r < data.count; r++) {
    const a = argmax(got.subarray(r * classes, (r + 1) * classes));
    const b = argmax(expected.subarray(r * classes, (r + 1) * classes));
    expect(a, `row ${r}`).toBe(b);
  }
}

describe('ONNX export', () => {
  it('iris MLP with standardization in the graph: ONNX Runtime gives predict', async () => {
    const iris = irisDataset();
    const model = trainModel(
      iris,
      { inputSize: 4, layers: [{ kind: 'affine', units: 16 }, { kind: 'tanh' }, { kind: 'affine', units: 8 }, { kind: 'sigmoid' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' },
      { optimizer: 'adam', learningRate: 0.01, batchSize: 10, epochs: 30, init: 'xavier', seed: 3 },
      { standardize: true },
    );
    await expectSameAsPredict(model, iris);
  });

  it('MNIST MLP (784-50-10, ReLU) on 1,000 real digits', async () => {
    const train = mnistIdx(100).dataset;
    const model = trainModel(
      train,
      { inputSize: 784, layers: [{ kind: 'affine', units: 50 }, { kind: 'relu' }, { kind: 'affine', units: 10 }], loss: 'softmax-cross-entropy' },
      { optimizer: 'sgd', learningRate: 0.1, batchSize: 50, epochs: 3, init: 'he', seed: 1 },
    );
    const unseen = mnistIdx(100, 100).dataset;
    await expectSameAsPredict({ ...model, prepared: unseen }, unseen);
  });

  it('an mse model outputs its raw scores, named "scores"', async () => {
    const iris = irisDataset();
    const model = trainModel(
      iris,
      { inputSize: 4, layers: [{ kind: 'affine', units: 3 }], loss: 'mse' },
      { learningRate: 0.01, batchSize: 15, epochs: 5, seed: 2 },
    );
    await expectSameAsPredict(model, iris, ONNX_OUTPUT_SCORES);
  });

  it('declares opset 13, a symbolic batch dimension, and carries the class names', () => {
    const iris = irisDataset();
    const model = trainModel(iris, { inputSize: 4, layers: [{ kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' }, { epochs: 1 });
    const decoded = onnxProto.onnx.ModelProto.decode(exportOnnx(model.content));
    expect(decoded.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', ONNX_OPSET]]);
    const graph = decoded.graph!;
    const input = graph.input![0]!;
    expect(input.name).toBe(ONNX_INPUT);
    expect(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['N', 4]);
    expect(graph.output![0]!.name).toBe(ONNX_OUTPUT_PROBABILITIES);
    expect(graph.node!.map((n) => n.opType)).toEqual(['Gemm', 'Softmax']);
    const classes = decoded.metadataProps!.find((p) => p.key === 'classNames');
    expect(JSON.parse(classes!.value!)).toEqual(['setosa', 'versicolor', 'virginica']);
  });
});
