import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../core/model/model-file.js';
import { cli, failsWith, jsonLines, tempDir, writeBlobsCsv, writeIdxPair } from './helpers.js';

/** The CLI's convolutional networks: layer tokens, input shapes, spec files, fine-tuning, gradcheck. */
describe('train with layer tokens', () => {
  it('learns 6x6 IDX images with conv, BatchNorm, pool and Dropout, and saves the spec with its input shape', async () => {
    const dir = tempDir();
    writeIdxPair(dir, 'train', 90, 1);
    writeIdxPair(dir, 't10k', 30, 2);
    const run = await cli(dir, 'train', 'train-images-idx3-ubyte.gz', '--test', 't10k-images-idx3-ubyte.gz',
      '--layers', 'conv4x3p1,bn,relu,pool2,dropout0.2,fc3', '--optimizer', 'adam', '--lr', '0.01', '--init', 'he',
      '--batch', '10', '--epochs', '4', '--weight-decay', '0.001', '--out', 'cnn.safetensors', '--json');
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    const done = jsonLines(run).at(-1)!;
    expect(done.testAccuracy).toBeGreaterThan(0.9);
    const model = decodeModel(readFileSync(join(dir, 'cnn.safetensors')));
    expect(model.spec.inputShape).toEqual([1, 6, 6]);
    expect(model.spec.layers).toEqual([
      { kind: 'conv', filters: 4, size: 3, stride: 1, pad: 1 }, { kind: 'batchnorm' }, { kind: 'relu' },
      { kind: 'pool', size: 2 }, { kind: 'dropout', rate: 0.2 }, { kind: 'affine', units: 3 },
    ]);
    expect(model.training?.weightDecay).toBe(0.001);
    expect(model.tensors.get('conv1.weight')!.shape).toEqual([4, 1, 3, 3]);
    expect(model.tensors.get('bn1.num_batches_tracked')!.data[0]).toBe(36);

    // eval reads the model back, BatchNorm's running statistics included.
    const evaluated = await cli(dir, 'eval', 'cnn.safetensors', 't10k-images-idx3-ubyte.gz', '--json');
    expect(evaluated.code).toBe(0);
    expect(jsonLines(evaluated).at(-1)!.accuracy).toBe(done.testAccuracy);

    // --init-from continues from the saved weights: one more epoch starts where the last left off.
    const more = await cli(dir, 'train', 'train-images-idx3-ubyte.gz', '--layers', 'conv4x3p1,bn,relu,pool2,dropout0.2,fc3',
      '--init-from', 'cnn.safetensors', '--optimizer', 'adam', '--lr', '0.001', '--epochs', '1', '--batch', '10', '--json');
    expect(more.code).toBe(0);
    expect(jsonLines(more).at(-1)!.trainAccuracy).toBeGreaterThan(0.9);
  });

  it('a spec file and --input-shape for CSV rows', async () => {
    const dir = tempDir();
    const rows = ['label,' + Array.from({ length: 16 }, (_, i) => `p${i}`).join(',')];
    for (let i = 0; i < 40; i++) rows.push(`${i % 2},` + Array.from({ length: 16 }, (_, p) => ((p < 8) === (i % 2 === 0) ? 1 : 0) + 0.1 * (p % 3)).join(','));
    writeFileSync(join(dir, 'img.csv'), rows.join('\n') + '\n');
    writeFileSync(join(dir, 'net.json'), JSON.stringify({ layers: [{ kind: 'conv', filters: 2, size: 3, pad: 1 }, { kind: 'relu' }, { kind: 'flatten' }, { kind: 'affine', units: 2 }] }));
    const run = await cli(dir, 'train', 'img.csv', '--label', 'label', '--spec', 'net.json', '--input-shape', '1x4x4',
      '--epochs', '3', '--batch', '8', '--out', 'm.safetensors', '--json');
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    expect(decodeModel(readFileSync(join(dir, 'm.safetensors'))).spec.inputShape).toEqual([1, 4, 4]);
    expect(await failsWith(dir, 2, 'train', 'img.csv', '--label', 'label', '--layers', 'conv2x3,fc2', '--input-shape', '1x4x5')).toBe(
      'backprop-studio: --input-shape 1x4x5 holds 20 values, but each sample has 16',
    );
  });

  it('a bad spec file is one line naming the file, line, column and field', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 20, 1);
    const spec = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return name;
    };
    const fails = (file: string): Promise<string> => failsWith(dir, 1, 'train', 'blobs.csv', '--spec', file);
    expect(await fails(spec('comma.json', '{\n  "layers": [\n    {"kind": "affine", "units": 3},\n  ]\n}\n'))).toBe(
      "backprop-studio: comma.json:4:3: not valid JSON: a comma before ']' (JSON allows no trailing comma)",
    );
    expect(await fails(spec('string.json', '{\n  "layers": [\n    {"kind": "affine", "units": "3"}\n  ]\n}\n'))).toBe(
      'backprop-studio: string.json:3:33: field layers[0].units: Invalid input: expected number, received string',
    );
    expect(await fails(spec('kind.json', '{"layers": [{"kind": "affine", "units": 4},\n  {"kind": "fc", "units": 2}]}'))).toBe(
      'backprop-studio: kind.json:2:12: field layers[1].kind: "fc" is not a layer kind; the kinds are affine, relu, sigmoid, tanh, conv, pool, flatten, batchnorm, dropout',
    );
    expect(await fails(spec('array.json', '[{"kind": "affine", "units": 2}]'))).toBe(
      'backprop-studio: array.json:1:1: must be a JSON object with "layers": [{"kind": ...}, ...]',
    );
  });

  it('a bad token or an impossible shape is one line naming the token and the shapes', async () => {
    const dir = tempDir();
    writeIdxPair(dir, 'train', 30, 1);
    const train = ['train', 'train-images-idx3-ubyte.gz'];
    expect(await failsWith(dir, 2, ...train, '--layers', 'conv4x3,relu,poool2,fc3')).toBe(
      "backprop-studio: --layers: 'poool2' (layer 3) is not a layer; the tokens are fc<units>, relu, sigmoid, tanh, " +
        'conv<filters>x<size>[s<stride>][p<pad>], pool<size>[s<stride>], flatten, bn, dropout<rate>',
    );
    expect(await failsWith(dir, 2, ...train, '--layers', 'conv4x7,fc3')).toBe(
      'backprop-studio: --layers conv4x7,fc3 with input 1x6x6: layer 1 (conv4x7) on input 1x6x6: kernel 7x7 is larger than its input 1x6x6',
    );
    expect(await failsWith(dir, 2, ...train, '--layers', 'conv4x3,pool5,fc3')).toBe(
      'backprop-studio: --layers conv4x3,pool5,fc3 with input 1x6x6: layer 2 (pool5) on input 4x4x4: pool window 5x5 is larger than its input 4x4x4',
    );
    expect(await failsWith(dir, 2, ...train, '--layers', 'conv4x3,fc5')).toBe(
      'backprop-studio: --layers ends with 5 outputs, but the data has 3 classes (0, 1, 2)',
    );
    expect(await failsWith(dir, 2, ...train, '--layers', Array(70).fill('relu').join(','))).toBe(
      'backprop-studio: --layers: 70 layers is over the limit of 64',
    );
  });
});

describe('gradcheck with layer tokens', () => {
  it('checks a convolutional network with BatchNorm, overlapping pools and weight decay', async () => {
    const run = await cli(tempDir(), 'gradcheck', '--layers', 'conv2x3s2p1,bn,tanh,pool2s1,fc3', '--input-shape', '1x7x7',
      '--batch', '4', '--weight-decay', '0.1', '--init', 'he', '--json');
    expect(run.code).toBe(0);
    const rows = jsonLines(run);
    expect(rows.filter((r) => r.event === 'gradcheck').map((r) => r.name)).toEqual([
      'conv1.weight', 'conv1.bias', 'bn1.weight', 'bn1.bias', 'fc1.weight', 'fc1.bias',
    ]);
    expect(rows.at(-1)).toEqual({ event: 'done', ok: true, threshold: 0.000001 });
  });
});
