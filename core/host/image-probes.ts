import { StudioError } from '../errors.js';
import { paramFileShape } from '../layers/types.js';
import type { Matrix } from '../matrix.js';
import type { CommandOf, EventOf, EventType } from '../protocol/messages.js';
import { needNetwork, samplesOf, type ProbeView } from './probes.js';

/**
 * The probes behind the inspector's image views: one sample's feature maps after
 * every image-shaped layer, and one layer's tensors (a Convolution's filters and
 * their gradients, BatchNorm's gamma, beta and running statistics). Each packs its
 * tensors into one Float32Array so the event transfers a single buffer.
 */

type Reply<T extends EventType> = Omit<EventOf<T>, 'id'>;

interface Slice {
  name: string;
  shape: number[];
  offset: number;
}

/** Collects copies of arrays and where each one starts. */
class Packer {
  private parts: Float32Array[] = [];
  private length = 0;
  readonly slices: Slice[] = [];
  add(name: string, shape: readonly number[], data: ArrayLike<number>): Slice {
    const slice = { name, shape: [...shape], offset: this.length };
    this.parts.push(Float32Array.from(data));
    this.length += data.length;
    this.slices.push(slice);
    return slice;
  }
  values(): Float32Array {
    const out = new Float32Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/**
 * Forward one sample in inference mode (BatchNorm uses its running statistics,
 * Dropout passes everything) and keep each output that is an image. Between slices
 * of a run the layers' forward caches are free: the next training step overwrites them.
 */
export function featureMaps(v: ProbeView, cmd: CommandOf<'featureMaps'>): Reply<'featureMapsResult'> {
  const network = needNetwork(v, 'show feature maps');
  const input = network.inputShape;
  if (input.length !== 3) {
    throw new StudioError('BAD_USAGE', 'featureMaps: the network takes flat features, not images; give the data an input shape (channels x height x width)', { field: 'sampleIndex' });
  }
  const s = samplesOf(v, network, cmd.set, [cmd.sampleIndex], 'show feature maps');
  const packer = new Packer();
  const maps: (Slice & { kind: string })[] = [];
  try {
    maps.push({ ...packer.add('input', input, s.x.data), kind: 'input' });
    let x: Matrix = s.x;
    for (const layer of network.layers) {
      x = layer.forward(x, false);
      if (layer.outputShape.length === 3) maps.push({ ...packer.add(layer.name, layer.outputShape, x.data), kind: layer.kind });
    }
    return { type: 'featureMapsResult', set: cmd.set, sampleIndex: cmd.sampleIndex, label: s.t[0]!, maps, values: packer.values(), iteration: v.iteration };
  } finally {
    s.free();
  }
}

export function layerTensors(v: ProbeView, cmd: CommandOf<'layerTensors'>): Reply<'layerTensorsResult'> {
  const network = needNetwork(v, 'read a layer');
  const layer = network.layers.find((l) => l.name === cmd.layer);
  if (!layer) {
    throw new StudioError('BAD_USAGE', `layerTensors: no layer named '${cmd.layer}'; the layers are ${network.layers.map((l) => l.name).join(', ')}`, { field: 'layer' });
  }
  const packer = new Packer();
  for (const p of layer.params) {
    // Affine keeps [in, out] (the engine's layout, as inspect gives it); the others are stored as PyTorch's.
    const shape = p.transposed ? [p.value.rows, p.value.cols] : paramFileShape(p);
    packer.add(p.name, shape, p.value.data);
    packer.add(`${p.name}.grad`, shape, p.grad.data);
  }
  for (const b of layer.buffers ?? []) if (b.dtype === 'F32') packer.add(b.name, b.fileShape, b.data);
  // The filters before training (as the network was built or opened), for the book's before/after figure.
  const start = v.startWeights.get(layer.name);
  const weight = layer.params.find((p) => p.name === 'weight');
  if (start && weight && !weight.transposed) packer.add('weight.start', paramFileShape(weight), start);
  return { type: 'layerTensorsResult', layer: layer.name, kind: layer.kind, tensors: packer.slices, values: packer.values(), iteration: v.iteration };
}
