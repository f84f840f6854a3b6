import { LIMITS, type LayerSpec, type NetworkSpec } from '../../../core/spec.js';
import { LAYER_TABLE, kindEntry, layerNames as engineLayerNames, planLayers, type LayerKindEntry } from '../../../core/layers/registry.js';
import { shapeSize } from '../../../core/layers/shape.js';
import { errorMessage } from '../../../core/errors.js';

/**
 * What the network editor shows and checks, computed from the spec and the data
 * alone (no engine round-trip), so every edit is explained as you type.
 */

/** The parts of a loaded data set that decide whether a network fits it. */
export interface DataShape {
  features: number;
  classes: number;
  imageShape?: readonly [number, number];
  /** Channels x height x width when the samples are images (IDX/MNIST: 1 x H x W; a CSV given a shape). */
  inputShape?: readonly [number, number, number];
}

export interface LayerRow {
  index: number;
  spec: LayerSpec;
  /** "fc1", "relu1": the names the engine and the model file use. */
  name: string;
  /** Width of this layer's output (batch x width). */
  outUnits: number;
  /** One sample's output shape ([units] or [C, H, W]) from the engine's shape rules; undefined when unknown. */
  outShape?: readonly number[];
  params: number;
  /** Why this layer is wrong (blocks training) or suspicious (does not). */
  error?: string;
  warning?: string;
}

export interface NetworkAnalysis {
  rows: LayerRow[];
  inputSize: number;
  totalParams: number;
  /** First blocking problem, in words a user can act on; undefined when trainable. */
  problem?: string;
  /** Every blocking problem, not tied to one layer (e.g. input size). */
  globalErrors: string[];
  warnings: string[];
}

/** Every layer kind the editor can offer, with its label and option fields, from the engine's layer-kind table. */
export const LAYER_CHOICES: readonly LayerKindEntry[] = LAYER_TABLE as unknown as readonly LayerKindEntry[];

export function layerLabel(spec: LayerSpec): string {
  const e = kindEntry(spec) as unknown as LayerKindEntry<LayerSpec>;
  const values = e.fields.map((f) => (spec as unknown as Record<string, number | undefined>)[f.key]).filter((v) => v !== undefined);
  return values.length ? `${e.label} (${values.join(', ')})` : e.label;
}

export function kindLabel(kind: LayerSpec['kind']): string {
  return LAYER_CHOICES.find((e) => e.kind === kind)?.label ?? kind;
}

/** A new layer of `kind` with the table's defaults (what the editor inserts). */
export function defaultLayer(kind: LayerSpec['kind']): LayerSpec {
  return LAYER_CHOICES.find((e) => e.kind === kind)!.defaults() as LayerSpec;
}

/** PyTorch-style names as the engine gives them: fc1, fc2 for Affine; conv1, bn1, relu1 … per kind. */
export function layerNames(layers: readonly LayerSpec[]): string[] {
  return engineLayerNames(layers);
}

/** Output width per layer from the engine's shape rules, or the one-line reason the chain breaks. */
function chainWidths(spec: NetworkSpec): { widths: number[]; params: number[]; shapes: (readonly number[])[]; error?: { index: number; message: string } } {
  try {
    const plan = planLayers(spec);
    return { widths: plan.map((p) => shapeSize(p.output)), params: plan.map((p) => p.params), shapes: plan.map((p) => p.output) };
  } catch (e) {
    const field = (e as { where?: { field?: string } }).where?.field ?? '';
    const index = Number(/layers\[(\d+)\]/.exec(field)?.[1] ?? -1);
    // The row says which layer; keep the shapes and the reason ("on input 1x4x4: kernel 5x5 is larger than …").
    const message = errorMessage(e).replace(/^field [^:]*: /, '').replace(/^network spec: layer \d+ \([^)]*\) /, '').replace(/^on input/, 'On input');
    // The layers before the broken one still have their shapes and parameters.
    const before = index > 0 ? chainWidths({ ...spec, layers: spec.layers.slice(0, index) }) : null;
    return { widths: before?.widths ?? [], params: before?.params ?? [], shapes: before?.shapes ?? [], error: { index, message } };
  }
}

/** "N×30×24×24": a batch of one layer's outputs, as the editor shows it. */
export function batchShapeLabel(shape: readonly number[] | undefined): string {
  return shape && shape.every((d) => Number.isFinite(d)) ? ['N', ...shape].join('×') : 'N×?';
}

export function analyzeNetwork(spec: NetworkSpec, data: DataShape | undefined): NetworkAnalysis {
  const names = layerNames(spec.layers);
  const globalErrors: string[] = [];
  const warnings: string[] = [];
  const inputSize = spec.inputSize;

  if (data && data.features !== inputSize) {
    globalErrors.push(
      `The network takes ${inputSize} inputs but the data has ${data.features} features per sample.`,
    );
  }

  // Images loaded without a stated shape (IDX) are 1 x H x W, as the engine reads them.
  const image = !spec.inputShape && data?.imageShape && data.imageShape[0] * data.imageShape[1] === spec.inputSize
    ? ([1, data.imageShape[0], data.imageShape[1]] as [number, number, number])
    : undefined;
  const chain = chainWidths(image ? { ...spec, inputShape: image } : spec);
  if (chain.error && chain.error.index < 0) globalErrors.push(chain.error.message);
  const ACTIVATION_KINDS: readonly string[] = ['relu', 'sigmoid', 'tanh'];
  let width = inputSize;
  let total = 0;
  const rows: LayerRow[] = spec.layers.map((l, index) => {
    const row: LayerRow = { index, spec: l, name: names[index]!, outUnits: width, params: 0 };
    if (l.kind === 'affine') {
      const valid = Number.isInteger(l.units) && l.units >= 1;
      if (!valid) row.error = 'Units must be a whole number of at least 1.';
      else if (l.units > LIMITS.maxUnits) row.error = `At most ${LIMITS.maxUnits.toLocaleString('en-US')} units per layer.`;
      // An unfinished entry (empty box) shows as unknown downstream rather than as NaN.
      width = valid ? l.units : NaN;
      row.params = valid && Number.isFinite(row.outUnits) ? row.outUnits * l.units + l.units : 0;
      row.outUnits = width;
    } else if (ACTIVATION_KINDS.includes(l.kind)) {
      const prev = spec.layers[index - 1];
      if (prev && ACTIVATION_KINDS.includes(prev.kind)) row.warning = `Two activations in a row: ${kindLabel(prev.kind)} then ${kindLabel(l.kind)} adds no capacity.`;
      else if (index === 0) row.warning = 'An activation on the raw inputs is unusual; start with an Affine layer.';
    } else {
      // Image layers (conv, pool, flatten) and BatchNorm/Dropout: the engine's shape rules decide.
      if (chain.error?.index === index) row.error = chain.error.message;
      width = chain.widths[index] ?? NaN;
      row.params = chain.params[index] ?? 0;
      row.outUnits = width;
    }
    if (chain.shapes[index]) row.outShape = chain.shapes[index];
    else if (l.kind === 'affine' && Number.isFinite(row.outUnits)) row.outShape = [row.outUnits];
    total += Number.isFinite(row.params) ? row.params : 0;
    return row;
  });

  const affines = rows.filter((r) => r.spec.kind === 'affine');
  const lastAffine = affines[affines.length - 1];
  if (spec.layers.length === 0) {
    globalErrors.push('The network has no layers: add an Affine layer whose units equal the number of classes.');
  } else if (!lastAffine) {
    globalErrors.push('There is no output layer: add an Affine layer whose units equal the number of classes.');
  } else {
    const afterLast = rows.slice(lastAffine.index + 1);
    if (afterLast.length > 0) {
      afterLast[0]!.warning = `${kindLabel(afterLast[0]!.spec.kind)} after the output layer squashes the scores before Softmax; usually the network ends with Affine.`;
    }
    if (data && lastAffine.spec.kind === 'affine' && lastAffine.spec.units !== data.classes && !lastAffine.error) {
      lastAffine.error = `The output layer has ${lastAffine.spec.units} units but the data has ${data.classes} classes: set it to ${data.classes}.`;
    }
  }
  if (spec.layers.length > LIMITS.maxLayers) globalErrors.push(`At most ${LIMITS.maxLayers} layers.`);
  if (total > LIMITS.maxParams) {
    globalErrors.push(`${total.toLocaleString('en-US')} parameters is over the limit of ${LIMITS.maxParams.toLocaleString('en-US')}.`);
  }

  const layerErrors = rows.filter((r) => r.error).map((r) => `${r.name}: ${r.error}`);
  for (const r of rows) if (r.warning) warnings.push(`${r.name}: ${r.warning}`);
  const all = [...globalErrors, ...layerErrors];
  return { rows, inputSize, totalParams: total, problem: all[0], globalErrors, warnings };
}

/** Move a layer up (-1) or down (+1); returns a new array, or the same when it cannot move. */
export function moveLayer(layers: readonly LayerSpec[], index: number, delta: -1 | 1): LayerSpec[] {
  const to = index + delta;
  if (to < 0 || to >= layers.length) return [...layers];
  const out = [...layers];
  [out[index], out[to]] = [out[to]!, out[index]!];
  return out;
}
