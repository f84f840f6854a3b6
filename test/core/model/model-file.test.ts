import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { StudioError } from '../../../core/errors.js';
import { Matrix } from '../../../core/matrix.js';
import {
  decodeModel,
  encodeModel,
  expectedTensorShapes,
  loadTensorsIntoParams,
  tensorsFromParams,
  type ModelFileContent,
  type NamedParamRef,
  type Tensor,
} from '../../../core/model/model-file.js';
import { decodeSafetensors, encodeSafetensors } from '../../../core/model/safetensors.js';
import { buildNetwork } from '../../../core/network.js';
import { Rng } from '../../../core/rng.js';
import { trainingConfigSchema, type NetworkSpec } from '../../../core/spec.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const SPEC: NetworkSpec = {
  inputSize: 3,
  layers: [{ kind: 'affine', units: 4 }, { kind: 'relu' }, { kind: 'affine', units: 2 }],
  loss: 'softmax-cross-entropy',
};

function randomTensors(spec: NetworkSpec, seed = 1): Map<string, Tensor> {
  const rng = new Rng(seed);
  const out = new Map<string, Tensor>();
  for (const [name, shape] of expectedTensorShapes(spec)) {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
    out.set(name, { shape, data });
  }
  return out;
}

function fullModel(): ModelFileContent {
  return {
    spec: SPEC,
    training: trainingConfigSchema.parse({ optimizer: 'adam', learningRate: 0.001, seed: 9 }),
    normalization: { mean: Float32Array.from([0.1, -2, 3.5]), std: Float32Array.from([1, 0.25, 7]) },
    classNames: ['cat', 'dog'],
    tensors: randomTensors(SPEC),
  };
}

/** A safetensors file from a header object and a data section, for crafting bad files. */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Header and data of a valid encoded model, to be modified. */
function parts(m: ModelFileContent = fullModel()): { header: Record<string, any>; data: Uint8Array } {
  const bytes = encodeModel(m);
  const n = new DataView(bytes.buffer).getUint32(0, true);
  return {
    header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))),
    data: bytes.slice(8 + n),
  };
}

function failure(bytes: Uint8Array): StudioError {
  try {
    decodeModel(bytes, 'm.safetensors');
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    return e as StudioError;
  }
  throw new Error('expected the model to be refused');
}

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

describe('the reader refuses malformed files with a clear message', () => {
  const cases: [string, () => Uint8Array, RegExp | string][] = [
    ['empty', () => new Uint8Array(0), 'm.safetensors: the file is empty'],
    ['short', () => new Uint8Array(5), 'm.safetensors: only 5 bytes: too short for a safetensors file (the header length alone takes 8)'],
    [
      'header length beyond the file',
      () => rawFile({}, new Uint8Array(0), '{}').map((v, i) => (i === 0 ? 200 : v)),
      'm.safetensors: not a safetensors file, or truncated: the header length 200 is more than the 2 bytes that follow it',
    ],
    [
      'header length with the high word set',
      () => {
        const b = rawFile({}, new Uint8Array(0), '{}');
        b[7] = 1;
        return b;
      },
      /header length 72057594037927940 is more than the 2 bytes/,
    ],
    ['header not an object', () => rawFile(null, new Uint8Array(0), '[1, 2]'), 'm.safetensors: not a safetensors file: the header is not a JSON object'],
    ['bad JSON', () => rawFile(null, new Uint8Array(0), '{"a": '), /^m\.safetensors: the header is not valid JSON \(/],
    ['bad UTF-8', () => rawFile(null, new Uint8Array(0), '{"\udc00"}'), /the header is not valid JSON/],
    [
      'metadata value not a string',
      () => rawFile({ __metadata__: { spec: 3 } }, new Uint8Array(0)),
      'm.safetensors: __metadata__.spec is a number; safetensors metadata values are strings',
    ],
    [
      'dtype other than F32',
      () => {
        const { header, data } = parts();
        header['fc1.bias'].dtype = 'F16';
        return rawFile(header, data);
      },
      'm.safetensors: tensor fc1.bias has dtype F16; only F32 (float32) and I64 (counters) tensors can be loaded',
    ],
    [
      'bad shape',
      () => {
        const { header, data } = parts();
        header['fc1.bias'].shape = [-4];
        return rawFile(header, data);
      },
      'm.safetensors: tensor fc1.bias: shape must be a list of non-negative integers, got [-4]',
    ],
    [
      'offsets not a pair',
      () => {
        const { header, data } = parts();
        header['fc1.bias'].data_offsets = [0];
        return rawFile(header, data);
      },
      'm.safetensors: tensor fc1.bias: data_offsets must be [begin, end], got [0]',
    ],
    [
      'unexpected field in an entry',
      () => {
        const { header, data } = parts();
        header['fc1.bias'].strides = [1];
        return rawFile(header, data);
      },
      'm.safetensors: tensor fc1.bias: unexpected field strides',
    ],
    [
      'size mismatch',
      () => {
        const { header, data } = parts();
        header['fc1.bias'].shape = [3];
        return rawFile(header, data);
      },
      'm.safetensors: tensor fc1.bias: shape [3] needs 12 bytes of F32 but data_offsets [0, 16] hold 16',
    ],
    [
      'gap',
      () => {
        const { header, data } = parts();
        header['fc1.bias'].data_offsets = [4, 20];
        return rawFile(header, data);
      },
      'm.safetensors: bytes 0..4 of the data belong to no tensor (a gap before fc1.bias)',
    ],
    [
      'overlap',
      () => {
        const { header, data } = parts();
        header['fc1.weight'].data_offsets = [8, 56];
        return rawFile(header, data);
      },
      'm.safetensors: tensor fc1.weight overlaps fc1.bias (starts at byte 8, before 16)',
    ],
    [
      'overflow past the end',
      () => {
        const { header, data } = parts();
        return rawFile(header, data.subarray(0, data.length - 4));
      },
      'm.safetensors: tensor fc2.weight ends at byte 104 of the data, which has only 100 bytes (truncated file?)',
    ],
    [
      'offsets beyond any real size',
      () => {
        const { header, data } = parts();
        header['fc1.bias'].data_offsets = [2 ** 53, 2 ** 53 + 16];
        return rawFile(header, data);
      },
      /tensor fc1\.bias: data_offsets must be \[begin, end\]/,
    ],
    [
      'trailing bytes',
      () => {
        const { header, data } = parts();
        return rawFile(header, new Uint8Array([...data, 1, 2, 3]));
      },
      'm.safetensors: 3 unexpected bytes after the last tensor (the data should end at byte 104)',
    ],
    [
      'NaN',
      () => {
        const { header, data } = parts();
        new DataView(data.buffer, data.byteOffset).setFloat32(4, NaN, true);
        return rawFile(header, data);
      },
      'm.safetensors: tensor fc1.bias holds NaN at position 1; a model must have finite weights',
    ],
    [
      'Infinity',
      () => {
        const { header, data } = parts();
        new DataView(data.buffer, data.byteOffset).setFloat32(100, -Infinity, true);
        return rawFile(header, data);
      },
      'm.safetensors: tensor fc2.weight holds -Infinity at position 7; a model must have finite weights',
    ],
    [
      'missing tensor',
      () => {
        const { header, data } = parts();
        delete header['fc2.bias'];
        // Keep the data section exact: drop fc2.bias's bytes [64, 72) and move fc2.weight up.
        header['fc2.weight'].data_offsets = [64, 96];
        return rawFile(header, new Uint8Array([...data.subarray(0, 64), ...data.subarray(72)]));
      },
      'm.safetensors: tensor fc2.bias is missing; the network spec needs it with shape [2]',
    ],
    [
      'extra tensor',
      () => {
        const { header, data } = parts();
        header['fc9.bias'] = { dtype: 'F32', shape: [1], data_offsets: [104, 108] };
        return rawFile(header, new Uint8Array([...data, 0, 0, 0, 0]));
      },
      'm.safetensors: unexpected tensor fc9.bias: the network spec has no such parameter',
    ],
    [
      'shapes that disagree with the spec',
      () => {
        const { header, data } = parts();
        header['__metadata__'].spec = JSON.stringify({ ...SPEC, inputSize: 4 });
        delete header['__metadata__'].normalization;
        header['fc1.weight'].shape = [3, 4];
        return rawFile(header, data);
      },
      'm.safetensors: tensor fc1.weight has shape [3, 4] but the network spec (input 4, 4-relu-2) needs [4, 4]',
    ],
    [
      'no spec',
      () => {
        const { header, data } = parts();
        delete header['__metadata__'].spec;
        return rawFile(header, data);
      },
      /^m\.safetensors: no network spec in __metadata__: this safetensors file was not saved by Backprop Studio/,
    ],
    [
      'spec not JSON',
      () => {
        const { header, data } = parts();
        header['__metadata__'].spec = '{inputSize: 3';
        return rawFile(header, data);
      },
      /^m\.safetensors: field __metadata__\.spec: not valid JSON/,
    ],
    [
      'spec invalid',
      () => {
        const { header, data } = parts();
        header['__metadata__'].spec = JSON.stringify({ ...SPEC, layers: [{ kind: 'affine', units: 0 }] });
        return rawFile(header, data);
      },
      /^m\.safetensors: field __metadata__\.spec: network spec field layers\[0\]\.units: /,
    ],
    [
      'training settings invalid',
      () => {
        const { header, data } = parts();
        header['__metadata__'].training = JSON.stringify({ optimizer: 'lbfgs' });
        return rawFile(header, data);
      },
      /^m\.safetensors: field __metadata__\.training: training settings field optimizer: /,
    ],
    [
      'normalization of the wrong width',
      () => {
        const { header, data } = parts();
        header['__metadata__'].normalization = JSON.stringify({ mean: [0, 0], std: [1, 1] });
        return rawFile(header, data);
      },
      'm.safetensors: field __metadata__.normalization: mean has 2 values; the network takes 3 inputs',
    ],
    [
      'normalization with std 0',
      () => {
        const { header, data } = parts();
        header['__metadata__'].normalization = JSON.stringify({ mean: [0, 0, 0], std: [1, 0, 1] });
        return rawFile(header, data);
      },
      'm.safetensors: field __metadata__.normalization: std[1] is 0; a standard deviation used to divide must be positive',
    ],
    [
      'class names that do not match the outputs',
      () => {
        const { header, data } = parts();
        header['__metadata__'].classNames = JSON.stringify(['a', 'b', 'c']);
        return rawFile(header, data);
      },
      'm.safetensors: field __metadata__.classNames: lists 3 classes but the network has 2 outputs',
    ],
    [
      'duplicate class names',
      () => {
        const { header, data } = parts();
        header['__metadata__'].classNames = JSON.stringify(['a', 'a']);
        return rawFile(header, data);
      },
      'm.safetensors: field __metadata__.classNames: class "a" is listed twice',
    ],
  ];

  test.each(cases)('%s', (_name, make, expected) => {
    const e = failure(make());
    expect(['BAD_MODEL', 'TOO_LARGE']).toContain(e.code);
    if (typeof expected === 'string') expect(e.message).toBe(expected);
    else expect(e.message).toMatch(expected);
  });

  test('an oversized header is TOO_LARGE, decided from the length field alone', () => {
    const { header, data } = parts();
    const bytes = rawFile(header, data);
    let error: unknown;
    try {
      decodeSafetensors(bytes, 'm.safetensors', 64);
    } catch (e) {
      error = e;
    }
    expect((error as StudioError).code).toBe('TOO_LARGE');
    expect((error as StudioError).message).toMatch(/^m\.safetensors: the header is \d+ bytes; the limit is 64$/);
  });

  test('a tensor shape over the parameter limit is refused before anything is read', () => {
    const e = failure(rawFile({ big: { dtype: 'F32', shape: [100000, 100000], data_offsets: [0, 4e10] } }, new Uint8Array(0)));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toBe('m.safetensors: tensor big: shape [100000, 100000] is over the limit of 50000000 values');
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
