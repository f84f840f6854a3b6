import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPytorchProject } from '../../../core/export/pytorch/project.js';
import { decodeModel, loadTensorsIntoParams } from '../../../core/model/model-file.js';
import { buildNetwork } from '../../../core/network.js';
import { Trainer } from '../../../core/trainer.js';
import { evaluateDataset, predictDataset } from '../../../core/evaluation.js';
import { createOptimizer } from '../../../core/optimizers.js';
import { createReferenceOps } from '../../../core/ops/reference.js';
import { Matrix } from '../../../core/matrix.js';
import { Rng } from '../../../core/rng.js';
import { OPTIMIZERS, trainingConfigSchema } from '../../../core/spec.js';
import { applyNormalization } from '../../../core/data/prepare.js';
import type { ModelFileContent } from '../../../core/model/model-file.js';
import type { Dataset } from '../../../core/data/dataset.js';
import { imageSpec } from '../image-spec.js';
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
  loadTensorsIntoParams(content.tensors, network.namedParams(), network.namedBuffers());
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

  it("data.py picks a label column by name as the studio does, and refuses a name two columns share", () => {
    const dir = writeProject(irisModel.content);
    const out = runPython(
      'import json\nfrom data import resolve_label_column, DataError\n' +
        'def pick(choice):\n    try:\n        return resolve_label_column(choice, None, ["x", "kind", "Kind", "kind"], 4, "t.csv")\n' +
        '    except DataError as e:\n        return str(e)\n' +
        'print(json.dumps([pick("x"), pick("X"), pick("kind"), pick("KIND"), pick("-1"), pick(None)]))',
      dir,
    );
    expect(JSON.parse(out)).toEqual([
      0,
      0,
      "t.csv: 2 columns are named 'kind' (columns 1, 3); give the column's index",
      "t.csv: 3 columns are named 'KIND' (columns 1, 2, 3); give the column's index",
      3,
      3,
    ]);
  });

  it('data.py refuses a quote that never closes at the line it opens on, as the studio does', () => {
    const dir = writeProject(irisModel.content);
    const rows = ['a,b,label', '1,2,0', '', '3,"4,1', ...Array.from({ length: 30 }, () => '5,6,1')].join('\n') + '\n';
    const out = runPython(
      'import json, sys\nfrom data import read_csv, DataError\n' +
        'def why(text):\n    try:\n        read_csv("t.csv", text.encode(), None, None)\n        return "read"\n' +
        '    except DataError as e:\n        return str(e)\n' +
        'print(json.dumps([why(t) for t in json.loads(sys.argv[1])]))',
      dir,
      [JSON.stringify([rows, 'a,b,label\n1,"x\ny",0\n3,4,1\n', 'a,b,label\n"1" ,2,0\n3,4,1\n'])],
    );
    expect(JSON.parse(out)).toEqual([
      't.csv:4: a quoted field opens here and its closing quote never comes (the file ends inside it)',
      // A record spanning lines is named by the line it starts on.
      "t.csv:2:2: 'x\\ny' is not a number",
      // A space after a closing quote is trimmed as the studio trims it.
      'read',
    ]);
  });

  it('train.py continues like the CLI from the same start: 20 --no-shuffle steps, the same losses within 1e-4 relative', async () => {
    const { cli, tempDir } = await import('../../cli/helpers.js');
    const work = tempDir();
    writeFileSync(join(work, 'iris.csv'), readFileSync(IRIS_CSV));
    const net = ['iris.csv', '--layers', '8,3', '--init', 'xavier', '--seed', '9', '--standardize', '--json'];
    expect((await cli(work, 'train', ...net, '--epochs', '1', '--batch', '150', '--lr', '0.2', '--out', 'start.safetensors')).code).toBe(0);
    const dir = writeProject(decodeModel(readFileSync(join(work, 'start.safetensors')), 'start.safetensors'));
    const epochLines = (out: string[]) => out.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['event'] === 'epoch');
    let worst = 0;
    const compare = (torch: EpochLine[], studio: Record<string, unknown>[]) => {
      expect(torch).toHaveLength(studio.length);
      torch.forEach((e, i) => {
        const loss = studio[i]!['loss'] as number;
        worst = Math.max(worst, Math.abs(e.loss - loss) / loss);
        expect(Math.abs(e.loss - loss) / loss, `epoch ${i + 1}`).toBeLessThan(1e-4);
        expect(e.trainAccuracy).toBe(studio[i]!['trainAccuracy']);
      });
      expect(Object.keys(torch[0]!).sort()).toEqual(Object.keys(studio[0]!).sort());
    };

    // Full batches: one step an epoch, so every one of the 20 steps' losses is compared (SGD).
    const fullStudio = await cli(work, 'train', ...net, '--init-from', 'start.safetensors', '--no-shuffle', '--batch', '150', '--lr', '0.2', '--epochs', '20');
    const fullTorch = trainPy(dir, [join(work, 'iris.csv'), '--batch', '150', '--lr', '0.2', '--epochs', '20', '--no-shuffle', '--out', 'full.safetensors']);
    compare(fullTorch.epochs, epochLines(fullStudio.out));

    // Mini-batches in file order: 5 steps an epoch, 20 steps of Adam (state from zero on both sides).
    const adam = ['--optimizer', 'adam', '--lr', '0.01', '--batch', '30', '--epochs', '4', '--no-shuffle'];
    const miniStudio = await cli(work, 'train', ...net, '--init-from', 'start.safetensors', ...adam);
    const miniTorch = trainPy(dir, [join(work, 'iris.csv'), ...adam, '--out', 'next.safetensors']);
    expect(miniTorch.done['iterations']).toBe(20);
    compare(miniTorch.epochs, epochLines(miniStudio.out));
    console.log(`train.py vs backprop-studio train: largest relative loss difference ${worst.toExponential(2)}`);
    // The studio opens what train.py wrote, and measures what train.py reported.
    expect(studioAccuracy(join(dir, 'next.safetensors'), iris)).toBe(miniTorch.done['trainAccuracy']);
  }, 120_000);

  it("optim.py's optimizers step exactly like the studio's (book formulas), all six, 5 steps", () => {
    const dir = writeProject(irisModel.content);
    const rng = new Rng(11);
    const w0 = Array.from({ length: 12 }, () => rng.normal());
    // Every third gradient is tiny, so the 1e-7 beside √h (PyTorch's own use 1e-8 or 1e-10) changes the step.
    const grads = Array.from({ length: 5 }, () => Array.from({ length: 12 }, (_, i) => rng.normal() * (i % 3 === 0 ? 1e-6 : 1)));
    const cases = OPTIMIZERS.map((optimizer) => {
      const training = trainingConfigSchema.parse({ optimizer, learningRate: 0.05, momentum: 0.8, decay: 0.9, beta1: 0.85, beta2: 0.99 });
      const value = new Matrix(3, 4, Float32Array.from(w0));
      const param = { name: 'weight' as const, value, grad: new Matrix(3, 4, new Float32Array(12)) };
      const studio = createOptimizer(training, createReferenceOps('f32'));
      for (const g of grads) {
        param.grad.data.set(g);
        studio.step([param]);
      }
      return { optimizer, training, studio: Array.from(value.data) };
    });
    // One Python process steps all six (importing torch takes seconds).
    const out = runPython(
      'import json, sys, torch\nfrom optim import create_optimizer\na = json.loads(sys.argv[1])\nresult = []\n' +
        'for c in a["cases"]:\n    w = torch.nn.Parameter(torch.tensor(a["w"], dtype=torch.float32))\n' +
        '    opt = create_optimizer(c["optimizer"], [w], c["training"])\n' +
        '    for g in a["grads"]:\n        w.grad = torch.tensor(g, dtype=torch.float32)\n        opt.step()\n' +
        '    result.append(w.detach().tolist())\nprint(json.dumps(result))',
      dir,
      [JSON.stringify({ w: w0, grads, cases })],
    );
    const torchW = JSON.parse(out) as number[][];
    cases.forEach(({ optimizer, studio }, k) => {
      torchW[k]!.forEach((v, i) => expect(Math.abs(v - studio[i]!), `${optimizer} w[${i}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));
    });
  });

  it('a CNN: model.py predicts like the engine, and 20 --no-shuffle steps follow the studio (1e-4 relative)', () => {
    const spec = imageSpec([1, 28, 28], [
      { kind: 'conv', filters: 4, size: 5, stride: 1, pad: 0 }, { kind: 'batchnorm' }, { kind: 'relu' }, { kind: 'pool', size: 2, stride: 2 },
      { kind: 'affine', units: 16 }, { kind: 'tanh' },
      { kind: 'affine', units: 10 },
    ]);
    const digits = mnistIdx(10).dataset; // 100 digits: batch 20 is 5 steps an epoch
    const config = { optimizer: 'momentum', learningRate: 0.05, batchSize: 20, epochs: 1, init: 'he', seed: 3, shuffle: false, weightDecay: 0.001 } as const;
    const start = trainModel(digits, spec, config);
    const dir = writeProject(start.content);
    writeDigits(dir, 'train', 10, 0);

    const out = runPython(
      'import json, torch\nfrom model import load_model\nfrom data import load_data\n' +
        'net, meta = load_model("model.safetensors")\nnet.eval()\nx, y = load_data("train-images-idx3-ubyte", meta)\n' +
        'print(json.dumps(net.predict(torch.from_numpy(x)).ravel().tolist()))',
      dir,
    );
    const p = JSON.parse(out) as number[];
    const want = predictDataset(start.network, digits);
    for (let i = 0; i < p.length; i++) expect(Math.abs(p[i]! - want[i]!)).toBeLessThan(1e-5);

    // The studio continues from the same file with a fresh optimizer, as train.py does.
    const network = buildNetwork(start.content.spec);
    loadTensorsIntoParams(start.content.tensors, network.namedParams(), network.namedBuffers());
    const studio = new Trainer({ network, train: digits, config: trainingConfigSchema.parse({ ...config, epochs: 4 }) }).run().epochs;
    const torch = trainPy(dir, ['train-images-idx3-ubyte', '--epochs', '4', '--no-shuffle', '--out', 'next.safetensors']);
    expect(torch.done['iterations']).toBe(20);
    torch.epochs.forEach((e, i) => {
      expect(Math.abs(e.loss - studio[i]!.trainLoss) / studio[i]!.trainLoss, `epoch ${i + 1}`).toBeLessThan(1e-4);
      expect(e.trainAccuracy).toBe(studio[i]!.trainAccuracy);
    });
    const next = decodeModel(readFileSync(join(dir, 'next.safetensors')), 'next.safetensors');
    expect(next.tensors.get('bn1.num_batches_tracked')!.data[0]).toBe(5 + 20); // the studio's 5 batches, then train.py's 20
    expect(studioAccuracy(join(dir, 'next.safetensors'), digits)).toBe(torch.done['trainAccuracy']);
  }, 120_000);

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
    console.log(`torchrun test: test accuracy ${accOne} with one process, ${accTwo} with two`);
    expect(accOne).toBeGreaterThan(0.8);
    expect(Math.abs(accOne - accTwo)).toBeLessThanOrEqual(0.02);
    expect(two.epochs).toHaveLength(4); // rank 0 alone prints
    expect(studioAccuracy(join(dir, 'two.safetensors'), test)).toBeCloseTo(accTwo, 10);
  }, 180_000);
});
