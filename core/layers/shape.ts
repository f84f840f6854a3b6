import { StudioError } from '../errors.js';

/**
 * What one sample looks like between two layers: a flat vector [size], or an
 * image [channels, height, width] stored channels first. Either way a batch is a
 * Matrix of one sample per row (an image row is C·H·W values, NCHW memory).
 */
export type LayerShape = readonly [size: number] | readonly [channels: number, height: number, width: number];
export type ImageShape = readonly [channels: number, height: number, width: number];

export function shapeSize(s: LayerShape): number {
  return s.reduce((a, b) => a * b, 1);
}

export function isImage(s: LayerShape): s is ImageShape {
  return s.length === 3;
}

/** "1x28x28" or "784". */
export function describeShape(s: LayerShape): string {
  return s.join('x');
}

/**
 * An output shape that cannot be: a kernel larger than its input, a pool that does
 * not fit. Thrown by the shape rules; the network names the layer and its token.
 */
export class ShapeRuleError extends StudioError {
  constructor(message: string) {
    super('BAD_SPEC', message);
  }
}

/** Output side of a sliding window, or a ShapeRuleError naming what does not fit. */
export function windowOutput(side: number, kernel: number, stride: number, pad: number, what: string, input: ImageShape): number {
  const span = side + 2 * pad;
  if (kernel > span) {
    throw new ShapeRuleError(
      `${what} ${kernel}x${kernel} is larger than its input ${describeShape(input)}${pad ? ` padded by ${pad}` : ''}`,
    );
  }
  return Math.floor((span - kernel) / stride) + 1;
}

export function requireImage(input: LayerShape, what: string): ImageShape {
  if (!isImage(input)) {
    throw new ShapeRuleError(
      `${what} needs an image (channels x height x width) but gets ${describeShape(input)} flat values; ` +
        'give the data an input shape (IDX images have one; CSV: --input-shape 1x28x28) or move it before the flattening layer',
    );
  }
  return input;
}
