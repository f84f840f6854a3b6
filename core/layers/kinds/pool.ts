import { z } from 'zod';
import { MaxPoolLayer } from '../pool.js';
import { LIMITS } from '../limits.js';
import { requireImage, windowOutput, type LayerShape } from '../shape.js';
import type { LayerKindEntry } from './entry.js';

/** stride defaults to the window size (non-overlapping pools, PyTorch's MaxPool2d default). */
export const poolSpecSchema = z
  .object({
    kind: z.literal('pool'),
    size: z.number().int().min(1).max(LIMITS.maxKernel),
    stride: z.number().int().min(1).max(LIMITS.maxKernel).optional(),
  })
  .strict();
export type PoolSpec = z.infer<typeof poolSpecSchema>;

const strideOf = (s: PoolSpec): number => s.stride ?? s.size;

function outShape(s: PoolSpec, input: LayerShape): [number, number, number] {
  const image = requireImage(input, 'pooling');
  const [C, H, W] = image;
  return [C, windowOutput(H, s.size, strideOf(s), 0, 'pool window', image), windowOutput(W, s.size, strideOf(s), 0, 'pool window', image)];
}

/** Max pooling, PyTorch's MaxPool2d(size, stride): no parameters. */
export const poolKind: LayerKindEntry<PoolSpec> = {
  kind: 'pool',
  schema: poolSpecSchema,
  stem: 'pool',
  naming: 'follows',
  label: 'Max pooling',
  summary: 'the largest value of each window, per channel',
  fields: [
    { key: 'size', label: 'Window', min: 1, max: LIMITS.maxKernel, step: 1, default: 2, integer: true },
    { key: 'stride', label: 'Stride', min: 1, max: LIMITS.maxKernel, step: 1, default: 2, integer: true, help: 'smaller than the window: overlapping pools' },
  ],
  defaults: () => ({ kind: 'pool', size: 2, stride: 2 }),
  tokenSyntax: 'pool<size>[s<stride>]',
  parseToken(token) {
    const m = /^pool(\d+)(?:s(\d+))?$/.exec(token);
    if (!m) return null;
    return m[2] ? { kind: 'pool', size: Number(m[1]), stride: Number(m[2]) } : { kind: 'pool', size: Number(m[1]) };
  },
  token: (s) => `pool${s.size}${strideOf(s) !== s.size ? `s${strideOf(s)}` : ''}`,
  outputShape: outShape,
  paramCount: () => 0,
  tensors: () => [],
  workspacePerSample: () => 0,
  create: (s, name, ctx) => new MaxPoolLayer(name, requireImage(ctx.input, 'pooling'), s.size, strideOf(s), ctx.ops),
};
