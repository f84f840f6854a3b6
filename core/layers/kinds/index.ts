import { z } from 'zod';
import { affineKind } from './affine.js';
import { reluKind, sigmoidKind, tanhKind } from './activation.js';
import { convKind } from './conv.js';
import { poolKind } from './pool.js';
import { flattenKind } from './flatten.js';
import { batchnormKind } from './batchnorm.js';
import { dropoutKind } from './dropout.js';
import type { LayerKindEntry } from './entry.js';

/**
 * THE table of layer kinds. Adding a kind is: a layer class (forward and backward
 * side by side) in core/layers/, one entry file in core/layers/kinds/ (schema, shape
 * rule, parameter count, model-file tensors, editor fields, CLI token, factory) and its
 * line here. The spec schema (spec.ts), the network builder (registry.ts), model-file
 * names (model/model-file.ts), the CLI's --layers tokens and the network editor's
 * choices (renderer/src/lib/network.ts) all read this table. What the table cannot do
 * for you: kernels the layer needs go into the Ops interface (ops/types.ts) with a
 * reference implementation (ops/reference.ts) and, for speed, a WebAssembly one;
 * exporters (core/export) learn the kind in their own plan.
 */
export const LAYER_TABLE = [
  affineKind,
  reluKind,
  sigmoidKind,
  tanhKind,
  convKind,
  poolKind,
  flattenKind,
  batchnormKind,
  dropoutKind,
] as const;

type Spec<E> = E extends LayerKindEntry<infer S> ? S : never;
export type LayerSpec = Spec<(typeof LAYER_TABLE)[number]>;
export type LayerKindName = LayerSpec['kind'];

export const LAYER_KIND_NAMES = LAYER_TABLE.map((e) => e.kind) as readonly LayerKindName[];

const byKind = new Map<string, LayerKindEntry>(LAYER_TABLE.map((e) => [e.kind, e as unknown as LayerKindEntry]));

/** The entry of a spec's kind (the spec is trusted to be one the table knows). */
export function kindEntry<S extends LayerSpec>(spec: S): LayerKindEntry<S> {
  const e = byKind.get(spec.kind);
  if (!e) throw new Error(`unknown layer kind ${JSON.stringify(spec.kind)}`);
  return e as unknown as LayerKindEntry<S>;
}

export function kindEntryByName(kind: string): LayerKindEntry | undefined {
  return byKind.get(kind);
}

/**
 * A layer spec: one of the table's schemas, chosen by `kind`. Discriminated, so a
 * known kind reports its own field ("layers[0].units: expected number") rather than
 * "invalid input" for the whole layer, and an unknown kind lists the kinds there are.
 */
export const layerSpecSchema = z.discriminatedUnion(
  'kind',
  LAYER_TABLE.map((e) => e.schema) as unknown as [z.ZodObject, ...z.ZodObject[]],
  {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const kind = (issue.input as { kind?: unknown } | undefined)?.kind;
      const got = kind === undefined ? 'missing' : `${JSON.stringify(kind)} is not a layer kind`;
      return `${got}; the kinds are ${LAYER_KIND_NAMES.join(', ')}`;
    },
  },
) as unknown as z.ZodType<LayerSpec>;

/** The one layer spec a CLI token stands for, or null (conv30x5, pool2s1, bn, dropout0.5, relu, fc100, flatten). */
export function parseLayerToken(token: string): LayerSpec | null {
  for (const e of LAYER_TABLE) {
    const s = (e as unknown as LayerKindEntry).parseToken(token);
    if (s) return s as LayerSpec;
  }
  return null;
}

export function layerToken(spec: LayerSpec): string {
  return kindEntry(spec).token(spec);
}

export type { LayerKindEntry, EditorField, TensorDecl, LayerContext } from './entry.js';
