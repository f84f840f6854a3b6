import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPytorchProject } from '../../../core/export/pytorch/project.js';
import { decodeModel, loadTensorsIntoParams } from '../../../core/model/model-file.js';
import { buildNetwork } from '../../../core/network.js';
import { evaluateDataset, predictDataset } from '../../../core/trainer.js';
import { applyNormalization } from '../../../core/data/prepare.js';
import type { ModelFileContent } from '../../../core/model/model-file.js';
import type { Dataset } from '../../../core/data/dataset.js';
import { IRIS_CSV, irisDataset, mnistIdx, trainModel } from './fixtures.js';
import { missingPython, PYTHON, runPython } from './python.js';

/**
 * The exported PyTorch project, run with Debian's PyTorch: model.py loads the
 * studio's weights strictly and predicts what the engine predicts; train.py trains
 * on the studio's data files, one process or two under torchrun, prints the
 * studio's epoch lines and writes a model file the studio opens again.
 */

const noTorch = missingPython('torch');
if (noTorch) console.log(`PyTorch project checks skipped: ${noTorch}`);

function writeProject(content: ModelFileContent): string {
  const dir = mkdtempSync(join(tmpdir(), 'bps-torch-'));
  for (const [name, bytes] of exportPytorchProject(content)) writeFileSync(join(dir, name), bytes);
  return dir;
}

interface EpochLine {
  event: 'epoch';
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number | null;
  testLoss: number | null;
  seconds: number;
}

function trainPy(dir: string, args: string[], processes = 1): { epochs: EpochLine[]; done: Record<string, unknown> } {
  // --redirects/--tee 2: Debian's torchrun (PyTorch 1.13 on Python 3.11) fails on its default of 0 (see the project README).
  const launcher = processes === 1 ? [] : ['-m', 'torch.distributed.run', '--standalone', `--nproc_per_node=${processes}`, '--redirects=2', '--tee=2'];
  const r = spawnSync(PYTHON, [...launcher, 'train.py', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`train.py exited ${r.status}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { epochs: lines.filter((l) => l['event'] === 'epoch') as unknown as EpochLine[], done: lines.find((l) => l['event'] === 'done')! };
}

/** The studio's view of a model file: its accuracy on a data set (standardized as the model says). */
function studioAccuracy(file: string, data: Dataset): number {
  const content = decodeModel(readFileSync(file), file);
  const network = buildNetwork(content.spec);
  loadTensorsIntoParams(content.tensors, network.namedParams());
  return evaluateDataset(network, content.normalization ? applyNormalization(data, content.normalization) : data).accuracy;
}

function writeDigits(dir: string, name: string, perClass: number, offset: number): Dataset {
  const d = mnistIdx(perClass, offset);
  writeFileSync(join(dir, `${name}-images-idx3-ubyte`), d.images);
  writeFileSync(join(dir, `${name}-labels-idx1-ubyte`), d.labels);
  return d.dataset;
}

describe.skipIf(noTorch)('PyTorch project', () => {
  const iris = irisDataset();
  const irisModel = trainModel(
    iris,
    { inputSize: 4, layers: [{ kind: 'affine', units: 12 }, { kind: 'relu' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' },
    { optimizer: 'sgd', learningRate: 0.1, batchSize: 150, epochs: 1, init: 'xavier', seed: 4 },
    { standardize: true },
  );

  it('model.py loads model.safetensors with strict names and predicts what the engine predicts', () => {
    const dir = writeProject(irisModel.content);
    writeFileSync(join(dir, 'iris.csv'), readFileSync(IRIS_CSV));
    const out = runPython(
      'import json, torch\nfrom model import load_model\nfrom data import load_data\n' +
        'net, meta = load_model("model.safetensors")\nx, y = load_data("iris.csv", meta)\n' +
        'print(json.dumps({"keys": sorted(net.state_dict()), "y": y.tolist(), "p": net.predict(torch.from_numpy(x)).ravel().tolist()}))',
      dir,
    );
    const { keys, y, p } = JSON.parse(out) as { keys: string[]; y: number[]; p: number[] };
    expect(keys).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
    expect(y).toEqual(Array.from(iris.labels));
    const want = predictDataset(irisModel.network, irisModel.prepared);
    expect(p.length).toBe(want.length);
    for (let i = 0; i < p.length; i++) expect(Math.abs(p[i]! - want[i]!)).toBeLessThan(1e-5);
  });

  it('train.py continues like the CLI: 20 full-batch SGD steps give the same losses (1e-4 relative)', async () => {
    // The studio's run: epoch 1 is the start (saved), epochs 2..21 are 20 more steps of one batch each.
    const { cli, tempDir } = await import('../../cli/helpers.js');
    const work = tempDir();
    writeFileSync(join(work, 'iris.csv'), readFileSync(IRIS_CSV));
    const common = ['train', 'iris.csv', '--layers', '8,3', '--batch', '150', '--lr', '0.2', '--seed', '9', '--init', 'xavier', '--standardize', '--json'];
    const start = await cli(work, ...common, '--epochs', '1', '--out', 'start.safetensors');
    expect(start.code).toBe(0);
    const full = await cli(work, ...common, '--epochs', '21');
    const studio = full.out.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['event'] === 'epoch').slice(1);
    expect(studio).toHaveLength(20);

    const dir = writeProject(decodeModel(readFileSync(join(work, 'start.safetensors')), 'start.safetensors'));
    const torch = trainPy(dir, [join(work, 'iris.csv'), '--epochs', '20', '--no-shuffle', '--out', 'next.safetensors']);
    expect(torch.epochs).toHaveLength(20);
    torch.epochs.forEach((e, i) => {
      const s = studio[i]!;
      expect(Math.abs(e.loss - (s['loss'] as number)) / (s['loss'] as number), `step ${i + 1}`).toBeLessThan(1e-4);
      expect(e.trainAccuracy).toBe(s['trainAccuracy']);
    });
    expect(Object.keys(torch.epochs[0]!).sort()).toEqual(Object.keys(studio[0]!).sort());
    // The studio opens what train.py wrote, and measures what train.py reported.
    expect(studioAccuracy(join(dir, 'next.safetensors'), iris)).toBe(torch.done['trainAccuracy']);
  });

  it('torchrun with 2 processes (gloo, DistributedSampler) ends within 2 points of one process on 2,000 MNIST digits', () => {
    const digits = mnistIdx(200).dataset;
    const start = trainModel(
      digits,
      { inputSize: 784, layers: [{ kind: 'affine', units: 50 }, { kind: 'relu' }, { kind: 'affine', units: 10 }], loss: 'softmax-cross-entropy' },
      { optimizer: 'momentum', learningRate: 0.05, batchSize: 100, epochs: 1, init: 'he', seed: 1 },
    );
    const dir = writeProject(start.content);
    writeDigits(dir, 'train', 200, 0);
    const test = writeDigits(dir, 'test', 50, 200);
    const args = ['train-images-idx3-ubyte', '--test', 'test-images-idx3-ubyte', '--epochs', '4', '--batch', '100'];
    const one = trainPy(dir, [...args, '--out', 'one.safetensors']);
    const two = trainPy(dir, [...args, '--out', 'two.safetensors'], 2);
    const accOne = one.epochs.at(-1)!.testAccuracy!;
    const accTwo = two.epochs.at(-1)!.testAccuracy!;
    expect(accOne).toBeGreaterThan(0.8);
    expect(Math.abs(accOne - accTwo)).toBeLessThanOrEqual(0.02);
    expect(two.epochs).toHaveLength(4); // rank 0 alone prints
    expect(studioAccuracy(join(dir, 'two.safetensors'), test)).toBeCloseTo(accTwo, 10);
  }, 180_000);
});
