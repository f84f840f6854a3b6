import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../../core/host/checkpoint-codec.js';
import { buildNetwork } from '../../../core/network.js';
import { Trainer } from '../../../core/trainer.js';
import { generate2D } from '../../../core/data/synthetic2d.js';
import { StudioError } from '../../../core/errors.js';
import { trainingConfigSchema, type NetworkSpec } from '../../../core/spec.js';
import { TRAINING } from './harness.js';

/**
 * A checkpoint message is checked as a whole before any array in it is decoded:
 * arrays that share bytes, parameters listed twice or with a length that does not
 * fit their shape are refused, so decoding never allocates more than the message.
 */

function checkpointBytes(): Uint8Array {
  const train = generate2D({ kind: 'spiral', count: 60, noise: 0.1, seed: 1 });
  const spec: NetworkSpec = { inputSize: 2, layers: [{ kind: 'affine', units: 64 }, { kind: 'relu' }, { kind: 'affine', units: 2 }], loss: 'softmax-cross-entropy' };
  const network = buildNetwork(spec, { seed: 3, init: 'he' });
  const t = new Trainer({ network, train, config: trainingConfigSchema.parse({ ...TRAINING, optimizer: 'adam', batchSize: 20, epochs: 3 }) });
  t.step();
  return new Uint8Array(encodeCheckpoint(t.checkpoint()));
}

/** The same message with its JSON header changed by `edit` (the raw arrays kept where they were). */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  const blob = bytes.subarray((12 + length + 7) & ~7);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (12 + json.length + 7) & ~7;
  const out = new Uint8Array(start + blob.length);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(blob, start);
  return out;
}

function refusal(bytes: Uint8Array): string {
  try {
    decodeCheckpoint(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe('BAD_MESSAGE');
    return (e as StudioError).message;
  }
  throw new Error('expected the checkpoint to be refused');
}

describe('checkpoint layout', () => {
  const good = checkpointBytes();

  it('a well-formed checkpoint still decodes', () => {
    expect(decodeCheckpoint(good).params.map((p) => p.name)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  });

  it('many entries pointing at the same bytes are refused before decoding (no amplification)', () => {
    const hostile = withHeader(good, (h) => {
      const first = h.params[0];
      h.params = Array.from({ length: 2000 }, (_, i) => ({ ...first, name: `p${i}` }));
    });
    expect(refusal(hostile)).toMatch(/^checkpoint: params\.\d+\.data and params\.\d+\.data share bytes 0\.\.\d+; every array must have its own$/);
  });

  it('an optimizer slot that aliases a parameter is refused', () => {
    const hostile = withHeader(good, (h) => {
      h.optimizer.slots[0][0] = { ...h.params[0].data };
    });
    expect(refusal(hostile)).toMatch(/share bytes/);
  });

  it('partly overlapping arrays are refused', () => {
    const hostile = withHeader(good, (h) => {
      h.params[1].data.o = h.params[0].data.o + 8;
    });
    expect(refusal(hostile)).toMatch(/share bytes/);
  });

  it('a parameter listed twice, and a length that does not fit the shape, are refused', () => {
    expect(refusal(withHeader(good, (h) => { h.params[1].name = 'fc1.weight'; }))).toBe('checkpoint: parameter fc1.weight is listed twice');
    expect(refusal(withHeader(good, (h) => { h.params[0].shape = [1000, 1000]; }))).toBe('checkpoint: fc1.weight: 128 values for shape 1000x1000');
  });

  it('a misaligned offset or one past the end is refused', () => {
    expect(refusal(withHeader(good, (h) => { h.params[0].data.o = 4; }))).toBe('checkpoint: params.0.data: offset 4 is not a multiple of 8');
    expect(refusal(withHeader(good, (h) => { h.params[0].data.o = 8 * 10_000_000; }))).toMatch(/^checkpoint: params\.0\.data: 128 values at offset 80000000 run past the end$/);
  });
});
