import { describe, expect, it } from 'vitest';
import { gradientCheck } from '../../../core/gradcheck.js';
import type { NetworkSpec } from '../../../core/spec.js';
import { imageSpec } from '../image-spec.js';

/**
 * Backprop of every chapter-7 layer and option against central differences in
 * float64: each row (conv1.weight, bn1.bias …) must agree to 1e-6 relative.
 */
function expectAllOk(spec: NetworkSpec, opts: Parameters<typeof gradientCheck>[1] = {}): void {
  const rows = gradientCheck(spec, { batch: 4, maxElements: Infinity, seed: 3, ...opts });
  for (const r of rows) expect(r.relError, `${r.name} ${r.relError}`).toBeLessThan(1e-6);
  expect(rows.length).toBeGreaterThan(0);
}

describe('gradient check of the convolutional layers (float64, < 1e-6 relative)', () => {
  it('convolution, stride 1, no padding, then Affine flattening implicitly', () => {
    expectAllOk(imageSpec([2, 5, 5], [{ kind: 'conv', filters: 3, size: 3, stride: 1, pad: 0 }, { kind: 'relu' }, { kind: 'affine', units: 3 }]));
  });

  it('convolution with stride 2 and padding 1', () => {
    expectAllOk(imageSpec([2, 7, 6], [{ kind: 'conv', filters: 2, size: 3, stride: 2, pad: 1 }, { kind: 'tanh' }, { kind: 'flatten' }, { kind: 'affine', units: 3 }]));
  });

  it('two convolutions in a row: dx of the second flows through col2im into the first', () => {
    expectAllOk(imageSpec([1, 6, 6], [
      { kind: 'conv', filters: 2, size: 3, stride: 1, pad: 1 },
      { kind: 'sigmoid' },
      { kind: 'conv', filters: 3, size: 2, stride: 2, pad: 0 },
      { kind: 'affine', units: 2 },
    ]));
  });

  it('max pooling, non-overlapping and overlapping (stride smaller than the window)', () => {
    expectAllOk(imageSpec([2, 6, 6], [{ kind: 'conv', filters: 2, size: 3, stride: 1, pad: 1 }, { kind: 'pool', size: 2 }, { kind: 'affine', units: 3 }]));
    expectAllOk(imageSpec([1, 7, 7], [{ kind: 'conv', filters: 2, size: 2, stride: 1, pad: 0 }, { kind: 'pool', size: 3, stride: 1 }, { kind: 'affine', units: 3 }]));
  });

  it('BatchNorm after Convolution (per channel) and after Affine (per feature)', () => {
    expectAllOk(imageSpec([2, 5, 5], [
      { kind: 'conv', filters: 3, size: 3, stride: 1, pad: 1 },
      { kind: 'batchnorm' },
      { kind: 'relu' },
      { kind: 'affine', units: 4 },
      { kind: 'batchnorm' },
      { kind: 'tanh' },
      { kind: 'affine', units: 3 },
    ]), { batch: 5 });
  });

  it('Dropout with the mask held fixed during the numeric differences', () => {
    expectAllOk({ inputSize: 6, layers: [{ kind: 'affine', units: 8 }, { kind: 'relu' }, { kind: 'dropout', rate: 0.4 }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' });
    expectAllOk(imageSpec([1, 5, 5], [{ kind: 'conv', filters: 2, size: 3, stride: 1, pad: 0 }, { kind: 'dropout', rate: 0.3 }, { kind: 'affine', units: 3 }]));
  });

  it('weight decay: the gradient of loss + ½λΣW² over conv and affine weights', () => {
    expectAllOk(imageSpec([1, 5, 5], [
      { kind: 'conv', filters: 2, size: 3, stride: 1, pad: 0 },
      { kind: 'batchnorm' },
      { kind: 'relu' },
      { kind: 'affine', units: 3 },
    ]), { weightDecay: 0.3 });
  });

  it('catches a wrong gradient: weight decay left out of backprop but counted in the loss is visible', () => {
    // Same network; the check with λ must differ from the one without (the term matters).
    const spec = imageSpec([1, 4, 4], [{ kind: 'conv', filters: 2, size: 3, stride: 1, pad: 0 }, { kind: 'affine', units: 2 }]);
    const plain = gradientCheck(spec, { batch: 2, seed: 1 });
    const decayed = gradientCheck(spec, { batch: 2, seed: 1, weightDecay: 0.5 });
    expect(decayed[0]!.maxAbsDiff).toBeLessThan(1e-6);
    expect(plain[0]!.name).toBe('conv1.weight');
    expect(decayed.map((r) => r.name)).toEqual(['conv1.weight', 'conv1.bias', 'fc1.weight', 'fc1.bias']);
  });
});
