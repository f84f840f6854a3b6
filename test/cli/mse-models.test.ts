import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../core/network.js';
import { encodeModel, tensorsFromParams } from '../../core/model/model-file.js';
import type { NetworkSpec } from '../../core/spec.js';
import { cli, jsonLines, tempDir } from './helpers.js';

/**
 * A model trained with squared error (the book's chapter 4 classifier) outputs
 * scores, not probabilities: eval and predict say so instead of printing them
 * under p(class) headers.
 */

function writeModel(dir: string, loss: NetworkSpec['loss']): void {
  const spec: NetworkSpec = { inputSize: 2, layers: [{ kind: 'affine', units: 4 }, { kind: 'relu' }, { kind: 'affine', units: 2 }], loss };
  const network = buildNetwork(spec, { seed: 1, init: 'he' });
  const bytes = encodeModel({ spec, classNames: ['no', 'yes'], tensors: tensorsFromParams(network.namedParams()) });
  writeFileSync(join(dir, `${loss}.safetensors`), bytes);
  writeFileSync(join(dir, 'data.csv'), 'a,b,label\n1,2,no\n3,-1,yes\n0.5,0.5,no\n');
}

describe('models trained with squared error', () => {
  it('predict prints their outputs as scores y(class), in JSON as outputs', async () => {
    const dir = tempDir();
    writeModel(dir, 'mse');
    const run = await cli(dir, 'predict', 'mse.safetensors', 'data.csv');
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe('row\tpredicted\ty(no) y(yes)');
    const json = jsonLines(await cli(dir, 'predict', 'mse.safetensors', 'data.csv', '--json'));
    expect(Object.keys(json[0]!)).toEqual(['row', 'outputs', 'predicted', 'label']);
  });

  it('eval names the loss', async () => {
    const dir = tempDir();
    writeModel(dir, 'mse');
    const run = await cli(dir, 'eval', 'mse.safetensors', 'data.csv');
    expect(run.code).toBe(0);
    expect(run.out[0]).toMatch(/^data\.csv: 3 samples, loss \(mean squared error\) \d+\.\d{4}, accuracy \d\.\d{4}$/);
    expect(jsonLines(await cli(dir, 'eval', 'mse.safetensors', 'data.csv', '--json'))[0]).toMatchObject({ lossKind: 'mse' });
  });

  it('softmax models keep probabilities p(class)', async () => {
    const dir = tempDir();
    writeModel(dir, 'softmax-cross-entropy');
    expect((await cli(dir, 'predict', 'softmax-cross-entropy.safetensors', 'data.csv')).out[0]).toBe('row\tpredicted\tp(no) p(yes)');
  });
});
