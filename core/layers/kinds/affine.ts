import { z } from 'zod';
import { AffineLayer } from '../affine.js';
import { LIMITS } from '../limits.js';
import { shapeSize } from '../shape.js';
import type { LayerKindEntry } from './entry.js';

export const affineSpecSchema = z
  .object({ kind: z.literal('affine'), units: z.number().int().min(1).max(LIMITS.maxUnits) })
  .strict();
export type AffineSpec = z.infer<typeof affineSpecSchema>;

/** Fully connected, PyTorch's Linear: fc1.weight [out, in], fc1.bias [out]. Flattens an image input implicitly. */
export const affineKind: LayerKindEntry<AffineSpec> = {
  kind: 'affine',
  schema: affineSpecSchema,
  stem: 'fc',
  naming: 'block',
  label: 'Affine',
  summary: 'fully connected: y = x·W + b',
  fields: [{ key: 'units', label: 'Units', min: 1, max: LIMITS.maxUnits, step: 1, default: 50, integer: true }],
  defaults: () => ({ kind: 'affine', units: 50 }),
  tokenSyntax: 'fc<units>',
  parseToken(token) {
    const m = /^fc(\d+)$/.exec(token);
    return m ? { kind: 'affine', units: Number(m[1]) } : null;
  },
  token: (s) => `fc${s.units}`,
  outputShape: (s) => [s.units],
  paramCount: (s, input) => shapeSize(input) * s.units + s.units,
  tensors: (s, input) => [
    { suffix: 'weight', shape: [s.units, shapeSize(input)], dtype: 'F32' },
    { suffix: 'bias', shape: [s.units], dtype: 'F32' },
  ],
  workspacePerSample: () => 0,
  create: (s, name, ctx) => new AffineLayer(name, shapeSize(ctx.input), s.units, ctx.ops),
};
