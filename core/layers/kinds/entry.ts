import type { z } from 'zod';
import type { Ops } from '../../ops/types.js';
import type { Rng } from '../../rng.js';
import type { Layer } from '../types.js';
import type { LayerShape } from '../shape.js';

/** Everything a layer factory needs to know about its place in the network. */
export interface LayerContext {
  /** What one sample looks like coming in. */
  input: LayerShape;
  ops: Ops;
  /** The network's own stream for Dropout masks (seeded from the run's seed, saved in checkpoints). */
  rng: Rng;
}

/** A number the network editor offers for a layer option, with its range and default. */
export interface EditorField {
  key: string;
  label: string;
  min: number;
  max: number;
  step: number;
  default: number;
  integer: boolean;
  /** Shown as a hint next to the field. */
  help?: string;
}

/** A tensor a layer kind puts in a model file: PyTorch's name suffix and shape. */
export interface TensorDecl {
  /** weight, bias, running_mean, running_var, num_batches_tracked */
  suffix: string;
  shape: number[];
  dtype: 'F32' | 'I64';
}

/**
 * One layer kind, every concern in one place. The table of these (kinds/index.ts)
 * is what the spec schema, the network builder, model-file names, the CLI's
 * `--layers` tokens and the network editor's choices all read.
 */
export interface LayerKindEntry<S extends { kind: string } = { kind: string }> {
  readonly kind: S['kind'];
  /** zod schema of the spec object ({"kind": "conv", "filters": 30, …}), strict. */
  readonly schema: z.ZodType<S>;
  /** Name stem: conv, fc, bn, relu, pool … */
  readonly stem: string;
  /**
   * How the layer is numbered: 'block' kinds (Convolution, Affine) count their own
   * stem and start a new block (conv1, conv2, fc1); 'own' kinds count their own stem
   * only (bn1, bn2); 'follows' kinds take the number of the block before them
   * (relu1 after conv1, relu2 after fc1; a second one in a block gets _2).
   */
  readonly naming: 'block' | 'own' | 'follows';
  /** What the network editor calls it. */
  readonly label: string;
  /** One line for menus and help. */
  readonly summary: string;
  /** The editor's option fields (ranges, defaults); empty for kinds without options. */
  readonly fields: readonly EditorField[];
  /** A new layer of this kind as the editor adds it. */
  defaults(): S;
  /** CLI token: `tokenSyntax` for help, parse() returns null when the token is not this kind's. */
  readonly tokenSyntax: string;
  parseToken(token: string): S | null;
  /** The token that parses back to this spec (conv30x5s2p1, pool2, fc100, bn). */
  token(spec: S): string;
  /** Output shape, or a ShapeRuleError naming what does not fit. */
  outputShape(spec: S, input: LayerShape): LayerShape;
  /** Learnable values (weights, biases, gamma, beta). */
  paramCount(spec: S, input: LayerShape): number;
  /** Model-file tensors in order, PyTorch names and layouts. */
  tensors(spec: S, input: LayerShape): TensorDecl[];
  /** Scratch values per sample beyond the output (im2col rows), for the limits. */
  workspacePerSample(spec: S, input: LayerShape): number;
  create(spec: S, name: string, ctx: LayerContext): Layer;
}
