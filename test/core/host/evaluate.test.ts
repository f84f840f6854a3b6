import { describe, expect, it } from 'vitest';
import { evaluateWithConfusion } from '../../../core/host/evaluate.js';
import { buildNetwork } from '../../../core/network.js';
import { confusionMatrix, evaluateDataset } from '../../../core/evaluation.js';
import { generate2D } from '../../../core/data/synthetic2d.js';
import { StudioError } from '../../../core/errors.js';
import { RowBuffers } from '../../../core/layers/buffers.js';

describe('one-pass evaluation with confusion matrix', () => {
  const net = buildNetwork(
    { inputSize: 2, layers: [{ kind: 'affine', units: 7 }, { kind: 'sigmoid' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' },
    { seed: 5, init: 'xavier' },
  );
  // 2,345 samples: two full chunks of 1,000 and a partial one.
  const ds = generate2D({ kind: 'gaussians', count: 2345, noise: 0.4, seed: 9, classes: 3 });

  it('gives exactly what the core helpers give in two passes', () => {
    const one = evaluateWithConfusion(net, ds, 'test set');
    const ref = evaluateDataset(net, ds);
    expect(one.loss).toBe(ref.loss);
    expect(one.accuracy).toBe(ref.accuracy);
    expect(Array.from(one.confusion!)).toEqual(Array.from(confusionMatrix(net, ds)));
    expect(Array.from(one.confusion!).reduce((a, b) => a + b)).toBe(2345);
  });

  it("gathers into the caller's buffers when given (the trainer's, already in use) and keeps them", () => {
    const buffers = new RowBuffers(net.ops, net.inputSize);
    const first = evaluateWithConfusion(net, ds, 'test set', buffers);
    const chunk = buffers.get(1000);
    const again = evaluateWithConfusion(net, ds, 'test set', buffers);
    expect(buffers.get(1000)).toBe(chunk); // neither freed nor replaced
    const ref = evaluateDataset(net, ds);
    for (const r of [first, again]) {
      expect(r.loss).toBe(ref.loss);
      expect(r.accuracy).toBe(ref.accuracy);
    }
    expect(Array.from(again.confusion!)).toEqual(Array.from(first.confusion!));
  });

  it('refuses data that does not fit, naming the set', () => {
    const wide = { ...ds, features: 3, x: new Float32Array(ds.count * 3) };
    expect(() => evaluateWithConfusion(net, wide, 'test set')).toThrow(/test set has 3 features per sample, the network expects 2/);
    const labels = ds.labels.slice();
    labels[17] = 3;
    expect(() => evaluateWithConfusion(net, { ...ds, labels }, 'test set')).toThrow(StudioError);
    expect(() => evaluateWithConfusion(net, { ...ds, labels }, 'test set')).toThrow(/sample 17 has class 3, but the network has only 3 outputs/);
  });
});
