import { StudioError } from '../errors.js';
import { planLayers } from '../layers/registry.js';
import { BATCHNORM_EPS } from '../layers/batchnorm.js';
import type { LayerShape } from '../layers/shape.js';
import type { ModelFileContent, Tensor } from '../model/model-file.js';

/**
 * A saved model as the list of operations an exporter writes, in order, with the
 * tensors each one uses and the shape of the data between them. The layer-kind
 * table (core/layers/kinds, through planLayers) gives the names (conv1, bn1, fc1),
 * tensor shapes and layer shapes; this plan adds what an exporter needs to know
 * about each kind, so every exporter reads one description of the model.
 *
 * A layer kind the plan does not know is refused with one line naming the layer
 * and the format, never exported half-way.
 */

export type PlanStep =
  | { op: 'affine'; name: string; inputs: number; units: number; weight: Tensor; bias: Tensor }
  | { op: 'relu' | 'sigmoid' | 'tanh' }
  | { op: 'conv'; name: string; filters: number; size: number; stride: number; pad: number; weight: Tensor; bias: Tensor }
  | { op: 'pool'; size: number; stride: number }
  | { op: 'flatten' }
  /** Evaluation mode: the running statistics; per channel of an image, per feature of a row. */
  | { op: 'batchnorm'; name: string; eps: number; weight: Tensor; bias: Tensor; mean: Tensor; variance: Tensor }
  /** Identity outside training (inverted dropout scales while training instead). */
  | { op: 'dropout'; rate: number };

export interface PlannedStep {
  step: PlanStep;
  input: LayerShape;
  output: LayerShape;
}

export interface ModelPlan {
  /** Values per sample, after flattening (the engine's row width). */
  inputSize: number;
  /** Channels, height, width when the model reads images; absent for feature rows. */
  inputShape?: readonly [channels: number, height: number, width: number];
  /** Per-feature standardization applied to the raw input before the first layer. */
  normalization?: { mean: Float32Array; std: Float32Array };
  steps: PlannedStep[];
  /** Values per sample coming out of the last layer (classes for softmax-cross-entropy). */
  outputs: number;
  loss: ModelFileContent['spec']['loss'];
  classNames?: string[];
}

/** `format` names the target in error messages ("ONNX", "the PyTorch project"). */
export function planModel(content: ModelFileContent, format: string): ModelPlan {
  const { spec, tensors } = content;
  const layers = planLayers(spec);
  const steps = layers.map(({ spec: layer, name, input, output, index }): PlannedStep => {
    const t = (suffix: string): Tensor => tensorOf(tensors, `${name}.${suffix}`);
    let step: PlanStep;
    switch (layer.kind) {
      case 'affine':
        step = { op: 'affine', name, inputs: input.reduce((a, b) => a * b, 1), units: layer.units, weight: t('weight'), bias: t('bias') };
        break;
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        step = { op: layer.kind };
        break;
      case 'conv':
        step = { op: 'conv', name, filters: layer.filters, size: layer.size, stride: layer.stride, pad: layer.pad, weight: t('weight'), bias: t('bias') };
        break;
      case 'pool':
        step = { op: 'pool', size: layer.size, stride: layer.stride ?? layer.size };
        break;
      case 'flatten':
        step = { op: 'flatten' };
        break;
      case 'batchnorm':
        step = { op: 'batchnorm', name, eps: BATCHNORM_EPS, weight: t('weight'), bias: t('bias'), mean: t('running_mean'), variance: t('running_var') };
        break;
      case 'dropout':
        step = { op: 'dropout', rate: layer.rate };
        break;
      default:
        throw new StudioError(
          'BAD_SPEC',
          `${format} cannot express layer ${index + 1} (kind "${(layer as { kind: string }).kind}") of this model`,
          { field: `layers[${index}]` },
        );
    }
    return { step, input, output };
  });
  const last = layers.at(-1)!.output;
  const plan: ModelPlan = { inputSize: spec.inputSize, steps, outputs: last.reduce((a, b) => a * b, 1), loss: spec.loss };
  if (spec.inputShape) plan.inputShape = spec.inputShape;
  if (content.normalization) plan.normalization = content.normalization;
  if (content.classNames) plan.classNames = content.classNames;
  return plan;
}

function tensorOf(tensors: Map<string, Tensor>, name: string): Tensor {
  const t = tensors.get(name);
  // decodeModel checked names and shapes against the spec; a hand-built content could still lack one.
  if (!t) throw new StudioError('BAD_MODEL', `tensor ${name} is missing; the network spec needs it`);
  return t;
}
