import { StudioError } from '../errors.js';
import type { ModelFileContent, Tensor } from '../model/model-file.js';

/**
 * A saved model as the list of operations an exporter writes, in order, with the
 * tensors each one uses and the shape of the data between them. Every exporter
 * (ONNX, the PyTorch project's checks, the NumPy notes) reads the same plan, so a
 * model is described once: which layer kinds exist, how their tensors are named
 * (`fc1.weight` [out, in], PyTorch's names and layouts) and how shapes chain.
 *
 * A layer kind the plan does not know is refused with one line naming the layer
 * and the format, never exported half-way.
 */

export type PlanStep =
  | { op: 'affine'; name: string; inputs: number; units: number; weight: Tensor; bias: Tensor }
  | { op: 'relu' | 'sigmoid' | 'tanh' }
  | { op: 'flatten' };

export interface ModelPlan {
  /** Values per sample, after flattening (the engine's row width). */
  inputSize: number;
  /** Channels, height, width when the model reads images; absent for feature rows. */
  inputShape?: [channels: number, height: number, width: number];
  /** Per-feature standardization applied to the raw input before the first layer. */
  normalization?: { mean: Float32Array; std: Float32Array };
  steps: PlanStep[];
  /** Values per sample coming out of the last layer (classes for softmax-cross-entropy). */
  outputs: number;
  loss: ModelFileContent['spec']['loss'];
  classNames?: string[];
}

/** `format` names the target in error messages ("ONNX", "the PyTorch project"). */
export function planModel(content: ModelFileContent, format: string): ModelPlan {
  const { spec, tensors } = content;
  const steps: PlanStep[] = [];
  let size = spec.inputSize;
  let affine = 0;
  spec.layers.forEach((layer, index) => {
    switch (layer.kind) {
      case 'affine': {
        affine++;
        const name = `fc${affine}`;
        const weight = tensorOf(tensors, `${name}.weight`, [layer.units, size]);
        const bias = tensorOf(tensors, `${name}.bias`, [layer.units]);
        steps.push({ op: 'affine', name, inputs: size, units: layer.units, weight, bias });
        size = layer.units;
        break;
      }
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        steps.push({ op: layer.kind });
        break;
      default:
        throw new StudioError(
          'BAD_SPEC',
          `${format} cannot express layer ${index + 1} (kind "${(layer as { kind: string }).kind}") of this model`,
          { field: `layers[${index}]` },
        );
    }
  });
  const plan: ModelPlan = { inputSize: spec.inputSize, steps, outputs: size, loss: spec.loss };
  if (content.normalization) plan.normalization = content.normalization;
  if (content.classNames) plan.classNames = content.classNames;
  return plan;
}

function tensorOf(tensors: Map<string, Tensor>, name: string, shape: number[]): Tensor {
  const t = tensors.get(name);
  if (!t || t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    // decodeModel checked this already; a hand-built content could still disagree.
    throw new StudioError(
      'BAD_MODEL',
      `tensor ${name} ${t ? `has shape [${t.shape.join(', ')}]` : 'is missing'}; the network spec needs [${shape.join(', ')}]`,
    );
  }
  return t;
}
