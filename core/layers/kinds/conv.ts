import { z } from 'zod';
import { ConvolutionLayer } from '../conv.js';
import { LIMITS } from '../limits.js';
import { requireImage, windowOutput, type LayerShape } from '../shape.js';
import type { LayerKindEntry } from './entry.js';

export const convSpecSchema = z
  .object({
    kind: z.literal('conv'),
    filters: z.number().int().min(1).max(LIMITS.maxChannels),
    size: z.number().int().min(1).max(LIMITS.maxKernel),
    stride: z.number().int().min(1).max(LIMITS.maxKernel).default(1),
    pad: z.number().int().min(0).max(LIMITS.maxKernel).default(0),
  })
  .strict();
export type ConvSpec = z.infer<typeof convSpecSchema>;

function geometry(s: ConvSpec, input: LayerShape): { C: number; OH: number; OW: number } {
  const image = requireImage(input, 'convolution');
  const [C, H, W] = image;
  const OH = windowOutput(H, s.size, s.stride, s.pad, 'kernel', image);
  const OW = windowOutput(W, s.size, s.stride, s.pad, 'kernel', image);
  return { C, OH, OW };
}

/** Convolution, PyTorch's Conv2d: conv1.weight [out, in, kh, kw], conv1.bias [out]. */
export const convKind: LayerKindEntry<ConvSpec> = {
  kind: 'conv',
  schema: convSpecSchema as unknown as z.ZodType<ConvSpec>,
  stem: 'conv',
  naming: 'block',
  label: 'Convolution',
  summary: 'filters sliding over an image (im2col and one product, as the book)',
  fields: [
    { key: 'filters', label: 'Filters', min: 1, max: LIMITS.maxChannels, step: 1, default: 30, integer: true },
    { key: 'size', label: 'Kernel', min: 1, max: LIMITS.maxKernel, step: 1, default: 5, integer: true },
    { key: 'stride', label: 'Stride', min: 1, max: LIMITS.maxKernel, step: 1, default: 1, integer: true },
    { key: 'pad', label: 'Padding', min: 0, max: LIMITS.maxKernel, step: 1, default: 0, integer: true },
  ],
  defaults: () => ({ kind: 'conv', filters: 30, size: 5, stride: 1, pad: 0 }),
  tokenSyntax: 'conv<filters>x<size>[s<stride>][p<pad>]',
  parseToken(token) {
    const m = /^conv(\d+)x(\d+)(?:s(\d+))?(?:p(\d+))?$/.exec(token);
    if (!m) return null;
    return { kind: 'conv', filters: Number(m[1]), size: Number(m[2]), stride: m[3] ? Number(m[3]) : 1, pad: m[4] ? Number(m[4]) : 0 };
  },
  token: (s) => `conv${s.filters}x${s.size}${s.stride !== 1 ? `s${s.stride}` : ''}${s.pad ? `p${s.pad}` : ''}`,
  outputShape(s, input) {
    const { OH, OW } = geometry(s, input);
    return [s.filters, OH, OW];
  },
  paramCount(s, input) {
    const { C } = geometry(s, input);
    return s.filters * C * s.size * s.size + s.filters;
  },
  tensors(s, input) {
    const { C } = geometry(s, input);
    return [
      { suffix: 'weight', shape: [s.filters, C, s.size, s.size], dtype: 'F32' },
      { suffix: 'bias', shape: [s.filters], dtype: 'F32' },
    ];
  },
  workspacePerSample(s, input) {
    const { C, OH, OW } = geometry(s, input);
    return OH * OW * C * s.size * s.size;
  },
  create(s, name, ctx) {
    return new ConvolutionLayer(name, requireImage(ctx.input, 'convolution'), s.filters, s.size, s.stride, s.pad, ctx.ops);
  },
};
