import { z } from 'zod';
import { BatchNormLayer } from '../batchnorm.js';
import type { LayerKindEntry } from './entry.js';

/**
 * Batch Normalization as PyTorch's BatchNorm1d (after Affine, per feature) or
 * BatchNorm2d (after Convolution, per channel): bn1.weight (γ), bn1.bias (β),
 * bn1.running_mean, bn1.running_var [C], bn1.num_batches_tracked (int64 scalar).
 */
export const batchnormKind: LayerKindEntry<{ kind: 'batchnorm' }> = {
  kind: 'batchnorm',
  schema: z.object({ kind: z.literal('batchnorm') }).strict(),
  stem: 'bn',
  naming: 'own',
  label: 'BatchNorm',
  summary: 'normalize over the batch per feature / channel, then γ·x̂ + β',
  fields: [],
  defaults: () => ({ kind: 'batchnorm' }),
  tokenSyntax: 'bn',
  parseToken: (token) => (token === 'bn' || token === 'batchnorm' ? { kind: 'batchnorm' } : null),
  token: () => 'bn',
  outputShape: (_s, input) => input,
  paramCount: (_s, input) => 2 * input[0],
  tensors: (_s, input) => [
    { suffix: 'weight', shape: [input[0]], dtype: 'F32' },
    { suffix: 'bias', shape: [input[0]], dtype: 'F32' },
    { suffix: 'running_mean', shape: [input[0]], dtype: 'F32' },
    { suffix: 'running_var', shape: [input[0]], dtype: 'F32' },
    { suffix: 'num_batches_tracked', shape: [], dtype: 'I64' },
  ],
  workspacePerSample: () => 0,
  create: (_s, name, ctx) => new BatchNormLayer(name, ctx.input, ctx.ops),
};
