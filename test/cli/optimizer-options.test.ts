import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../core/model/model-file.js';
import { cli, failsWith, jsonLines, tempDir, writeBlobsCsv } from './helpers.js';

describe("the optimizers' own settings on the command line", () => {
  it('--decay sets RMSprop\'s squared-gradient decay, kept in the model, and changes the run', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 90, 1);
    const run = (decay: string) => cli(dir, 'train', 'blobs.csv', '--standardize', '--layers', 'fc8,relu,fc3', '--optimizer', 'rmsprop',
      '--lr', '0.01', '--epochs', '3', '--decay', decay, '--out', `m${decay}.safetensors`, '--json');
    const slow = await run('0.9');
    const fast = await run('0.5');
    expect([slow.code, fast.code]).toEqual([0, 0]);
    expect(decodeModel(readFileSync(join(dir, 'm0.5.safetensors'))).training?.decay).toBe(0.5);
    expect(jsonLines(fast).at(-1)!.loss).not.toBe(jsonLines(slow).at(-1)!.loss);
  });

  it('refuses a decay of 1 or more, naming the flag', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 30, 1);
    expect(await failsWith(dir, 2, 'train', 'blobs.csv', '--optimizer', 'rmsprop', '--decay', '1')).toMatch(/--decay/);
  });
});
