import { z } from 'zod';
import { DropoutLayer } from '../dropout.js';
import type { LayerKindEntry } from './entry.js';

/** Inverted Dropout, PyTorch's nn.Dropout(p = rate): no tensors. */
export const dropoutSpecSchema = z.object({ kind: z.literal('dropout'), rate: z.number().min(0).lt(1) }).strict();
export type DropoutSpec = z.infer<typeof dropoutSpecSchema>;

export const dropoutKind: LayerKindEntry<DropoutSpec> = {
  kind: 'dropout',
  schema: dropoutSpecSchema,
  stem: 'dropout',
  naming: 'follows',
  label: 'Dropout',
  summary: 'drop values at random in training (scaled by 1/(1-rate)); identity in evaluation',
  fields: [{ key: 'rate', label: 'Rate', min: 0, max: 0.95, step: 0.05, default: 0.5, integer: false }],
  defaults: () => ({ kind: 'dropout', rate: 0.5 }),
  tokenSyntax: 'dropout<rate>',
  parseToken(token) {
    const m = /^dropout(\d*\.?\d+)$/.exec(token);
    return m ? { kind: 'dropout', rate: Number(m[1]) } : null;
  },
  token: (s) => `dropout${s.rate}`,
  outputShape: (_s, input) => input,
  paramCount: () => 0,
  tensors: () => [],
  workspacePerSample: () => 0,
  create: (s, name, ctx) => new DropoutLayer(name, ctx.input, s.rate, ctx.rng, ctx.ops),
};
