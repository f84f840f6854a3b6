import { z } from 'zod';
import { createActivation } from '../activations.js';
import type { LayerKindEntry } from './entry.js';

function activationKind<K extends 'relu' | 'sigmoid' | 'tanh'>(
  kind: K,
  label: string,
  summary: string,
): LayerKindEntry<{ kind: K }> {
  return {
    kind,
    schema: z.object({ kind: z.literal(kind) }).strict() as unknown as z.ZodType<{ kind: K }>,
    stem: kind,
    naming: 'follows',
    label,
    summary,
    fields: [],
    defaults: () => ({ kind }),
    tokenSyntax: kind,
    parseToken: (token) => (token === kind ? { kind } : null),
    token: () => kind,
    outputShape: (_s, input) => input,
    paramCount: () => 0,
    tensors: () => [],
    workspacePerSample: () => 0,
    create: (_s, name, ctx) => createActivation(kind, name, ctx.input, ctx.ops),
  };
}

export const reluKind = activationKind('relu', 'ReLU', 'max(0, x), elementwise');
export const sigmoidKind = activationKind('sigmoid', 'Sigmoid', '1 / (1 + e^-x), elementwise');
export const tanhKind = activationKind('tanh', 'Tanh', 'tanh(x), elementwise');
