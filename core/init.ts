import type { InitializerKind } from './spec.js';
import type { Rng } from './rng.js';
import type { Layer } from './layers/types.js';
import { AffineLayer } from './layers/affine.js';

/**
 * Standard deviation of the normal distribution a weight is drawn from.
 *   std     0.01             the book's TwoLayerNet (weight_init_std = 0.01)
 *   xavier  √(1 / fan_in)    the book's "Xavier" (ch. 6), suited to sigmoid and tanh
 *   he      √(2 / fan_in)    He et al., suited to ReLU, which zeroes half its inputs
 */
export function initScale(kind: InitializerKind, fanIn: number): number {
  switch (kind) {
    case 'std':
      return 0.01;
    case 'xavier':
      return Math.sqrt(1 / fanIn);
    case 'he':
      return Math.sqrt(2 / fanIn);
  }
}

/**
 * Fresh weights for every Affine layer: W ~ N(0, scale²) drawn row by row
 * (W is [in, out], the same element order as NumPy's normal(size=(in, out))),
 * biases zero. The draws come from `rng` in layer order, so a seed fixes them all.
 */
export function initializeLayers(layers: readonly Layer[], kind: InitializerKind, rng: Rng): void {
  for (const layer of layers) {
    if (!(layer instanceof AffineLayer)) continue;
    const scale = initScale(kind, layer.inputSize);
    const w = layer.W.data;
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * scale;
    layer.b.data.fill(0);
    layer.dW.data.fill(0);
    layer.db.data.fill(0);
  }
}
