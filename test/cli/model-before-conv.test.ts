import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines, tempDir } from './helpers.js';

/**
 * test/fixtures/model-before-conv.safetensors was written by the CLI as it was before
 * convolutional layers (commit aafe074^: `train iris.csv --layers 8,3 --epochs 20 --lr 0.1
 * --batch 10 --standardize`); its spec has no inputShape and its training settings no
 * weightDecay. Today's version opens it and predicts exactly what that version predicted.
 */
const here = resolve(fileURLToPath(import.meta.url), '..');
const MODEL = resolve(here, '../fixtures/model-before-conv.safetensors');
const IRIS = '/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv';

describe('a model file from before image layers', () => {
  it('still opens, and predicts what the version that wrote it predicted', async (ctx) => {
    const dir = tempDir();
    try {
      copyFileSync(IRIS, join(dir, 'iris.csv'));
    } catch {
      console.log(`model-before-conv: ${IRIS} not found (Debian's python3-sklearn); skipped`);
      ctx.skip();
    }
    copyFileSync(MODEL, join(dir, 'old.safetensors'));
    const run = await cli(dir, 'predict', 'old.safetensors', 'iris.csv', '--json');
    expect(run.code).toBe(0);
    const rows = jsonLines(run).filter((r) => typeof r.row === 'number');
    expect(rows).toHaveLength(150);
    // Printed by the old CLI's predict --json for rows 0, 50 and 100.
    const then: Record<number, number[]> = {
      0: [0.9964157342910767, 0.0031854494009166956, 0.00039884416037239134],
      50: [0.02586382068693638, 0.631247878074646, 0.34288832545280457],
      100: [0.00020721464534290135, 0.013928461819887161, 0.9858643412590027],
    };
    for (const [row, probabilities] of Object.entries(then)) {
      const now = rows[Number(row)]!.probabilities as number[];
      probabilities.forEach((p, k) => expect(Math.abs(now[k]! - p)).toBeLessThan(1e-7));
    }
  });
});
