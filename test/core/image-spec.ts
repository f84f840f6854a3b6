import type { LayerSpec, NetworkSpec } from '../../core/spec.js';

/**
 * A classifier of `channels x height x width` images: the input size follows from the
 * shape, the loss is softmax cross-entropy. Tests write only the layers they are about.
 */
export function imageSpec([channels, height, width]: [number, number, number], layers: LayerSpec[]): NetworkSpec {
  return { inputSize: channels * height * width, inputShape: [channels, height, width], layers, loss: 'softmax-cross-entropy' };
}
