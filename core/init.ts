import type { InitializerKind } from './spec.js';
import type { Rng } from './rng.js';
import type { Layer } from './layers/types.js';

/**
 * Standard deviation of the normal distribution a weight is drawn from.
 *   std     0.01             the book's TwoLayerNet (weight_init_std = 0.01)
 *   xavier  √(1 / fan_in)    the book's "Xavier" (ch. 6), suited to sigmoid and tanh
 *   he      √(2 / fan_in)    He et al., suited to ReLU, which zeroes half its inputs
 * fan_in is the inputs of one output: `in` for Affine, C·K·K for Convolution (the book's
 * pre_node_nums).
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
 * Fresh weights for every layer that has them: each layer draws its weights from
 * `rng` in its file order (Affine row by row of W [in, out], as NumPy's
 * normal(size=(in, out)); Convolution in [out, in, kh, kw] order), biases zero,
 * BatchNorm's gamma 1 and beta 0. Layers are visited in order, so a seed fixes them all.
 */
export function initializeLayers(layers: readonly Layer[], kind: InitializerKind, rng: Rng): void {
  for (const layer of layers) layer.initialize?.(kind, rng);
}
