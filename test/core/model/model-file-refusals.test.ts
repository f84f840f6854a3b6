import { describe, expect, test } from 'vitest';
import { StudioError } from '../../../core/errors.js';
import { decodeModel, encodeModel, type ModelFileContent } from '../../../core/model/model-file.js';
import { decodeSafetensors } from '../../../core/model/safetensors.js';
import { SPEC, fullModel } from './model-fixtures.js';
import { studioRefusal } from '../studio-failure.js';

// Damaged, hostile and inconsistent model files: each is refused with one line naming the file and the field.

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

const failure = (bytes: Uint8Array): StudioError => studioRefusal(() => decodeModel(bytes, 'm.safetensors'));

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
    ['bad JSON', () => rawFile(null, new Uint8Array(0), '{"a": '), 'm.safetensors: the header is not valid JSON: value expected at character 7'],
    // A line break in a damaged header stays out of the one-line message (JSON.parse quotes the text around a fault).
    ['bad JSON across lines', () => rawFile(null, new Uint8Array(0), '{"a": {"shape": [\n,4]}}'), 'm.safetensors: the header is not valid JSON: value expected at character 19'],
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
