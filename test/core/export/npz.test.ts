import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { exportNpz } from '../../../core/export/npz.js';
import { npyFloat32 } from '../../../core/export/npy.js';
import { predictDataset } from '../../../core/evaluation.js';
import type { ModelFileContent } from '../../../core/model/model-file.js';
import { imageSpec } from '../image-spec.js';
import { irisDataset, mnistIdx, rawFeatures, trainModel, type TrainedModel } from './fixtures.js';
import { missingPython, runPython } from './python.js';

/**
 * The .npz export opens in NumPy with allow_pickle=False, holds every tensor
 * under its model-file name, and the README's forward pass over it gives predict.
 */

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The README's NumPy forward pass: the python block after the npz-forward-pass marker. */
function readmeForwardPass(): string {
  const m = /<!-- npz-forward-pass[^>]*-->\s*```python\n([\s\S]*?)```/.exec(README);
  if (!m) throw new Error('README.md has no npz-forward-pass block');
  return m[1]!;
}

function writeNpz(content: ModelFileContent): string {
  const dir = mkdtempSync(join(tmpdir(), 'bps-npz-'));
  writeFileSync(join(dir, 'model.npz'), exportNpz(content));
  return dir;
}

const noNumpy = missingPython('numpy');
if (noNumpy) console.log(`NumPy checks of the .npz export skipped: ${noNumpy}`);

describe('NumPy .npz export', () => {
  const iris = irisDataset();
  const irisModel = trainModel(
    iris,
    { inputSize: 4, layers: [{ kind: 'affine', units: 10 }, { kind: 'sigmoid' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' },
    { optimizer: 'adam', learningRate: 0.01, batchSize: 10, epochs: 20, init: 'xavier', seed: 5 },
    { standardize: true },
  );

  it('is a zip of .npy files named after the tensors, with the spec beside them', () => {
    const files = unzipSync(exportNpz(irisModel.content));
    expect(Object.keys(files).sort()).toEqual(
      ['__classes__.npy', '__mean__.npy', '__spec__.npy', '__std__.npy', 'fc1.bias.npy', 'fc1.weight.npy', 'fc2.bias.npy', 'fc2.weight.npy'],
    );
    const weight = files['fc1.weight.npy']!;
    const headerLength = new DataView(weight.buffer, weight.byteOffset).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    expect(new TextDecoder().decode(weight.subarray(10, 10 + headerLength))).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(10, 4\), \} *\n$/);
  });

  it.skipIf(noNumpy)('np.load reads every array with allow_pickle=False: names, shapes, values, the spec', () => {
    const dir = writeNpz({ ...irisModel.content, classNames: ['sétosa', 'versicolor', 'virginica ✿'] });
    const out = JSON.parse(runPython(
      'import json, numpy as np\n' +
        'z = np.load("model.npz", allow_pickle=False)\n' +
        'print(json.dumps({k: {"dtype": str(z[k].dtype), "shape": list(z[k].shape), "values": z[k].ravel().tolist()} for k in z.files}))',
      dir,
    )) as Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;
    for (const [name, t] of irisModel.content.tensors) {
      expect(out[name]!.dtype).toBe('float32');
      expect(out[name]!.shape).toEqual(t.shape);
      expect(out[name]!.values).toEqual(Array.from(t.data));
    }
    expect(JSON.parse(out['__spec__']!.values[0] as string)).toEqual(irisModel.content.spec);
    expect(out['__spec__']!.shape).toEqual([]);
    expect(out['__classes__']!.values).toEqual(['sétosa', 'versicolor', 'virginica ✿']);
    expect(out['__mean__']!.values).toEqual(Array.from(irisModel.content.normalization!.mean));
  });

  it.skipIf(noNumpy)('a CNN: conv weights [out, in, kh, kw], BatchNorm statistics, num_batches_tracked as int64', () => {
    const digits = mnistIdx(5).dataset;
    const model = trainModel(
      digits,
      imageSpec([1, 28, 28], [{ kind: 'conv', filters: 3, size: 5, stride: 2, pad: 1 }, { kind: 'batchnorm' }, { kind: 'relu' }, { kind: 'pool', size: 2 }, { kind: 'affine', units: 10 }]),
      { batchSize: 10, epochs: 1 },
    );
    const dir = writeNpz(model.content);
    const out = JSON.parse(runPython(
      'import json, numpy as np\nz = np.load("model.npz", allow_pickle=False)\n' +
        'print(json.dumps({k: [str(z[k].dtype), list(z[k].shape), z[k].ravel().tolist()[:3]] for k in z.files if not k.startswith("__")}))',
      dir,
    )) as Record<string, [string, number[], number[]]>;
    expect(out['conv1.weight']!.slice(0, 2)).toEqual(['float32', [3, 1, 5, 5]]);
    expect(out['bn1.running_var']!.slice(0, 2)).toEqual(['float32', [3]]);
    expect(out['bn1.num_batches_tracked']).toEqual(['int64', [], [5]]);
    expect(out['fc1.weight']!.slice(0, 2)).toEqual(['float32', [10, 3 * 6 * 6]]);
  });

  const forward = (model: TrainedModel, x: Float32Array, features: number): Float32Array => {
    const dir = writeNpz(model.content);
    writeFileSync(join(dir, 'x.npy'), npyFloat32([x.length / features, features], x));
    const code = `import numpy as np\nx = np.load("x.npy")\n${readmeForwardPass()}\nimport json; print(json.dumps(p.ravel().tolist()))\n`;
    return Float32Array.from(JSON.parse(runPython(code, dir)) as number[]);
  };

  it.skipIf(noNumpy)("the README's forward pass gives predict's probabilities (iris, standardized)", () => {
    const got = forward(irisModel, rawFeatures(iris), 4);
    const want = predictDataset(irisModel.network, irisModel.prepared);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
  });

  it.skipIf(noNumpy)("the README's forward pass gives predict's probabilities (MNIST 784-50-10)", () => {
    const digits = mnistIdx(30).dataset;
    const model = trainModel(
      digits,
      { inputSize: 784, layers: [{ kind: 'affine', units: 50 }, { kind: 'relu' }, { kind: 'affine', units: 10 }], loss: 'softmax-cross-entropy' },
      { learningRate: 0.1, batchSize: 30, epochs: 2, init: 'he' },
    );
    const got = forward(model, rawFeatures(digits), 784);
    const want = predictDataset(model.network, digits);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
  });
});
