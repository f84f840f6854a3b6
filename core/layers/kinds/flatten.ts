import { z } from 'zod';
import { FlattenLayer } from '../flatten.js';
import { shapeSize } from '../shape.js';
import type { LayerKindEntry } from './entry.js';

/** Flatten, PyTorch's nn.Flatten: channels first. Optional before Affine, which flattens by itself. */
export const flattenKind: LayerKindEntry<{ kind: 'flatten' }> = {
  kind: 'flatten',
  schema: z.object({ kind: z.literal('flatten') }).strict(),
  stem: 'flatten',
  naming: 'follows',
  label: 'Flatten',
  summary: 'an image as one row of C·H·W values (channels first)',
  fields: [],
  defaults: () => ({ kind: 'flatten' }),
  tokenSyntax: 'flatten',
  parseToken: (token) => (token === 'flatten' ? { kind: 'flatten' } : null),
  token: () => 'flatten',
  outputShape: (_s, input) => [shapeSize(input)],
  paramCount: () => 0,
  tensors: () => [],
  workspacePerSample: () => 0,
  create: (_s, name, ctx) => new FlattenLayer(name, shapeSize(ctx.input)),
};
