import { LIMITS, type LayerSpec, type NetworkSpec } from '../../../core/spec.js';

/**
 * What the network editor shows and checks, computed from the spec and the data
 * alone (no engine round-trip), so every edit is explained as you type.
 */

/** The parts of a loaded data set that decide whether a network fits it. */
export interface DataShape {
  features: number;
  classes: number;
  imageShape?: readonly [number, number];
}

export interface LayerRow {
  index: number;
  spec: LayerSpec;
  /** "fc1", "relu1": the names the engine and the model file use. */
  name: string;
  /** Width of this layer's output (batch x width). */
  outUnits: number;
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

const KIND_LABEL: Record<LayerSpec['kind'], string> = { affine: 'Affine', relu: 'ReLU', sigmoid: 'Sigmoid', tanh: 'Tanh' };

export function layerLabel(spec: LayerSpec): string {
  return spec.kind === 'affine' ? `Affine (${spec.units})` : KIND_LABEL[spec.kind];
}

export function kindLabel(kind: LayerSpec['kind']): string {
  return KIND_LABEL[kind];
}

/** PyTorch-style names as the engine gives them: fc1, fc2 for Affine; relu1, tanh2 per kind. */
export function layerNames(layers: readonly LayerSpec[]): string[] {
  const counts = new Map<string, number>();
  return layers.map((l) => {
    const key = l.kind === 'affine' ? 'fc' : l.kind;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    return `${key}${n}`;
  });
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
    } else {
      const prev = spec.layers[index - 1];
      if (prev && prev.kind !== 'affine') row.warning = `Two activations in a row: ${kindLabel(prev.kind)} then ${kindLabel(l.kind)} adds no capacity.`;
      else if (index === 0) row.warning = 'An activation on the raw inputs is unusual; start with an Affine layer.';
    }
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
