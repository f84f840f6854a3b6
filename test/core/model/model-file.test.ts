import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { Matrix } from '../../../core/matrix.js';
import {
  decodeModel,
  encodeModel,
  loadTensorsIntoParams,
  tensorsFromParams,
  type NamedParamRef,
} from '../../../core/model/model-file.js';
import { decodeSafetensors, encodeSafetensors } from '../../../core/model/safetensors.js';
import { buildNetwork } from '../../../core/network.js';
import { Rng } from '../../../core/rng.js';
import type { NetworkSpec } from '../../../core/spec.js';
import { SPEC, fullModel, randomTensors } from './model-fixtures.js';

// What a model file holds and how it reads back; what the reader refuses is in model-file-refusals.test.ts.

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

describe('encode and decode', () => {
  test('round trip keeps spec, training, normalization, classes and every weight bit', () => {
    const m = fullModel();
    const back = decodeModel(encodeModel(m), 'm.safetensors');
    expect(back.spec).toEqual(SPEC);
    expect(back.training).toEqual(m.training);
    expect(back.normalization).toEqual(m.normalization);
    expect(back.classNames).toEqual(['cat', 'dog']);
    expect(back.producer).toBe('backprop-studio');
    expect([...back.tensors.keys()].sort()).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
    for (const [name, t] of m.tensors) {
      expect(back.tensors.get(name)!.shape).toEqual(t.shape);
      expect(back.tensors.get(name)!.data).toEqual(t.data);
    }
  });

  test('the layout is safetensors: LE u64 length, padded JSON header, metadata strings, contiguous F32', () => {
    const bytes = encodeModel(fullModel());
    const view = new DataView(bytes.buffer);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect(n % 8).toBe(0);
    expect(bytes[8]).toBe(0x7b);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    const meta = header.__metadata__;
    expect(meta.format).toBe('pt');
    expect(meta.producer).toBe('backprop-studio');
    expect(Object.values(meta).every((v) => typeof v === 'string')).toBe(true);
    expect(JSON.parse(meta.spec)).toEqual(SPEC);
    expect(JSON.parse(meta.classNames)).toEqual(['cat', 'dog']);
    expect(JSON.parse(meta.normalization)).toEqual({ mean: [0.1, -2, 3.5].map(Math.fround), std: [1, 0.25, 7] });
    // Sorted by name, packed without gaps: fc1.bias, fc1.weight, fc2.bias, fc2.weight.
    expect(header['fc1.bias']).toEqual({ dtype: 'F32', shape: [4], data_offsets: [0, 16] });
    expect(header['fc1.weight']).toEqual({ dtype: 'F32', shape: [4, 3], data_offsets: [16, 64] });
    expect(header['fc2.bias']).toEqual({ dtype: 'F32', shape: [2], data_offsets: [64, 72] });
    expect(header['fc2.weight']).toEqual({ dtype: 'F32', shape: [2, 4], data_offsets: [72, 104] });
    expect(bytes.length - 8 - n).toBe(4 * (12 + 4 + 8 + 2));
  });

  test('optional metadata may be absent', () => {
    const back = decodeModel(encodeModel({ spec: SPEC, tensors: randomTensors(SPEC) }));
    expect(back.training).toBeUndefined();
    expect(back.normalization).toBeUndefined();
    expect(back.classNames).toBeUndefined();
    expect(back.labelColumn).toBeUndefined();
  });

  test("the training file's label column name is kept as a plain metadata string", () => {
    const bytes = encodeModel({ ...fullModel(), labelColumn: 'petal "kind"' });
    const { metadata } = decodeSafetensors(bytes);
    expect(metadata['labelColumn']).toBe('petal "kind"');
    expect(decodeModel(bytes).labelColumn).toBe('petal "kind"');
    expect(() => encodeModel({ ...fullModel(), labelColumn: ' ' })).toThrow('the label column name is empty');
  });

  test('feature names round-trip and must match the network inputs', () => {
    expect(decodeModel(encodeModel({ ...fullModel(), featureNames: ['a', 'b', 'c'] })).featureNames).toEqual(['a', 'b', 'c']);
    expect(() => encodeModel({ ...fullModel(), featureNames: ['a'] })).toThrow('lists 1 names but the network takes 3 inputs');
  });

  test('the raw input range round-trips; a malformed one is refused naming the field', () => {
    expect(decodeModel(encodeModel({ ...fullModel(), inputRange: [0, 1] })).inputRange).toEqual([0, 1]);
    const bytes = encodeModel({ ...fullModel(), inputRange: [-2.5, 7] });
    const { metadata, tensors } = decodeSafetensors(bytes);
    for (const bad of ['[1]', '[2, 1]', '[0, null]', '"wide"']) {
      const broken = encodeSafetensors(tensors, { ...metadata, inputRange: bad });
      expect(() => decodeModel(broken, 'm.safetensors')).toThrow(
        'm.safetensors: field __metadata__.inputRange: must be [min, max], two finite numbers with min <= max',
      );
    }
  });

  test('the encoder refuses what the reader would refuse', () => {
    const m = fullModel();
    m.tensors.get('fc2.bias')!.data[1] = NaN;
    expect(() => encodeModel(m)).toThrow('cannot save: fc2.bias holds NaN at position 1 (did training diverge?)');
    const wrong = fullModel();
    wrong.tensors.delete('fc1.bias');
    expect(() => encodeModel(wrong)).toThrow('tensor fc1.bias is missing');
    expect(() => encodeModel({ ...fullModel(), classNames: ['only one'] })).toThrow('lists 1 classes but the network has 2 outputs');
  });
});

describe('parameters <-> PyTorch-style tensors', () => {
  test('weights [in, out] are written as [out, in] and read back in place', () => {
    const w = Matrix.from([
      [1, 2],
      [3, 4],
      [5, 6],
    ]); // in 3, out 2
    const b = Matrix.from([[0.5, -0.5]]);
    const named: NamedParamRef[] = [
      { layer: 'fc1', name: 'weight', param: { name: 'weight', value: w, grad: Matrix.zeros(3, 2), transposed: true } },
      { layer: 'fc1', name: 'bias', param: { name: 'bias', value: b, grad: Matrix.zeros(1, 2) } },
    ];
    const tensors = tensorsFromParams(named);
    expect(tensors.get('fc1.weight')).toEqual({ shape: [2, 3], data: Float32Array.from([1, 3, 5, 2, 4, 6]) });
    expect(tensors.get('fc1.bias')).toEqual({ shape: [2], data: Float32Array.from([0.5, -0.5]) });

    const w2 = Matrix.zeros(3, 2);
    const b2 = Matrix.zeros(1, 2);
    loadTensorsIntoParams(tensors, [
      { layer: 'fc1', name: 'weight', param: { name: 'weight', value: w2, grad: Matrix.zeros(3, 2), transposed: true } },
      { layer: 'fc1', name: 'bias', param: { name: 'bias', value: b2, grad: Matrix.zeros(1, 2) } },
    ]);
    expect(w2.toArrays()).toEqual(w.toArrays());
    expect(b2.toArrays()).toEqual(b.toArrays());
  });

  test('loading refuses a wrong shape, a missing tensor and a leftover tensor', () => {
    const net = buildNetwork(SPEC, { seed: 1 });
    const other = buildNetwork({ ...SPEC, inputSize: 5 }, { seed: 1 });
    const tensors = tensorsFromParams(other.namedParams());
    expect(() => loadTensorsIntoParams(tensors, net.namedParams())).toThrow(
      "tensor fc1.weight has shape [4, 5], the network's parameter needs [4, 3]",
    );
    const partial = tensorsFromParams(net.namedParams());
    partial.delete('fc2.bias');
    expect(() => loadTensorsIntoParams(partial, net.namedParams())).toThrow('the model has no tensor fc2.bias for this network');
    const extra = tensorsFromParams(net.namedParams());
    extra.set('fc3.bias', { shape: [1], data: new Float32Array(1) });
    expect(() => loadTensorsIntoParams(extra, net.namedParams())).toThrow('tensor fc3.bias matches no parameter of this network');
  });

  test('a saved network reloads to identical predictions', () => {
    const spec: NetworkSpec = {
      inputSize: 5,
      layers: [{ kind: 'affine', units: 7 }, { kind: 'tanh' }, { kind: 'affine', units: 6 }, { kind: 'sigmoid' }, { kind: 'affine', units: 3 }],
      loss: 'softmax-cross-entropy',
    };
    const net = buildNetwork(spec, { seed: 11, init: 'he' });
    const bytes = encodeModel({ spec, classNames: ['a', 'b', 'c'], tensors: tensorsFromParams(net.namedParams()) });
    const loaded = decodeModel(bytes);
    const twin = buildNetwork(loaded.spec, { seed: 999 }); // different initial weights, replaced below
    loadTensorsIntoParams(loaded.tensors, twin.namedParams());
    const rng = new Rng(3);
    const x = new Matrix(8, 5, Float32Array.from({ length: 40 }, () => rng.normal()));
    const before = Array.from(net.predictProbabilities(x).data);
    expect(Array.from(twin.predictProbabilities(x).data)).toEqual(before);
  });
});

describe('interoperability with an independent Python reader and writer', () => {
  test('the committed Python-written model decodes to the values Python put in', () => {
    const m = decodeModel(new Uint8Array(readFileSync(join(FIXTURES, 'python-model.safetensors'))), 'python-model.safetensors');
    expect(m.producer).toBe('hand-written python');
    expect(m.spec).toEqual(SPEC);
    expect(m.training?.optimizer).toBe('adam');
    expect(m.training?.init).toBe('he');
    expect(m.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(m.normalization!.mean)).toEqual([1, 2.5, -3]);
    expect(Array.from(m.normalization!.std)).toEqual([0.5, 1, 2]);
    expect(m.tensors.get('fc1.weight')).toEqual({ shape: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => (i - 5.5) / 4) });
    expect(m.tensors.get('fc1.bias')!.data).toEqual(Float32Array.from([0.5, -0.25, 0, 1]));
    expect(m.tensors.get('fc2.weight')).toEqual({ shape: [2, 4], data: Float32Array.from({ length: 8 }, (_, i) => (i - 3) / 8) });
    expect(m.tensors.get('fc2.bias')!.data).toEqual(Float32Array.from([-1.5, 2]));
  });

  const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  const havePython = python.status === 0;
  if (!havePython) console.log('Python interop tests skipped: python3 with numpy is not available');
  const dir = mkdtempSync(join(tmpdir(), 'model-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tool = (...args: string[]) => {
    const r = spawnSync('python3', [join(FIXTURES, 'safetensors_tool.py'), ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`safetensors_tool.py ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };

  test.skipIf(!havePython)('the committed fixture is exactly what the Python script writes', () => {
    tool('write', join(dir, 'again.safetensors'));
    expect(readFileSync(join(dir, 'again.safetensors')).equals(readFileSync(join(FIXTURES, 'python-model.safetensors')))).toBe(true);
  });

  test.skipIf(!havePython)('Python (json + numpy.frombuffer) reads what encodeModel writes', () => {
    const m = fullModel();
    writeFileSync(join(dir, 'ours.safetensors'), encodeModel(m));
    const read = JSON.parse(tool('read', join(dir, 'ours.safetensors')));
    expect(read.metadata.format).toBe('pt');
    expect(JSON.parse(read.metadata.spec)).toEqual(SPEC);
    expect(JSON.parse(read.metadata.classNames)).toEqual(['cat', 'dog']);
    expect(read.headerLength % 8).toBe(0);
    for (const [name, t] of m.tensors) {
      expect(read.tensors[name].shape).toEqual(t.shape);
      expect(read.tensors[name].values).toEqual(Array.from(t.data));
    }
  });
});
