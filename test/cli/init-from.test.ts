import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../core/model/model-file.js';
import { cli, failsWith, jsonLines, tempDir, writeBlobsCsv } from './helpers.js';

/**
 * `train --init-from`: the saved model decides the network, the columns, the classes
 * and the scaling. At a learning rate of ~0 the continued run's training accuracy is
 * the model's own accuracy on that data, which `eval` (lining data up with the model
 * in its own way) computes independently.
 */
const STILL = ['--lr', '1e-30', '--epochs', '1', '--no-shuffle', '--json'];

async function trainedModel(dir: string, ...extra: string[]): Promise<void> {
  writeBlobsCsv(dir, 'blobs.csv', 90, 1);
  const run = await cli(dir, 'train', 'blobs.csv', '--layers', '8,3', '--activation', 'tanh', '--epochs', '15', '--out', 'a.safetensors', '--json', ...extra);
  expect(run.code).toBe(0);
}

async function evalAccuracy(dir: string, data: string): Promise<number> {
  const run = await cli(dir, 'eval', 'a.safetensors', data, '--json');
  expect(run.code).toBe(0);
  return jsonLines(run).at(-1)!.accuracy as number;
}

async function continuedAccuracy(dir: string, data: string, ...extra: string[]): Promise<number> {
  const run = await cli(dir, 'train', data, '--init-from', 'a.safetensors', ...STILL, ...extra);
  expect(run.err.filter((l) => !l.startsWith('warning')), run.err.join('\n')).toEqual([]);
  expect(run.code).toBe(0);
  return jsonLines(run).at(-1)!.trainAccuracy as number;
}

/** The blobs file with its columns in another order (label first, features reversed). */
function reordered(dir: string): string {
  const rows = readFileSync(join(dir, 'blobs.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  writeFileSync(join(dir, 'reordered.csv'), rows.map((r) => [r[4], r[3], r[2], r[1], r[0]].join(',')).join('\n') + '\n');
  return 'reordered.csv';
}

describe('train --init-from', () => {
  it("continues the model's own network without repeating its layers, and keeps its weights at lr ~0", async () => {
    const dir = tempDir();
    await trainedModel(dir, '--standardize');
    const a = decodeModel(readFileSync(join(dir, 'a.safetensors')));
    const run = await cli(dir, 'train', 'blobs.csv', '--init-from', 'a.safetensors', ...STILL, '--out', 'b.safetensors');
    expect(run.code).toBe(0);
    const b = decodeModel(readFileSync(join(dir, 'b.safetensors')));
    expect(b.spec).toEqual(a.spec); // 4-8-3 tanh, not the default 4-50-3 relu
    expect(b.normalization).toEqual(a.normalization); // the model's statistics, not new ones
    expect(b.classNames).toEqual(a.classNames);
    for (const [name, t] of a.tensors) expect(Array.from(b.tensors.get(name)!.data), name).toEqual(Array.from(t.data));
  });

  it('feeds the data as the model saw its own: stored standardization, columns by name, classes by name', async () => {
    const dir = tempDir();
    await trainedModel(dir, '--standardize');
    const own = await evalAccuracy(dir, 'blobs.csv');
    expect(own).toBeGreaterThan(0.9);
    // No --standardize given: the model's statistics apply all the same.
    expect(await continuedAccuracy(dir, 'blobs.csv')).toBe(own);
    // The same columns in another order (and the label first) are put back in the trained order.
    expect(await continuedAccuracy(dir, reordered(dir), '--label', 'kind')).toBe(own);
    // Only two of the three classes: each keeps the model's output for it.
    const rows = readFileSync(join(dir, 'blobs.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'two.csv'), [rows[0], ...rows.slice(1).filter((l) => !l.endsWith('alpha'))].join('\n') + '\n');
    expect(await continuedAccuracy(dir, 'two.csv')).toBe(await evalAccuracy(dir, 'two.csv'));
  });

  it("takes the model's optimizer settings unless the flags give others, as the exported train.py does", async () => {
    const dir = tempDir();
    await trainedModel(dir, '--optimizer', 'adam', '--lr', '0.01', '--batch', '30', '--weight-decay', '0.001', '--beta2', '0.99');
    const settings = async (...extra: string[]): Promise<string> => {
      const run = await cli(dir, 'train', 'blobs.csv', '--init-from', 'a.safetensors', '--epochs', '1', '--out', 'b.safetensors', ...extra);
      expect(run.code).toBe(0);
      return run.out.find((l) => l.startsWith('network:'))!;
    };
    expect(await settings()).toContain('adam lr 0.01, batch 30, 1 epochs, init from a.safetensors');
    expect(decodeModel(readFileSync(join(dir, 'b.safetensors'))).training).toMatchObject({ optimizer: 'adam', learningRate: 0.01, batchSize: 30, weightDecay: 0.001, beta2: 0.99 });
    expect(await settings('--optimizer', 'sgd', '--lr', '0.2')).toContain('sgd lr 0.2, batch 30');
  });

  it('refuses what the weights were not learned for, saying why', async () => {
    const dir = tempDir();
    await trainedModel(dir);
    expect(await failsWith(dir, 2, 'train', 'blobs.csv', '--init-from', 'a.safetensors', '--layers', '8,3')).toBe(
      "backprop-studio: --init-from a.safetensors: the model's network is 4-8-3 (tanh), the flags name 4-8-3 (relu); " +
        "leave out --layers and --spec to continue the model's own network",
    );
    // Flags for one part of a network may restate the model's, not change it.
    expect(await failsWith(dir, 2, 'train', 'blobs.csv', '--init-from', 'a.safetensors', '--loss', 'mse')).toBe(
      'backprop-studio: --loss mse: the model a.safetensors (--init-from) was trained with softmax with cross-entropy',
    );
    expect(await failsWith(dir, 2, 'train', 'blobs.csv', '--init-from', 'a.safetensors', '--input-shape', '1x2x2')).toBe(
      'backprop-studio: --input-shape 1x2x2: the model a.safetensors (--init-from) reads 4 flat values',
    );
    expect(await failsWith(dir, 2, 'train', 'blobs.csv', '--init-from', 'a.safetensors', '--activation', 'relu')).toBe(
      "backprop-studio: --activation goes with a --layers size list; --init-from a.safetensors continues the model's network, 4-8-3 (tanh)",
    );
    expect((await cli(dir, 'train', 'blobs.csv', '--init-from', 'a.safetensors', '--loss', 'softmax', '--epochs', '1')).code).toBe(0);
    expect(await failsWith(dir, 2, 'train', 'blobs.csv', '--init-from', 'a.safetensors', '--standardize')).toBe(
      'backprop-studio: --standardize: a.safetensors (--init-from) was trained on unstandardized values, which its weights expect',
    );
    writeFileSync(join(dir, 'narrow.csv'), 'f1,f2,kind\n1,2,alpha\n3,4,beta\n');
    expect(await failsWith(dir, 1, 'train', 'narrow.csv', '--init-from', 'a.safetensors')).toBe(
      'backprop-studio: narrow.csv: has 2 features per sample, but the model a.safetensors (--init-from) expects 4',
    );
    writeFileSync(join(dir, 'new-class.csv'), 'f1,f2,f3,f4,kind\n1,2,3,4,alpha\n3,4,5,6,delta\n');
    expect(await failsWith(dir, 1, 'train', 'new-class.csv', '--init-from', 'a.safetensors')).toMatch(
      /^backprop-studio: new-class\.csv: class "delta" is not one of the known classes \(alpha, beta, gamma\)$/,
    );
  });
});
