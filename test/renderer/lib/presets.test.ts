import { describe, expect, it } from 'vitest';
import { layerToken } from '../../../core/layers/kinds/index.js';
import { PRESETS, presetById } from '../../../renderer/src/lib/presets.js';

/** A preset's layers for `classes` classes, as the CLI's --layers tokens (fc50, relu, conv30x5, ...). */
const tokens = (id: Parameters<typeof presetById>[0], classes: number) => presetById(id).layers(classes).map(layerToken);

describe('network presets', () => {
  it('build the layers their descriptions name, with one output unit per class', () => {
    expect(tokens('two-layer', 10)).toEqual(['fc50', 'relu', 'fc10']);
    expect(tokens('deep-relu', 3)).toEqual(['fc256', 'relu', 'fc128', 'relu', 'fc64', 'relu', 'fc3']);
    expect(tokens('small-2d', 2)).toEqual(['fc16', 'tanh', 'fc16', 'tanh', 'fc2']);
  });

  it('give each convolution its ReLU and a 2x2 max pooling of stride 2', () => {
    expect(presetById('simple-convnet').layers(10).slice(0, 3)).toEqual([
      { kind: 'conv', filters: 30, size: 5, stride: 1, pad: 0 },
      { kind: 'relu' },
      { kind: 'pool', size: 2, stride: 2 },
    ]);
    const deep = presetById('deep-convnet').layers(4);
    expect(deep.slice(3, 6)).toEqual([{ kind: 'conv', filters: 32, size: 3, stride: 1, pad: 1 }, { kind: 'relu' }, { kind: 'pool', size: 2, stride: 2 }]);
    expect(deep.slice(6)).toEqual([{ kind: 'affine', units: 100 }, { kind: 'relu' }, { kind: 'dropout', rate: 0.5 }, { kind: 'affine', units: 4 }]);
  });

  it('fix the optimizer, learning rate, batch size and initialization they are known to learn with', () => {
    expect(Object.fromEntries(PRESETS.map((p) => [p.id, p.training]))).toEqual({
      'two-layer': { optimizer: 'sgd', learningRate: 0.1, batchSize: 100, init: 'std' },
      'deep-relu': { optimizer: 'adam', learningRate: 0.001, batchSize: 100, init: 'he' },
      'simple-convnet': { optimizer: 'adam', learningRate: 0.001, batchSize: 50, init: 'he' },
      'deep-convnet': { optimizer: 'adam', learningRate: 0.001, batchSize: 100, init: 'he' },
      'small-2d': { optimizer: 'adam', learningRate: 0.03, batchSize: 16, init: 'xavier' },
    });
  });
});
