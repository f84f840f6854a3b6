import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT_PROBABILITIES, ONNX_OUTPUT_SCORES, ONNX_OPSET } from '../../../core/export/onnx.js';
import { predictDataset } from '../../../core/evaluation.js';
import type { Dataset } from '../../../core/data/dataset.js';
import { imageSpec } from '../image-spec.js';
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

  it('MNIST CNN (conv, BatchNorm, ReLU, max pool, dropout, flatten, affine) takes N x 1 x 28 x 28 images', async () => {
    const train = mnistIdx(40).dataset;
    const model = trainModel(
      train,
      imageSpec([1, 28, 28], [
        { kind: 'conv', filters: 6, size: 5, stride: 1, pad: 1 }, { kind: 'batchnorm' }, { kind: 'relu' }, { kind: 'pool', size: 2, stride: 2 },
        { kind: 'conv', filters: 4, size: 3, stride: 2, pad: 0 }, { kind: 'tanh' }, { kind: 'dropout', rate: 0.3 }, { kind: 'flatten' },
        { kind: 'affine', units: 20 }, { kind: 'batchnorm' }, { kind: 'sigmoid' },
        { kind: 'affine', units: 10 },
      ]),
      { optimizer: 'adam', learningRate: 0.01, batchSize: 40, epochs: 2, init: 'he', seed: 2 },
    );
    const unseen = mnistIdx(20, 40).dataset;
    const expected = predictDataset(model.network, unseen);
    const onnxBytes = exportOnnx(model.content);
    const got = await runOnnx(onnxBytes, rawFeatures(unseen), [unseen.count, 1, 28, 28], ONNX_OUTPUT_PROBABILITIES);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-5);
    for (let r = 0; r < unseen.count; r++) expect(argmax(got.subarray(r * 10, r * 10 + 10)), `row ${r}`).toBe(argmax(expected.subarray(r * 10, r * 10 + 10)));
    const graph = onnxProto.onnx.ModelProto.decode(onnxBytes).graph!;
    expect(graph.node!.map((n) => n.opType)).toEqual(
      ['Conv', 'BatchNormalization', 'Relu', 'MaxPool', 'Conv', 'Tanh', 'Flatten', 'Gemm', 'BatchNormalization', 'Sigmoid', 'Gemm', 'Softmax'],
    );
    // BatchNorm's running statistics moved away from PyTorch's start (0 and 1): evaluation mode is really tested.
    expect(Array.from(model.content.tensors.get('bn1.running_mean')!.data).some((v) => Math.abs(v) > 1e-3)).toBe(true);
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
