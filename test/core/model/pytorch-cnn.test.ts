import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../../core/network.js';
import { Matrix } from '../../../core/matrix.js';
import { Rng } from '../../../core/rng.js';
import { decodeModel, encodeModel, tensorsFromParams } from '../../../core/model/model-file.js';
import { imageSpec } from '../image-spec.js';

/**
 * A CNN model file is a PyTorch state dict: test/fixtures/torch_load_cnn.py (the
 * README's snippet) rebuilds the network from the spec in __metadata__, takes the
 * tensors with load_state_dict(strict=True), and must score inputs as the engine does.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.resolve(here, '../../fixtures/torch_load_cnn.py');
const PYTHON = '/usr/bin/python3';

const SPEC = imageSpec([2, 6, 6], [
  { kind: 'conv', filters: 3, size: 3, stride: 1, pad: 1 }, { kind: 'batchnorm' }, { kind: 'relu' }, { kind: 'pool', size: 2, stride: 2 },
  { kind: 'dropout', rate: 0.3 },
  { kind: 'conv', filters: 4, size: 2, stride: 1, pad: 0 }, { kind: 'tanh' },
  { kind: 'affine', units: 5 }, { kind: 'batchnorm' }, { kind: 'relu' },
  { kind: 'affine', units: 3 },
]);

function torchAvailable(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} is not there (${r.error.message})`;
  return r.status === 0 ? null : `${PYTHON} has no torch (${r.stderr.trim().split('\n').pop()})`;
}

describe('a CNN model file loads into PyTorch with load_state_dict(strict=True)', () => {
  it('names and layouts are PyTorch\'s, and the eval-mode scores match', (ctx) => {
    const network = buildNetwork(SPEC, { init: 'he', seed: 5 });
    // A few training steps so BatchNorm's running statistics and counters are not their defaults.
    const rng = new Rng(9);
    const x = Matrix.zeros(8, SPEC.inputSize);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
    const t = Int32Array.from({ length: 8 }, (_, i) => i % 3);
    for (let step = 0; step < 4; step++) {
      network.gradient(x, t);
      for (const p of network.params()) network.ops.sgdUpdate(p.value.data, p.grad.data, 0.05);
    }
    const bytes = encodeModel({ spec: network.spec, tensors: tensorsFromParams(network.namedParams(), network.namedBuffers()) });
    const back = decodeModel(bytes);
    expect([...back.tensors.keys()].sort()).toEqual([
      'bn1.bias', 'bn1.num_batches_tracked', 'bn1.running_mean', 'bn1.running_var', 'bn1.weight',
      'bn2.bias', 'bn2.num_batches_tracked', 'bn2.running_mean', 'bn2.running_var', 'bn2.weight',
      'conv1.bias', 'conv1.weight', 'conv2.bias', 'conv2.weight', 'fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight',
    ]);
    expect(back.tensors.get('conv1.weight')!.shape).toEqual([3, 2, 3, 3]);
    expect(back.tensors.get('conv2.weight')!.shape).toEqual([4, 3, 2, 2]);
    expect(back.tensors.get('fc1.weight')!.shape).toEqual([5, 4 * 2 * 2]);
    expect(back.tensors.get('bn1.num_batches_tracked')).toEqual({ shape: [], data: Float32Array.from([4]), dtype: 'I64' });

    const missing = torchAvailable();
    if (missing) {
      console.log(`pytorch-cnn: skipped the PyTorch half: ${missing}`);
      ctx.skip();
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'bps-torch-'));
    const model = path.join(dir, 'cnn.safetensors');
    const inputs = path.join(dir, 'x.json');
    writeFileSync(model, bytes);
    writeFileSync(inputs, JSON.stringify(x.toArrays()));
    const run = spawnSync(PYTHON, [SCRIPT, model, inputs], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const theirs = JSON.parse(run.stdout) as number[][];
    const ours = network.forward(x, false).toArrays();
    expect(theirs.length).toBe(8);
    theirs.flat().forEach((v, i) => expect(Math.abs(v - ours.flat()[i]!), `score ${i}`).toBeLessThan(1e-4));
  });
});
