import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../../core/protocol/messages.js';
import { harnessPerTest, TRAINING, csvBytes, type Harness } from './harness.js';

const harness = harnessPerTest();

/** 40 images of 1x4x4: class "bright" lights the left half, "dark" the right. */
function imagesCsv(): string {
  const head = [...Array.from({ length: 16 }, (_, i) => `p${i}`), 'label'].join(',');
  const rows = Array.from({ length: 40 }, (_, r) => {
    const left = r % 2 === 0;
    const px = Array.from({ length: 16 }, (_, i) => (((i % 4 < 2) === left ? 1 : 0) + ((r * 7 + i) % 5) * 0.01).toFixed(2));
    return [...px, left ? 'bright' : 'dark'].join(',');
  });
  return [head, ...rows].join('\n') + '\n';
}

const SPEC = {
  inputSize: 16,
  inputShape: [1, 4, 4],
  layers: [{ kind: 'conv', filters: 2, size: 3, stride: 1, pad: 0 }, { kind: 'batchnorm' }, { kind: 'relu' }, { kind: 'affine', units: 2 }],
};

async function ready(h: Harness): Promise<void> {
  await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, batchSize: 10, epochs: 2 } });
  await h.ok({ type: 'loadData', name: 'images.csv', bytes: csvBytes(imagesCsv()), options: { standardize: false, testSplit: 0.25 } });
  const done = h.next('done');
  await h.ok({ type: 'start' });
  await done;
}

async function reply<T extends 'featureMapsResult' | 'layerTensorsResult'>(h: Harness, cmd: Record<string, unknown> & { type: string }, type: T): Promise<EventOf<T>> {
  const ev = (await h.ok(cmd)).find((e) => e.type === type);
  if (!ev) throw new Error(`${cmd.type} sent no ${type}`);
  return ev as EventOf<T>;
}

describe('image probes (the inspector of image layers)', () => {
  it('featureMaps: the sample and every image-shaped output, in one array; ReLU is max(0, its input)', async () => {
    const h = harness();
    await ready(h);
    const r = await reply(h, { type: 'featureMaps', set: 'test', sampleIndex: 3 }, 'featureMapsResult');
    expect(r.maps.map((m) => [m.name, m.kind, m.shape.join('x'), m.offset])).toEqual([
      ['input', 'input', '1x4x4', 0],
      ['conv1', 'conv', '2x2x2', 16],
      ['bn1', 'batchnorm', '2x2x2', 24],
      ['relu1', 'relu', '2x2x2', 32],
    ]);
    expect(r.values).toHaveLength(40);
    const bn = r.values.subarray(24, 32);
    const relu = r.values.subarray(32, 40);
    expect(Array.from(relu)).toEqual(Array.from(bn, (v) => Math.max(0, v)));
  });

  it('layerTensors: a Convolution filters in PyTorch shape with their gradients; BatchNorm gamma, beta and running statistics', async () => {
    const h = harness();
    await ready(h);
    const conv = await reply(h, { type: 'layerTensors', layer: 'conv1' }, 'layerTensorsResult');
    expect(conv.tensors.map((t) => `${t.name} ${t.shape.join('x')} @${t.offset}`)).toEqual([
      'weight 2x1x3x3 @0', 'weight.grad 2x1x3x3 @18', 'bias 2 @36', 'bias.grad 2 @38', 'weight.start 2x1x3x3 @40',
    ]);
    expect(conv.values.subarray(18, 36).some((v) => v !== 0)).toBe(true);
    const bn = await reply(h, { type: 'layerTensors', layer: 'bn1' }, 'layerTensorsResult');
    expect(bn.tensors.map((t) => t.name)).toEqual(['weight', 'weight.grad', 'bias', 'bias.grad', 'running_mean', 'running_var']);
    const varAt = bn.tensors.find((t) => t.name === 'running_var')!.offset;
    // Running variances moved from their start of 1 over the epochs.
    expect(Array.from(bn.values.subarray(varAt, varAt + 2)).every((v) => v > 0 && v !== 1)).toBe(true);
  });

  it('layerTensors keeps a Convolution\'s filters as built ("before training") through training, a reset and a new network', async () => {
    const h = harness();
    await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, batchSize: 10, epochs: 2 } });
    const filters = async (): Promise<{ now: number[]; start: number[] }> => {
      const r = await reply(h, { type: 'layerTensors', layer: 'conv1' }, 'layerTensorsResult');
      const at = (name: string) => r.tensors.find((t) => t.name === name)!.offset;
      return { now: Array.from(r.values.subarray(at('weight'), at('weight') + 18)), start: Array.from(r.values.subarray(at('weight.start'), at('weight.start') + 18)) };
    };
    const built = await filters();
    expect(built.start).toEqual(built.now);
    await h.ok({ type: 'loadData', name: 'images.csv', bytes: csvBytes(imagesCsv()), options: { standardize: false, testSplit: 0.25 } });
    const done = h.next('done');
    await h.ok({ type: 'start' });
    await done;
    const trained = await filters();
    expect(trained.now).not.toEqual(built.now);
    expect(trained.start).toEqual(built.now);
    // New weights (another seed): their own starting filters.
    await h.ok({ type: 'resetWeights', seed: 9 });
    const reset = await filters();
    expect(reset.start).toEqual(reset.now);
    expect(reset.start).not.toEqual(built.start);
  });

  it('names the layers when asked for one that does not exist', async () => {
    const h = harness();
    await ready(h);
    await expect(h.ok({ type: 'layerTensors', layer: 'conv9' })).rejects.toThrow(/no layer named 'conv9'; the layers are conv1, bn1, relu1, fc1/);
  });
});
