import onnxProto from 'onnx-proto';
import type { ModelFileContent } from '../model/model-file.js';
import { MODEL_PRODUCER } from '../model/model-file.js';
import { planModel, type ModelPlan, type PlanStep } from './layer-plan.js';

/**
 * A saved model as an ONNX file (opset 13) that ONNX Runtime, Netron and every
 * serving stack can run. The protobuf is written by onnx-proto (ONNX's own
 * schema as generated protobufjs code); this module only decides the graph:
 *
 *   input [N, features] (or [N, C, H, W] for image models)
 *     → Sub(mean) → Div(std)          the model's standardization, when it has one
 *     → Conv / BatchNormalization / Relu / Sigmoid / Tanh / MaxPool / Flatten / Gemm
 *                                     one node per layer, weights as initializers; Dropout is
 *                                     the identity outside training and has no node
 *     → Softmax(axis 1)               softmax-cross-entropy models only
 *   output [N, classes]
 *
 * Input and output names are fixed (ONNX_INPUT, ONNX_OUTPUT_*) and documented in
 * the README; the batch dimension is the symbolic "N". Models trained with mse
 * output their raw scores, as the engine's predict does.
 */

const { onnx } = onnxProto;

export const ONNX_OPSET = 13;
/** IR version 7 is what opset 13 shipped with; every runtime since ONNX 1.8 reads it. */
const ONNX_IR_VERSION = 7;
export const ONNX_INPUT = 'input';
/** Softmax-cross-entropy models end in probabilities, mse models in raw outputs. */
export const ONNX_OUTPUT_PROBABILITIES = 'probabilities';
export const ONNX_OUTPUT_SCORES = 'scores';
export const ONNX_BATCH_DIM = 'N';

export function onnxOutputName(loss: ModelFileContent['spec']['loss']): string {
  return loss === 'softmax-cross-entropy' ? ONNX_OUTPUT_PROBABILITIES : ONNX_OUTPUT_SCORES;
}

export interface OnnxExportOptions {
  /** Written into the model's metadata (producer_version). */
  producerVersion?: string;
  /** A name for the graph (the model file's name, say). */
  graphName?: string;
}

export function exportOnnx(content: ModelFileContent, options: OnnxExportOptions = {}): Uint8Array {
  const plan = planModel(content, 'ONNX');
  const graph = new GraphBuilder();
  let x = ONNX_INPUT;
  const inputDims = plan.inputShape ? [...plan.inputShape] : [plan.inputSize];

  if (plan.normalization) {
    // Statistics are per feature of the flattened row; for images they take the image's shape.
    const mean = graph.constant('normalization.mean', inputDims, plan.normalization.mean);
    const std = graph.constant('normalization.std', inputDims, plan.normalization.std);
    x = graph.node('Sub', [x, mean], 'standardize');
    x = graph.node('Div', [x, std], 'standardize');
  }
  for (const { step, input } of plan.steps) {
    // Affine flattens an image by itself in the engine (channels first, like torch.flatten(x, 1)).
    if (step.op === 'affine' && input.length === 3) x = graph.node('Flatten', [x], 'flatten', [intAttr('axis', 1)]);
    x = addStep(graph, step, x);
  }
  const output = onnxOutputName(plan.loss);
  if (plan.loss === 'softmax-cross-entropy') graph.node('Softmax', [x], 'softmax', [intAttr('axis', 1)], output);
  else graph.node('Identity', [x], 'scores', [], output);

  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: MODEL_PRODUCER,
    producerVersion: options.producerVersion ?? '',
    docString: describe(plan),
    metadataProps: metadataProps(content),
    graph: {
      name: options.graphName ?? 'backprop_studio_model',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo(ONNX_INPUT, inputDims)],
      output: [valueInfo(output, [plan.outputs])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function addStep(graph: GraphBuilder, step: PlanStep, x: string): string {
  switch (step.op) {
    case 'affine': {
      // Gemm: x · Bᵀ + C with B = weight [out, in], PyTorch's Linear layout.
      const w = graph.constant(`${step.name}.weight`, step.weight.shape, step.weight.data);
      const b = graph.constant(`${step.name}.bias`, step.bias.shape, step.bias.data);
      return graph.node('Gemm', [x, w, b], step.name, [intAttr('transB', 1)]);
    }
    case 'relu':
      return graph.node('Relu', [x], 'relu');
    case 'sigmoid':
      return graph.node('Sigmoid', [x], 'sigmoid');
    case 'tanh':
      return graph.node('Tanh', [x], 'tanh');
    case 'flatten':
      return graph.node('Flatten', [x], 'flatten', [intAttr('axis', 1)]);
    case 'conv': {
      const w = graph.constant(`${step.name}.weight`, step.weight.shape, step.weight.data);
      const b = graph.constant(`${step.name}.bias`, step.bias.shape, step.bias.data);
      return graph.node('Conv', [x, w, b], step.name, [
        intsAttr('kernel_shape', [step.size, step.size]),
        intsAttr('strides', [step.stride, step.stride]),
        intsAttr('pads', [step.pad, step.pad, step.pad, step.pad]),
      ]);
    }
    case 'pool':
      return graph.node('MaxPool', [x], 'pool', [intsAttr('kernel_shape', [step.size, step.size]), intsAttr('strides', [step.stride, step.stride])]);
    case 'batchnorm': {
      // Evaluation mode: y = γ·(x - running_mean)/√(running_var + eps) + β, per channel (axis 1).
      const inputs = [x, ...(['weight', 'bias', 'mean', 'variance'] as const).map((k) => {
        const suffix = { weight: 'weight', bias: 'bias', mean: 'running_mean', variance: 'running_var' }[k];
        return graph.constant(`${step.name}.${suffix}`, step[k].shape, step[k].data);
      })];
      return graph.node('BatchNormalization', inputs, step.name, [floatAttr('epsilon', step.eps)]);
    }
    case 'dropout':
      return x; // identity outside training: no node
  }
}

/** Nodes and initializers with unique names, in the order they are added (already topological). */
class GraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly used = new Set<string>([ONNX_INPUT]);

  constant(name: string, dims: readonly number[], data: Float32Array): string {
    const unique = this.unique(name);
    this.initializers.push({
      name: unique,
      dims: [...dims],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: littleEndianBytes(data),
    });
    return unique;
  }

  /** Add a node; its output is named after the node unless `output` is given. */
  node(op: string, inputs: string[], name: string, attribute: onnxProto.onnx.IAttributeProto[] = [], output?: string): string {
    const nodeName = this.unique(name);
    const out = output ?? nodeName;
    if (output !== undefined) this.used.add(output);
    this.nodes.push({ opType: op, name: nodeName, input: inputs, output: [out], attribute });
    return out;
  }

  private unique(base: string): string {
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
}

function intAttr(name: string, value: number): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function intsAttr(name: string, values: number[]): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

function floatAttr(name: string, value: number): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}

function valueInfo(name: string, dims: number[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: ONNX_BATCH_DIM }, ...dims.map((d) => ({ dimValue: d }))] },
      },
    },
  };
}

/** ONNX stores raw tensor data little-endian whatever the machine. */
function littleEndianBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

/** Class names and the model's settings travel along, readable with onnx.load(...).metadata_props. */
function metadataProps(content: ModelFileContent): onnxProto.onnx.IStringStringEntryProto[] {
  const props: onnxProto.onnx.IStringStringEntryProto[] = [{ key: 'spec', value: JSON.stringify(content.spec) }];
  if (content.classNames) props.push({ key: 'classNames', value: JSON.stringify(content.classNames) });
  if (content.featureNames) props.push({ key: 'featureNames', value: JSON.stringify(content.featureNames) });
  if (content.labelColumn !== undefined) props.push({ key: 'labelColumn', value: content.labelColumn });
  if (content.training) props.push({ key: 'training', value: JSON.stringify(content.training) });
  return props;
}

function describe(plan: ModelPlan): string {
  const shape = plan.inputShape ? `N x ${plan.inputShape.join(' x ')}` : `N x ${plan.inputSize}`;
  const out =
    plan.loss === 'softmax-cross-entropy'
      ? `${ONNX_OUTPUT_PROBABILITIES}: N x ${plan.outputs} class probabilities (softmax)`
      : `${ONNX_OUTPUT_SCORES}: N x ${plan.outputs} raw outputs (the model was trained with mse)`;
  return (
    `Backprop Studio model. ${ONNX_INPUT}: ${shape} float32, raw features as the studio reads them ` +
    `(IDX pixels scaled to 0..1)${plan.normalization ? '; the standardization is part of the graph' : ''}. ${out}.`
  );
}
