import { trainingConfigSchema, type LayerSpec, type NetworkSpec, type TrainingConfig } from '../../../../core/spec.js';
import { analyzeNetwork, defaultLayer, moveLayer, type DataShape } from '../network.js';
import { PRESETS, presetById, suggestedPreset, type Preset } from '../presets.js';
import { sameJson } from './same-json.js';

/**
 * The network and training settings the user is composing in the editor. The
 * engine holds what was last applied; RunControl applies the draft when it is
 * valid (`changed` tells it an edit happened).
 */

/** Classes of the set the studio opens with (three spiral arms). */
export const DEFAULT_CLASSES = 3;
export const DEFAULT_PRESET = presetById('small-2d');

export function defaultTraining(): TrainingConfig {
  return trainingConfigSchema.parse({ ...DEFAULT_PRESET.training, epochs: 60 });
}

/** Layers equal to a preset's (for some output size): the user has not customised them. */
function matchingPreset(layers: readonly LayerSpec[]): Preset | undefined {
  const last = layers[layers.length - 1];
  const classes = last && last.kind === 'affine' ? last.units : 0;
  return PRESETS.find((p) => sameJson(p.layers(classes), layers));
}

/** Index of the last Affine layer (the output layer), -1 when there is none. */
function outputIndex(layers: readonly LayerSpec[]): number {
  for (let i = layers.length - 1; i >= 0; i--) if (layers[i]!.kind === 'affine') return i;
  return -1;
}

export interface DraftContext {
  /** The loaded data's shape, undefined before any data. */
  dataShape: () => DataShape | undefined;
  /** Edits are refused while a run is under way (they are applied right away). */
  locked: () => boolean;
  /** Called after every edit. */
  changed: () => void;
}

export class NetworkDraft {
  layers = $state<LayerSpec[]>(DEFAULT_PRESET.layers(DEFAULT_CLASSES));
  inputSize = $state(2);
  training = $state<TrainingConfig>(defaultTraining());

  /** An opened model's own image shape (used while no data gives one). */
  ownInputShape = $state.raw<[number, number, number] | undefined>(undefined);

  /** C x H x W of the input when the data (or the opened model) says the samples are images of this size. */
  inputShape: [number, number, number] | undefined = $derived.by(() => {
    const s = this.ctx.dataShape()?.inputShape ?? this.ownInputShape;
    return s && s[0] * s[1] * s[2] === this.inputSize ? [s[0], s[1], s[2]] : undefined;
  });

  spec: NetworkSpec = $derived({
    inputSize: this.inputSize,
    ...(this.inputShape ? { inputShape: this.inputShape } : {}),
    layers: this.layers,
    loss: 'softmax-cross-entropy',
  });
  analysis = $derived.by(() => analyzeNetwork(this.spec, this.ctx.dataShape()));

  constructor(private readonly ctx: DraftContext) {}

  get locked(): boolean {
    return this.ctx.locked();
  }

  /** Plain copies for the engine (no reactive proxies). */
  snapshot(): { spec: NetworkSpec; training: TrainingConfig } {
    return { spec: $state.snapshot(this.spec) as NetworkSpec, training: $state.snapshot(this.training) as TrainingConfig };
  }

  /** Does the network's input and output fit data of this shape? */
  fits(features: number, classes: number): boolean {
    const out = this.layers[outputIndex(this.layers)];
    return this.inputSize === features && out?.kind === 'affine' && out.units === classes;
  }

  setLayers(layers: LayerSpec[]): void {
    if (this.locked) return;
    this.layers = layers;
    this.ctx.changed();
  }

  addLayer(spec: LayerSpec, at = this.layers.length): void {
    const next = [...this.layers];
    next.splice(at, 0, spec);
    this.setLayers(next);
  }

  /** A hidden Affine + activation inserted before the output layer. */
  addHiddenLayer(units = 32, activation: 'relu' | 'sigmoid' | 'tanh' = 'relu'): void {
    const out = outputIndex(this.layers);
    this.addLayer({ kind: activation }, out < 0 ? this.layers.length : out);
    this.addLayer({ kind: 'affine', units }, out < 0 ? this.layers.length - 1 : out);
  }

  removeLayer(index: number): void {
    this.setLayers(this.layers.filter((_, i) => i !== index));
  }

  moveLayer(index: number, delta: -1 | 1): void {
    this.setLayers(moveLayer(this.layers, index, delta));
  }

  setUnits(index: number, units: number): void {
    const l = this.layers[index];
    if (!l || l.kind !== 'affine') return;
    const next = [...this.layers];
    next[index] = { kind: 'affine', units };
    this.setLayers(next);
  }

  setKind(index: number, kind: LayerSpec['kind']): void {
    const next = [...this.layers];
    next[index] = kind === 'affine' ? { kind: 'affine', units: 32 } : defaultLayer(kind);
    this.setLayers(next);
  }

  /** One option of a layer (a Convolution's filters, a pool's stride, a Dropout's rate) from the kind's editor fields. */
  setOption(index: number, key: string, value: number): void {
    const l = this.layers[index];
    if (!l || !(key in defaultLayer(l.kind))) return;
    const next = [...this.layers];
    next[index] = { ...l, [key]: value } as LayerSpec;
    this.setLayers(next);
  }

  applyPreset(id: Preset['id']): void {
    if (this.locked) return;
    const p = presetById(id);
    const data = this.ctx.dataShape();
    const classes = data?.classes ?? (p.suits === 'images' ? 10 : DEFAULT_CLASSES);
    this.layers = p.layers(classes);
    this.training = trainingConfigSchema.parse({ ...$state.snapshot(this.training), ...p.training });
    if (data) this.inputSize = data.features;
    this.ctx.changed();
  }

  setTraining(patch: Partial<TrainingConfig>): void {
    this.training = { ...this.training, ...patch };
    this.ctx.changed();
  }

  /** Take a network as a whole (an opened model); no `changed`: the engine already holds it. */
  replace(spec: NetworkSpec, training: TrainingConfig): void {
    this.layers = spec.layers;
    this.inputSize = spec.inputSize;
    this.ownInputShape = spec.inputShape ? [spec.inputShape[0], spec.inputShape[1], spec.inputShape[2]] : undefined;
    this.training = training;
  }

  /** A fresh start (New model): the preset that suits the data, default training settings. */
  startOver(): void {
    const data = this.ctx.dataShape();
    const preset = suggestedPreset(!!data?.imageShape || (data?.features ?? 0) >= 256);
    this.training = defaultTraining();
    this.inputSize = data?.features ?? 2;
    this.layers = preset.layers(data?.classes ?? DEFAULT_CLASSES);
    this.training = trainingConfigSchema.parse({ ...$state.snapshot(this.training), ...preset.training });
  }

  /**
   * Set input and output sizes for the data; with `switchPreset`, an uncustomised
   * preset network becomes the preset that suits the kind of data (images or points).
   */
  adaptNetwork(switchPreset = true): void {
    const data = this.ctx.dataShape();
    if (!data) return;
    const preset = matchingPreset(this.layers);
    const suggested = suggestedPreset(!!data.imageShape || data.features >= 256);
    this.inputSize = data.features;
    if (switchPreset && preset && preset.suits !== suggested.suits) {
      this.applyPreset(suggested.id);
      return;
    }
    const idx = outputIndex(this.layers);
    if (idx < 0) this.layers = [...this.layers, { kind: 'affine', units: data.classes }];
    else this.layers[idx] = { kind: 'affine', units: data.classes };
    this.ctx.changed();
  }
}
