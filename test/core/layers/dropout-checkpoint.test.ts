import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../../core/network.js';
import { Trainer } from '../../../core/trainer.js';
import { Rng } from '../../../core/rng.js';
import { trainingConfigSchema } from '../../../core/spec.js';
import type { Dataset } from '../../../core/data/dataset.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../../core/host/checkpoint-codec.js';
import { imageSpec } from '../image-spec.js';

/**
 * Dropout draws its masks from the network's own seeded stream and BatchNorm keeps
 * running statistics: both are part of a checkpoint, so a run stopped and resumed
 * anywhere ends bit for bit where the uninterrupted run does.
 */
const SPEC = imageSpec([1, 5, 5], [
  { kind: 'conv', filters: 2, size: 3, stride: 1, pad: 1 }, { kind: 'batchnorm' }, { kind: 'relu' }, { kind: 'pool', size: 2, stride: 1 },
  { kind: 'dropout', rate: 0.5 }, { kind: 'affine', units: 6 },
  { kind: 'dropout', rate: 0.2 }, { kind: 'affine', units: 3 },
]);

function images(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(count * 25);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 3;
    for (let j = 0; j < 25; j++) x[i * 25 + j] = rng.normal() + labels[i]! * (j % 3 === 0 ? 1 : 0);
  }
  return { count, features: 25, x, scale: 1, labels, classNames: ['a', 'b', 'c'] };
}

const config = trainingConfigSchema.parse({ optimizer: 'adam', learningRate: 0.01, batchSize: 8, epochs: 3, seed: 4, init: 'he', weightDecay: 0.001 });

function fresh(train: Dataset): Trainer {
  return new Trainer({ network: buildNetwork(SPEC, { init: config.init, seed: config.seed }), train, config });
}

function state(t: Trainer): number[] {
  return [
    ...t.network.params().flatMap((p) => Array.from(p.value.data)),
    ...t.network.namedBuffers().flatMap((b) => Array.from(b.buffer.data)),
  ];
}

describe('Dropout and BatchNorm in checkpoints', () => {
  it('a run resumed from a mid-epoch checkpoint ends bit for bit where the uninterrupted run does', () => {
    const train = images(60, 2);
    const whole = fresh(train);
    whole.run();

    const first = fresh(train);
    for (let i = 0; i < 11; i++) {
      const s = first.step();
      if (s.epochEnded) first.finishEpoch();
    }
    // Through the codec the desktop app keeps checkpoints in (crash restore).
    const cp = decodeCheckpoint(encodeCheckpoint(first.checkpoint()));
    expect(cp.buffers!.map((b) => b.name)).toEqual(['bn1.running_mean', 'bn1.running_var', 'bn1.num_batches_tracked']);
    const resumed = fresh(train);
    resumed.restore(cp);
    resumed.run();
    expect(state(resumed)).toEqual(state(whole));
  });

  it('the same seed drops the same values; another seed drops others', () => {
    const train = images(30, 3);
    const a = fresh(train), b = fresh(train);
    a.run();
    b.run();
    expect(state(a)).toEqual(state(b));
    const other = new Trainer({ network: buildNetwork(SPEC, { init: config.init, seed: config.seed }), train, config: { ...config, seed: 5 } });
    // Same initial weights (built with seed 4) but the shuffle differs; masks come from the network's stream.
    other.run();
    expect(state(other)).not.toEqual(state(a));
  });

  it('Dropout is the identity in evaluation and scales kept values by 1/(1-rate) in training', () => {
    const net = buildNetwork({ inputSize: 1000, layers: [{ kind: 'dropout', rate: 0.25 }, { kind: 'affine', units: 2 }], loss: 'softmax-cross-entropy' });
    const drop = net.layers[0]!;
    const x = net.ops.alloc(1, 1000);
    x.data.fill(2);
    expect(Array.from(drop.forward(x, false).data)).toEqual(Array.from(x.data));
    const y = Array.from(drop.forward(x, true).data);
    expect(new Set(y)).toEqual(new Set([0, 2 / 0.75].map(Math.fround)));
    const kept = y.filter((v) => v !== 0).length;
    expect(kept).toBeGreaterThan(700);
    expect(kept).toBeLessThan(800);
  });
});
