import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../core/model/model-file.js';
import { MAX_TENSORS, decodeSafetensors, encodeSafetensors, type Tensor } from '../../../core/model/safetensors.js';
import { studioRefusal } from '../studio-failure.js';

/**
 * A model file is checked from the outside in: the tensor count, then names and
 * shapes against the spec, and only then is any tensor decoded. A spec that no
 * network can be built from is refused as such, naming the file.
 */

const AFFINE_SPEC = { inputSize: 3, layers: [{ kind: 'affine', units: 2 }], loss: 'softmax-cross-entropy' };

function file(spec: unknown, tensors: Map<string, Tensor>, extra: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(tensors, { format: 'pt', spec: JSON.stringify(spec), ...extra });
}

const fc1 = (): Map<string, Tensor> =>
  new Map([
    ['fc1.weight', { shape: [2, 3], data: new Float32Array(6).fill(0.5) }],
    ['fc1.bias', { shape: [2], data: new Float32Array(2) }],
  ]);

describe('the spec in a model file', () => {
  it('with no Affine layer is refused as such, not as a class-count mismatch', () => {
    const spec = { inputSize: 3, layers: [{ kind: 'relu' }], loss: 'softmax-cross-entropy' };
    const e = studioRefusal(() => decodeModel(file(spec, new Map(), { classNames: '["a","b"]' }), 'm.safetensors'));
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toMatch(/^m\.safetensors: field __metadata__\.spec\.layers: network spec: needs at least one affine layer/);
  });

  it('that no network can be built from names the model file', () => {
    const spec = { inputSize: 3, layers: [{ kind: 'affine', units: 1 }], loss: 'softmax-cross-entropy' };
    const tensors = new Map([
      ['fc1.weight', { shape: [1, 3], data: new Float32Array(3) }],
      ['fc1.bias', { shape: [1], data: new Float32Array(1) }],
    ]);
    const e = studioRefusal(() => decodeModel(file(spec, tensors), 'one.safetensors'));
    expect(e.message).toMatch(/^one\.safetensors: field __metadata__\.spec\.layers: network spec: softmax-cross-entropy needs at least 2 outputs/);
  });
});

describe('tensors are checked before they are decoded', () => {
  it('an unexpected tensor is named before a bad value inside another is looked at', () => {
    const tensors = fc1();
    tensors.get('fc1.weight')!.data[0] = NaN;
    tensors.set('evil', { shape: [4], data: new Float32Array(4) });
    expect(studioRefusal(() => decodeModel(file(AFFINE_SPEC, tensors), 'm.safetensors')).message).toBe(
      'm.safetensors: unexpected tensor evil: the network spec has no such parameter',
    );
  });

  it('a tensor of the wrong shape is named before any is decoded', () => {
    const tensors = fc1();
    tensors.set('fc1.bias', { shape: [3], data: new Float32Array([NaN, 0, 0]) });
    expect(studioRefusal(() => decodeModel(file(AFFINE_SPEC, tensors), 'm.safetensors')).message).toMatch(
      /^m\.safetensors: tensor fc1\.bias has shape \[3\] but the network spec/,
    );
  });

  it('more tensors than any network has are refused from the header alone', () => {
    const header: Record<string, unknown> = { __metadata__: {} };
    for (let i = 0; i <= MAX_TENSORS; i++) header[`t${i}`] = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const bytes = new Uint8Array(8 + json.length);
    new DataView(bytes.buffer).setUint32(0, json.length, true);
    bytes.set(json, 8);
    const e = studioRefusal(() => decodeSafetensors(bytes, 'many.safetensors'));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toBe(`many.safetensors: the header lists ${MAX_TENSORS + 2} tensors; the limit is ${MAX_TENSORS}`);
  });

  it('tensors that share bytes are refused (no decoding into copies)', () => {
    const good = file(AFFINE_SPEC, fc1());
    const length = new DataView(good.buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + length)));
    header['fc1.weight'].data_offsets = [0, 24]; // over fc1.bias at [0, 8]
    const json = new TextEncoder().encode(JSON.stringify(header).padEnd(length, ' '));
    const bytes = good.slice();
    bytes.set(json, 8);
    expect(studioRefusal(() => decodeModel(bytes, 'm.safetensors')).message).toMatch(/overlaps|belong to no tensor/);
  });
});
