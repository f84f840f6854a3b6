import { describe, expect, it } from 'vitest';
import { TWO_LAYER_NET, type NetworkSpec } from '../../../core/spec.js';
import { analyzeNetwork, layerNames, moveLayer } from '../../../renderer/src/lib/network.js';
import { PRESETS, suggestedPreset } from '../../../renderer/src/lib/presets.js';

const digits = { features: 784, classes: 10, imageShape: [28, 28] as const };

describe('network editor analysis', () => {
  it("counts the book's TwoLayerNet: 784*50+50 + 50*10+10 = 39,760 parameters, output shapes per layer", () => {
    const a = analyzeNetwork(TWO_LAYER_NET, digits);
    expect(a.totalParams).toBe(39_760);
    expect(a.rows.map((r) => [r.name, r.outUnits, r.params])).toEqual([
      ['fc1', 50, 39_250],
      ['relu1', 50, 0],
      ['fc2', 10, 510],
    ]);
    expect(a.problem).toBeUndefined();
  });

  it('explains an output layer that does not match the classes, on that layer', () => {
    const spec: NetworkSpec = { ...TWO_LAYER_NET, layers: [{ kind: 'affine', units: 50 }, { kind: 'relu' }, { kind: 'affine', units: 3 }] };
    const a = analyzeNetwork(spec, digits);
    expect(a.rows[2]!.error).toBe('The output layer has 3 units but the data has 10 classes: set it to 10.');
    expect(a.problem).toBe('fc2: The output layer has 3 units but the data has 10 classes: set it to 10.');
  });

  it('explains a network without an output layer, and an input size that does not fit the data', () => {
    expect(analyzeNetwork({ inputSize: 784, layers: [{ kind: 'relu' }], loss: 'softmax-cross-entropy' }, digits).problem).toMatch(/no output layer/);
    expect(analyzeNetwork({ inputSize: 784, layers: [], loss: 'softmax-cross-entropy' }, digits).problem).toMatch(/no layers/);
    expect(analyzeNetwork({ ...TWO_LAYER_NET, inputSize: 2 }, digits).problem).toBe(
      'The network takes 2 inputs but the data has 784 features per sample.',
    );
  });

  it('treats an unfinished units box as an error without spreading NaN downstream', () => {
    const spec: NetworkSpec = { inputSize: 4, layers: [{ kind: 'affine', units: NaN }, { kind: 'tanh' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };
    const a = analyzeNetwork(spec, { features: 4, classes: 3 });
    expect(a.rows[0]!.error).toMatch(/whole number/);
    expect(Number.isNaN(a.rows[1]!.outUnits)).toBe(true);
    expect(a.rows[2]!.params).toBe(0);
    expect(Number.isFinite(a.totalParams)).toBe(true);
  });

  it('warns (without blocking) about two activations in a row and an activation after the output', () => {
    const spec: NetworkSpec = { inputSize: 2, layers: [{ kind: 'affine', units: 8 }, { kind: 'relu' }, { kind: 'tanh' }, { kind: 'affine', units: 2 }, { kind: 'sigmoid' }], loss: 'softmax-cross-entropy' };
    const a = analyzeNetwork(spec, { features: 2, classes: 2 });
    expect(a.problem).toBeUndefined();
    expect(a.rows[2]!.warning).toMatch(/Two activations in a row/);
    expect(a.rows[4]!.warning).toMatch(/after the output layer/);
  });

  it('names layers as the engine does and moves them without losing any', () => {
    expect(layerNames([{ kind: 'affine', units: 4 }, { kind: 'relu' }, { kind: 'affine', units: 2 }, { kind: 'relu' }])).toEqual(['fc1', 'relu1', 'fc2', 'relu2']);
    const layers = [{ kind: 'affine', units: 4 } as const, { kind: 'relu' } as const, { kind: 'affine', units: 2 } as const];
    expect(moveLayer(layers, 1, -1)).toEqual([layers[1], layers[0], layers[2]]);
    expect(moveLayer(layers, 0, -1)).toEqual(layers);
  });

  it('builds presets whose output fits the classes, and suggests one by kind of data', () => {
    for (const p of PRESETS) {
      const image = p.convolutional ? { inputShape: [1, 28, 28] as [number, number, number] } : {};
      const a = analyzeNetwork({ inputSize: 784, ...image, layers: p.layers(7), loss: 'softmax-cross-entropy' }, { features: 784, classes: 7 });
      expect(a.problem).toBeUndefined();
    }
    expect(suggestedPreset(true).id).toBe('two-layer');
    expect(suggestedPreset(false).id).toBe('small-2d');
  });
});
