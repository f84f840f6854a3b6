import { StudioError, type ErrorPlace, formatPlace } from '../errors.js';
import { validateSpec } from '../network.js';
import { paramFileShape, type LayerBuffer, type Param } from '../layers/types.js';
import { planLayers, specOutputShape } from '../layers/registry.js';
import { describeShape, shapeSize } from '../layers/shape.js';
import {
  describeZodError,
  networkSpecSchema,
  trainingConfigSchema,
  type NetworkSpec,
  type Normalization,
  type TrainingConfig,
} from '../spec.js';
import { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.js';
import { readJson } from '../json-text.js';

/**
 * A trained model as a safetensors file that PyTorch, NumPy and Netron can read:
 * `fc1.weight` [out, in] and `fc1.bias` [out] like torch.nn.Linear, and in
 * `__metadata__` (string values, as safetensors requires) `format: "pt"`, the
 * producer, the label column's name, and as JSON strings the network spec, the
 * training settings, the standardization statistics, the class names, the
 * feature column names and the range of the raw training inputs.
 *
 *   import json, numpy as np; from safetensors.numpy import load_file  # or safe_open
 *   W1 = load_file("model.safetensors")["fc1.weight"]   # (50, 784)
 *
 * Convolution and BatchNorm keep PyTorch's names and layouts too: `conv1.weight`
 * [out, in, kh, kw], `conv1.bias`, `bn1.weight` (γ), `bn1.bias` (β), `bn1.running_mean`,
 * `bn1.running_var` and `bn1.num_batches_tracked` (I64, a scalar), so that a
 * torch.nn.Sequential rebuilt from the spec takes load_state_dict(strict=True).
 * Which tensors a layer has, under which names and shapes, is the layer-kind table's
 * (core/layers/kinds): this module only reads it.
 *
 * The engine keeps an Affine weight as [in, out] (x·W), so those weights are
 * transposed on the way out and back in; every other tensor is stored as it lies.
 */

export const MODEL_PRODUCER = 'backprop-studio';

export interface ModelFileContent {
  spec: NetworkSpec;
  training?: TrainingConfig;
  normalization?: Normalization;
  classNames?: string[];
  /**
   * The header name of the label column of the CSV/TSV the model was trained on,
   * so eval and predict find the labels in files laid out the same way.
   */
  labelColumn?: string;
  /**
   * Smallest and largest raw feature value of the training data (before any
   * standardization), so new data on another scale (pixels 0..255 against a model
   * trained on IDX pixels read as 0..1) can be noticed instead of silently misread.
   */
  inputRange?: [min: number, max: number];
  /** The training file's feature column names in order (CSV/TSV with a header), to match new files by name. */
  featureNames?: string[];
  /** Who wrote the file (read back from `__metadata__.producer`; written as MODEL_PRODUCER). */
  producer?: string;
  tensors: Map<string, Tensor>;
}

export type { Tensor } from './safetensors.js';

/** A parameter with its layer's name, as Network.namedParams() lists them. */
export interface NamedParamRef {
  layer: string;
  name: 'weight' | 'bias';
  param: Param;
}

/**
 * The tensors a spec implies, in layer order, from the layer-kind table: PyTorch's
 * names (conv1.weight, bn1.running_mean, fc1.weight …) and shapes. Shapes chain from
 * the spec's input shape through every layer.
 */
export function expectedTensorShapes(spec: NetworkSpec): Map<string, number[]> {
  return new Map(expectedTensors(spec).map((t) => [t.name, t.shape]));
}

function expectedTensors(spec: NetworkSpec): { name: string; shape: number[]; dtype: 'F32' | 'I64' }[] {
  return planLayers(spec).flatMap((l) => l.tensors);
}

/** Output width of a spec (classes for softmax-cross-entropy). */
function outputSize(spec: NetworkSpec): number {
  return shapeSize(specOutputShape(spec));
}

/** A model's class names, output by output: its file's, else numbered "0".."n-1". */
export function modelClassNames(m: Pick<ModelFileContent, 'spec' | 'classNames'>): string[] {
  return m.classNames ? [...m.classNames] : Array.from({ length: outputSize(m.spec) }, (_, i) => String(i));
}

export function encodeModel(m: ModelFileContent): Uint8Array {
  const parsed = networkSpecSchema.safeParse(m.spec);
  if (!parsed.success) throw new StudioError('BAD_SPEC', describeZodError(parsed.error, 'network spec'));
  const spec = parsed.data;
  // Never write a file the reader would refuse.
  checkTensors(m.tensors, spec, 'INTERNAL', {});
  for (const [name, t] of m.tensors) {
    const i = t.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new StudioError(
        'BAD_MODEL',
        `cannot save: ${name} holds ${t.data[i]} at position ${i} (did training diverge?)`,
      );
    }
  }
  const metadata: Record<string, string> = { format: 'pt', producer: MODEL_PRODUCER, spec: JSON.stringify(spec) };
  if (m.training) {
    const t = trainingConfigSchema.safeParse(m.training);
    if (!t.success) throw new StudioError('BAD_SPEC', describeZodError(t.error, 'training settings'));
    metadata['training'] = JSON.stringify(t.data);
  }
  if (m.normalization) {
    checkNormalization(m.normalization.mean, m.normalization.std, spec.inputSize, (msg) => new StudioError('INTERNAL', msg));
    metadata['normalization'] = JSON.stringify({ mean: Array.from(m.normalization.mean), std: Array.from(m.normalization.std) });
  }
  if (m.classNames) {
    checkClassNames(m.classNames, spec, (msg) => new StudioError('INTERNAL', msg));
    metadata['classNames'] = JSON.stringify(m.classNames);
  }
  if (m.featureNames !== undefined) {
    checkFeatureNames(m.featureNames, spec, (msg) => new StudioError('INTERNAL', msg));
    metadata['featureNames'] = JSON.stringify(m.featureNames);
  }
  if (m.inputRange !== undefined) {
    checkInputRange(m.inputRange, (msg) => new StudioError('INTERNAL', msg));
    metadata['inputRange'] = JSON.stringify(m.inputRange);
  }
  if (m.labelColumn !== undefined) {
    if (m.labelColumn.trim() === '') throw new StudioError('INTERNAL', 'model file: the label column name is empty');
    metadata['labelColumn'] = m.labelColumn; // a plain string, as safetensors metadata values are
  }
  return encodeSafetensors(m.tensors, metadata);
}

export function decodeModel(bytes: Uint8Array, fileName?: string): ModelFileContent {
  const where: ErrorPlace = fileName === undefined ? {} : { file: fileName };
  const bad = (msg: string, field?: string): StudioError =>
    new StudioError('BAD_MODEL', msg, field === undefined ? where : { ...where, field: `__metadata__.${field}` });
  // The tensors' names and shapes are compared with the spec before any is decoded.
  const { metadata, tensors } = decodeSafetensors(bytes, fileName, undefined, (meta, entries) => {
    const spec = usableSpec(meta['spec']);
    if (!spec) return; // the checks below say what is wrong with it
    const described = new Map(entries.map((e) => [e.name, { shape: [...e.shape], dtype: e.dtype, data: NO_DATA }]));
    checkTensors(described, spec, 'BAD_MODEL', where);
  });

  const json = (field: string): unknown => {
    const read = readJson(metadata[field]!);
    if ('why' in read) throw bad(`not valid JSON: ${read.why}`, field);
    return read.value;
  };

  if (metadata['spec'] === undefined) {
    throw bad(
      'no network spec in __metadata__: this safetensors file was not saved by Backprop Studio, ' +
        'so the layers between its tensors are unknown',
    );
  }
  const specParsed = networkSpecSchema.safeParse(json('spec'));
  if (!specParsed.success) throw bad(describeZodError(specParsed.error, 'network spec'), 'spec');
  const spec = specParsed.data;
  // What building the network would refuse (no Affine layer, too many parameters, one
  // output for softmax) is refused here, naming this file, before class names or tensors
  // are compared with a network that cannot exist.
  try {
    validateSpec(spec);
  } catch (e) {
    if (!(e instanceof StudioError)) throw e;
    const field = `__metadata__.spec${e.where.field ? `.${e.where.field}` : ''}`;
    throw new StudioError(e.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'BAD_MODEL', e.message.slice(formatPlace(e.where).length), { ...where, field });
  }

  const content: ModelFileContent = { spec, tensors };
  if (metadata['producer'] !== undefined) content.producer = metadata['producer'];
  if (metadata['training'] !== undefined) {
    const t = trainingConfigSchema.safeParse(json('training'));
    if (!t.success) throw bad(describeZodError(t.error, 'training settings'), 'training');
    content.training = t.data;
  }
  if (metadata['normalization'] !== undefined) {
    const n = json('normalization');
    if (typeof n !== 'object' || n === null || !('mean' in n) || !('std' in n)) {
      throw bad('must be {"mean": [...], "std": [...]}', 'normalization');
    }
    const { mean, std } = n as { mean: unknown; std: unknown };
    content.normalization = checkNormalization(mean, std, spec.inputSize, (msg) => bad(msg, 'normalization'));
  }
  if (metadata['classNames'] !== undefined) {
    content.classNames = checkClassNames(json('classNames'), spec, (msg) => bad(msg, 'classNames'));
  }
  if (metadata['featureNames'] !== undefined) {
    content.featureNames = checkFeatureNames(json('featureNames'), spec, (msg) => bad(msg, 'featureNames'));
  }
  if (metadata['inputRange'] !== undefined) {
    content.inputRange = checkInputRange(json('inputRange'), (msg) => bad(msg, 'inputRange'));
  }
  const labelColumn = metadata['labelColumn'];
  if (labelColumn !== undefined) {
    if (labelColumn.trim() === '' || labelColumn.length > 1000) throw bad('must be a column name (1 to 1000 characters)', 'labelColumn');
    content.labelColumn = labelColumn;
  }
  checkTensors(tensors, spec, 'BAD_MODEL', where);
  return content;
}

const NO_DATA = new Float32Array(0);

/** The spec in a model's metadata when it is one a network can be built from, else null. */
function usableSpec(text: string | undefined): NetworkSpec | null {
  if (text === undefined) return null;
  try {
    return validateSpec(JSON.parse(text));
  } catch {
    return null;
  }
}

function checkTensors(
  tensors: Map<string, Tensor>,
  spec: NetworkSpec,
  code: 'BAD_MODEL' | 'INTERNAL',
  where: ErrorPlace,
): void {
  const list = expectedTensors(spec);
  const expected = new Map(list.map((t) => [t.name, t.shape]));
  for (const { name, shape, dtype } of list) {
    const t = tensors.get(name);
    if (!t) throw new StudioError(code, `tensor ${name} is missing; the network spec needs it with shape [${shape.join(', ')}]`, where);
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new StudioError(
        code,
        `tensor ${name} has shape [${t.shape.join(', ')}] but the network spec (input ${describeInput(spec)}, ` +
          `${describeLayers(spec)}) needs [${shape.join(', ')}]`,
        where,
      );
    }
    if ((t.dtype ?? 'F32') !== dtype) {
      throw new StudioError(code, `tensor ${name} is ${t.dtype ?? 'F32'}; the network spec needs ${dtype}`, where);
    }
  }
  for (const name of tensors.keys()) {
    if (!expected.has(name)) {
      throw new StudioError(code, `unexpected tensor ${name}: the network spec has no such parameter`, where);
    }
  }
}

function describeLayers(spec: NetworkSpec): string {
  return planLayers(spec).map((l) => (l.spec.kind === 'affine' ? String(l.spec.units) : l.token)).join('-');
}

function describeInput(spec: NetworkSpec): string {
  return spec.inputShape ? describeShape(spec.inputShape) : String(spec.inputSize);
}

function checkNormalization(
  mean: unknown,
  std: unknown,
  inputSize: number,
  bad: (msg: string) => StudioError,
): Normalization {
  const list = (v: unknown, what: string): Float32Array => {
    if (!(Array.isArray(v) || v instanceof Float32Array)) throw bad(`${what} must be a list of numbers`);
    const arr = Array.from(v as ArrayLike<unknown>);
    if (arr.length !== inputSize) throw bad(`${what} has ${arr.length} values; the network takes ${inputSize} inputs`);
    const i = arr.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (i >= 0) throw bad(`${what}[${i}] is ${JSON.stringify(arr[i])}, not a finite number`);
    return Float32Array.from(arr as number[]);
  };
  const m = list(mean, 'mean');
  const s = list(std, 'std');
  const z = s.findIndex((x) => !(x > 0) || !Number.isFinite(x));
  if (z >= 0) throw bad(`std[${z}] is ${s[z]}; a standard deviation used to divide must be positive`);
  return { mean: m, std: s };
}

function checkFeatureNames(v: unknown, spec: NetworkSpec, bad: (msg: string) => StudioError): string[] {
  if (!Array.isArray(v) || !v.every((c) => typeof c === 'string')) throw bad('must be a list of strings');
  if (v.length !== spec.inputSize) throw bad(`lists ${v.length} names but the network takes ${spec.inputSize} inputs`);
  return v as string[];
}

function checkInputRange(v: unknown, bad: (msg: string) => StudioError): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || v[0] > v[1]) {
    throw bad('must be [min, max], two finite numbers with min <= max');
  }
  return [v[0] as number, v[1] as number];
}

function checkClassNames(v: unknown, spec: NetworkSpec, bad: (msg: string) => StudioError): string[] {
  if (!Array.isArray(v) || !v.every((c) => typeof c === 'string')) throw bad('must be a list of strings');
  const names = v as string[];
  const outputs = outputSize(spec);
  if (spec.loss === 'softmax-cross-entropy' && names.length !== outputs) {
    throw bad(`lists ${names.length} classes but the network has ${outputs} outputs`);
  }
  const dup = names.find((c, i) => names.indexOf(c) !== i);
  if (dup !== undefined) throw bad(`class "${dup}" is listed twice`);
  return names;
}

/** A buffer (BatchNorm's running statistics) with its layer's name, as Network.namedBuffers() lists them. */
export interface NamedBufferRef {
  layer: string;
  buffer: LayerBuffer;
}

/**
 * Parameters and buffers as safetensors tensors in PyTorch's layouts: an Affine
 * weight [in, out] -> `fc1.weight` [out, in] (transposed), a Convolution weight as it
 * lies ([out, in·kh·kw] is [out, in, kh, kw] in memory), biases and BatchNorm vectors
 * [n], num_batches_tracked an I64 scalar. Copies; the network is untouched.
 */
export function tensorsFromParams(named: readonly NamedParamRef[], buffers: readonly NamedBufferRef[] = []): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const { layer, name, param } of named) {
    const v = param.value;
    const key = `${layer}.${name}`;
    const shape = [...paramFileShape(param)];
    if (param.transposed) {
      const data = new Float32Array(v.rows * v.cols);
      for (let i = 0; i < v.rows; i++) for (let o = 0; o < v.cols; o++) data[o * v.rows + i] = v.data[i * v.cols + o]!;
      out.set(key, { shape, data });
    } else {
      out.set(key, { shape, data: Float32Array.from(v.data) });
    }
  }
  for (const { layer, buffer } of buffers) {
    out.set(`${layer}.${buffer.name}`, { shape: [...buffer.fileShape], data: Float32Array.from(buffer.data), dtype: buffer.dtype });
  }
  return out;
}

/** The reverse of tensorsFromParams, into the network's own storage; every tensor must be used. */
export function loadTensorsIntoParams(
  tensors: Map<string, Tensor>,
  named: readonly NamedParamRef[],
  buffers: readonly NamedBufferRef[] = [],
): void {
  const used = new Set<string>();
  const take = (key: string, want: readonly number[]): Tensor => {
    const t = tensors.get(key);
    if (!t) throw new StudioError('SHAPE_MISMATCH', `the model has no tensor ${key} for this network`);
    if (t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i])) {
      throw new StudioError(
        'SHAPE_MISMATCH',
        `tensor ${key} has shape [${t.shape.join(', ')}], the network's parameter needs [${want.join(', ')}]`,
      );
    }
    used.add(key);
    return t;
  };
  for (const { layer, name, param } of named) {
    const v = param.value;
    const t = take(`${layer}.${name}`, paramFileShape(param));
    if (param.transposed) {
      for (let o = 0; o < v.cols; o++) for (let i = 0; i < v.rows; i++) v.data[i * v.cols + o] = t.data[o * v.rows + i]!;
    } else {
      v.data.set(t.data);
    }
  }
  for (const { layer, buffer } of buffers) buffer.data.set(take(`${layer}.${buffer.name}`, buffer.fileShape).data);
  for (const key of tensors.keys()) {
    if (!used.has(key)) throw new StudioError('SHAPE_MISMATCH', `tensor ${key} matches no parameter of this network`);
  }
}
