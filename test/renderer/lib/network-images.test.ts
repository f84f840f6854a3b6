import { describe, expect, it } from 'vitest';
import { analyzeNetwork, batchShapeLabel } from '../../../renderer/src/lib/network.js';
import { presetById } from '../../../renderer/src/lib/presets.js';
import { inputShapeOf } from '../../../renderer/src/lib/state/data.svelte.js';
import type { LayerSpec, NetworkSpec } from '../../../core/spec.js';

const mnist = { features: 784, classes: 10, imageShape: [28, 28] as const, inputShape: [1, 28, 28] as const };
const net = (layers: LayerSpec[]): NetworkSpec => ({ inputSize: 784, inputShape: [1, 28, 28], layers, loss: 'softmax-cross-entropy' });

describe('network editor on images', () => {
  it("shows SimpleConvNet's shapes per row and the book's parameter counts", () => {
    const a = analyzeNetwork(net(presetById('simple-convnet').layers(10)), mnist);
    expect(a.problem).toBeUndefined();
    expect(a.rows.map((r) => batchShapeLabel(r.outShape))).toEqual(['N×30×24×24', 'N×30×24×24', 'N×30×12×12', 'N×100', 'N×100', 'N×10']);
    // conv 30·1·5·5 + 30, fc1 4320·100 + 100, fc2 100·10 + 10
    expect(a.rows.map((r) => r.params)).toEqual([780, 0, 0, 432_100, 0, 1010]);
    expect(a.totalParams).toBe(433_890);
  });

  it('the small deep convnet fits 1x28x28 digits', () => {
    const a = analyzeNetwork(net(presetById('deep-convnet').layers(10)), mnist);
    expect(a.problem).toBeUndefined();
    expect(batchShapeLabel(a.rows[5]!.outShape)).toBe('N×32×7×7');
  });

  it('says on the row when a kernel is larger than its input, with the shapes', () => {
    const a = analyzeNetwork(
      net([{ kind: 'conv', filters: 8, size: 5, stride: 1, pad: 0 }, { kind: 'pool', size: 2, stride: 2 }, { kind: 'conv', filters: 8, size: 13, stride: 1, pad: 0 }, { kind: 'affine', units: 10 }]),
      mnist,
    );
    expect(a.rows[0]!.error).toBeUndefined();
    // Rows before the broken one keep their shapes and parameters.
    expect(a.rows.slice(0, 2).map((r) => batchShapeLabel(r.outShape))).toEqual(['N×8×24×24', 'N×8×12×12']);
    expect(a.rows[0]!.params).toBe(208);
    expect(batchShapeLabel(a.rows[2]!.outShape)).toBe('N×?');
    expect(a.rows[2]!.error).toBe('On input 8x12x12: kernel 13x13 is larger than its input 8x12x12');
    expect(a.problem).toMatch(/^conv2: On input 8x12x12: kernel 13x13/);
    // Rows after the broken one have no shape to show.
    expect(batchShapeLabel(a.rows[3]!.outShape)).toBe('N×10');
  });

  it('asks for an image shape when Convolution gets flat features', () => {
    const a = analyzeNetwork({ inputSize: 784, layers: [{ kind: 'conv', filters: 4, size: 3, stride: 1, pad: 0 }, { kind: 'affine', units: 10 }], loss: 'softmax-cross-entropy' }, { features: 784, classes: 10 });
    expect(a.rows[0]!.error).toMatch(/needs an image/);
  });

  it('takes the image shape from IDX data, or from the shape given a table when it holds every feature', () => {
    expect(inputShapeOf({ features: 784, imageShape: [28, 28] }, null)).toEqual([1, 28, 28]);
    expect(inputShapeOf({ features: 784 }, [1, 28, 28])).toEqual([1, 28, 28]);
    expect(inputShapeOf({ features: 64 }, [1, 28, 28])).toBeUndefined();
    expect(inputShapeOf({ features: 784 }, null)).toBeUndefined();
  });
});
