import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines, tempDir, writeBlobsCsv, writeIdxPair } from './helpers.js';

describe('backprop-studio train', () => {
  it('trains on a CSV with --json: one JSON object per line, epochs then done, and learns', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 300, 1);
    const run = await cli(dir, 'train', 'blobs.csv', '--split', '0.2', '--layers', '16,3', '--epochs', '4',
      '--batch', '20', '--lr', '0.1', '--standardize', '--out', 'm.safetensors', '--json');
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    const lines = jsonLines(run);
    expect(lines.map((l) => l.event)).toEqual(['epoch', 'epoch', 'epoch', 'epoch', 'done']);
    lines.slice(0, 4).forEach((l, i) => {
      expect(l.epoch).toBe(i + 1);
      for (const k of ['loss', 'trainAccuracy', 'testAccuracy', 'seconds']) expect(typeof l[k]).toBe('number');
    });
    const losses = lines.slice(0, 4).map((l) => l.loss as number);
    expect(losses[3]).toBeLessThan(losses[0]!);
    expect(lines[3]!.testAccuracy).toBeGreaterThan(0.9);
    expect(lines[4]).toMatchObject({ event: 'done', reason: 'finished', epochs: 4 });
    expect(existsSync(join(dir, 'm.safetensors'))).toBe(true);
  });

  it('gives the same run bit for bit for the same seed, and another for another seed', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 150, 2);
    const args = ['train', 'blobs.csv', '--layers', '8,3', '--epochs', '2', '--batch', '10', '--split', '0.2', '--json'];
    const strip = (r: Awaited<ReturnType<typeof cli>>) => jsonLines(r).map(({ seconds: _s, ...rest }) => rest);
    const a = strip(await cli(dir, ...args, '--seed', '7'));
    const b = strip(await cli(dir, ...args, '--seed', '7'));
    const c = strip(await cli(dir, ...args, '--seed', '8'));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('finds the IDX labels file beside gzip images and evaluates on the t10k pair', async () => {
    const dir = tempDir();
    writeIdxPair(dir, 'train', 120, 3);
    writeIdxPair(dir, 't10k', 30, 4);
    const run = await cli(dir, 'train', 'train-images-idx3-ubyte.gz', '--test', 't10k-images-idx3-ubyte.gz',
      '--layers', '10,3', '--epochs', '3', '--batch', '10', '--out', 'idx.safetensors', '--json');
    expect(run.err).toEqual([]);
    const done = jsonLines(run).at(-1)!;
    expect(done).toMatchObject({ event: 'done', reason: 'finished' });
    expect(done.testAccuracy).toBeGreaterThan(0.9);
    const ev = await cli(dir, 'eval', 'idx.safetensors', 't10k-images-idx3-ubyte.gz', '--json');
    expect(ev.code).toBe(0);
    const e = jsonLines(ev)[0]!;
    expect(e).toMatchObject({ event: 'eval', samples: 30 });
    expect(e.accuracy).toBeCloseTo(done.testAccuracy as number, 6);
  });

  it('takes the test images\' labels from --test-labels, and names that flag when they are not found', async () => {
    const dir = tempDir();
    writeIdxPair(dir, 'train', 60, 3);
    mkdirSync(join(dir, 'held'));
    writeIdxPair(join(dir, 'held'), 't10k', 30, 4);
    renameSync(join(dir, 'held', 't10k-labels-idx1-ubyte.gz'), join(dir, 'held-labels.gz'));
    const args = ['train', 'train-images-idx3-ubyte.gz', '--test', 'held/t10k-images-idx3-ubyte.gz', '--layers', '10,3', '--epochs', '1', '--json'];
    const missing = await cli(dir, ...args);
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual([
      'backprop-studio: held/t10k-images-idx3-ubyte.gz: no labels file beside it (looked for t10k-labels-idx1-ubyte.gz, t10k-labels-idx1-ubyte); name one with --test-labels',
    ]);
    const run = await cli(dir, ...args, '--test-labels', 'held-labels.gz');
    expect(run.err).toEqual([]);
    expect(jsonLines(run).at(-1)).toMatchObject({ event: 'done', reason: 'finished' });
    expect((await cli(dir, 'train', 'train-images-idx3-ubyte.gz', '--test-labels', 'held-labels.gz')).err).toEqual([
      'backprop-studio: --test-labels goes with --test (the labels of the test images)',
    ]);
  });

  it('stops a diverging run with reason diverged and exit code 3', async () => {
    const dir = tempDir();
    // Features near float32's limit overflow the first products: the loss turns NaN/Inf.
    const rows = ['a,b,label', ...Array.from({ length: 40 }, (_, i) => `${(i % 7) * 1e37},${(i % 5) * -3e37},${i % 2}`)];
    writeFileSync(join(dir, 'huge.csv'), rows.join('\n'));
    const run = await cli(dir, 'train', 'huge.csv', '--layers', '8,2', '--lr', '10', '--epochs', '5', '--init', 'he', '--json');
    expect(run.code).toBe(3);
    const lines = jsonLines(run);
    expect(lines.at(-1)).toMatchObject({ event: 'done', reason: 'diverged' });
    expect(lines.filter((l) => l.event === 'epoch').length).toBeLessThan(5);
    const human = await cli(dir, 'train', 'huge.csv', '--layers', '8,2', '--lr', '10', '--epochs', '5', '--init', 'he');
    expect(human.out.at(-1)).toMatch(/^diverged: the loss became (NaN|Infinity) at iteration \d+; try a smaller --lr$/);
  });
});

describe('human-readable train output', () => {
  it('a header, one line per epoch with a readable time, and a summary with the final accuracies', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 90, 1);
    const run = await cli(dir, 'train', 'blobs.csv', '--split', '0.2', '--layers', '8,3', '--epochs', '2', '--batch', '10', '--standardize', '--out', 'm.safetensors');
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe('data: 72 training samples, 18 test samples, 4 features, 3 classes');
    expect(run.out[1]).toMatch(/^network: 4-8-3 \(relu\), 67 parameters; sgd lr 0\.1, batch 10, 2 epochs, init std, seed 1, \S+$/);
    expect(run.out[2]).toMatch(/^epoch 1\/2  loss \d\.\d{4}  train acc \d\.\d{4}  test acc \d\.\d{4}  \d+(\.\d ms|\.\d\d s)$/);
    expect(run.out[4]).toMatch(/^done: 2 epochs, 16 iterations, train accuracy \d\.\d{4}, test accuracy \d\.\d{4}; model saved to m\.safetensors$/);
    const one = await cli(dir, 'train', 'blobs.csv', '--layers', '8,3', '--epochs', '1');
    expect(one.out.at(-1)).toMatch(/^done: 1 epoch, 1 iterations, train accuracy \d\.\d{4}$/);
  });
});

describe('unscaled inputs', () => {
  it('warns before training when raw features are large and --standardize is not given', async () => {
    const dir = tempDir();
    // Pixel-like values 0..255 with the label first, as Kaggle's MNIST CSV has it.
    const rows = ['label,p1,p2,p3', ...Array.from({ length: 30 }, (_, i) => `${i % 2},${(i * 37) % 256},${i % 2 ? 255 : 0},${i % 5}`)];
    writeFileSync(join(dir, 'pixels.csv'), rows.join('\n'));
    const run = await cli(dir, 'train', 'pixels.csv', '--label', 'label', '--layers', '4,2', '--epochs', '1', '--json');
    expect(run.code).toBe(0);
    expect(run.err).toEqual([
      'warning: features reach 255 (column "p2"); inputs this large often stall training (the loss stays near ln(classes)): consider --standardize',
    ]);
    expect((await cli(dir, 'train', 'pixels.csv', '--label', 'label', '--layers', '4,2', '--epochs', '1', '--standardize', '--json')).err).toEqual([]);
    // Small raw values (iris-like) get no warning.
    writeBlobsCsv(dir, 'blobs.csv', 30, 1);
    const small = ['a,b,label', ...Array.from({ length: 30 }, (_, i) => `${(i % 7) * 1.1},${i % 3},${i % 2}`)];
    writeFileSync(join(dir, 'small.csv'), small.join('\n'));
    expect((await cli(dir, 'train', 'small.csv', '--layers', '4,2', '--epochs', '1', '--json')).err).toEqual([]);
  });
});

describe('--out that cannot be written', () => {
  it('fails before training, naming the path as typed', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 30, 1);
    const run = await cli(dir, 'train', 'blobs.csv', '--layers', '4,3', '--out', 'nodir/m.safetensors', '--json');
    expect(run.code).toBe(1);
    expect(run.out).toEqual([]); // no epoch ran
    expect(run.err).toEqual(['backprop-studio: nodir/m.safetensors: cannot save there: the folder nodir does not exist']);
  });
});

describe('a diverged run and --out', () => {
  it('ends with done/diverged and exit 3, writes no model and leaves an older one as it was', async () => {
    const dir = tempDir();
    const rows = ['a,b,label', ...Array.from({ length: 40 }, (_, i) => `${(i % 7) * 1e37},${(i % 5) * -3e37},${i % 2}`)];
    writeFileSync(join(dir, 'huge.csv'), rows.join('\n'));
    writeFileSync(join(dir, 'old.safetensors'), 'the previous model');
    const run = await cli(dir, 'train', 'huge.csv', '--layers', '8,2', '--lr', '10', '--epochs', '5', '--init', 'he', '--out', 'old.safetensors', '--json');
    expect(run.code).toBe(3);
    expect(jsonLines(run).at(-1)).toMatchObject({ event: 'done', reason: 'diverged', model: null });
    expect(run.err).toEqual([
      'warning: features reach 1.2e+38 (column "b"); inputs this large often stall training (the loss stays near ln(classes)): consider --standardize',
      'backprop-studio: old.safetensors not written: the run diverged, its weights are not finite numbers',
    ]);
    expect(readFileSync(join(dir, 'old.safetensors'), 'utf8')).toBe('the previous model');
    const fresh = await cli(dir, 'train', 'huge.csv', '--layers', '8,2', '--lr', '10', '--epochs', '5', '--init', 'he', '--out', 'new.safetensors');
    expect(fresh.code).toBe(3);
    expect(existsSync(join(dir, 'new.safetensors'))).toBe(false);
  });
});

describe('backprop-studio eval and predict', () => {
  it('a saved standardized model evaluates and predicts on raw data with its stored statistics', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'train.csv', 300, 6);
    writeBlobsCsv(dir, 'new.csv', 30, 9);
    const t = await cli(dir, 'train', 'train.csv', '--layers', '16,3', '--epochs', '5', '--batch', '20', '--standardize', '--out', 'm.safetensors', '--json');
    expect(t.code).toBe(0);
    const ev = await cli(dir, 'eval', 'm.safetensors', 'new.csv', '--json');
    expect(ev.err).toEqual([]);
    expect(jsonLines(ev)[0]!.accuracy).toBeGreaterThan(0.9);

    // Without the label column: exactly the model's input width.
    const raw = readFileSync(join(dir, 'new.csv'), 'utf8').trim().split('\n');
    const truth = raw.slice(1).map((l) => l.split(',')[4]);
    writeFileSync(join(dir, 'unlabelled.csv'), raw.map((l) => l.split(',').slice(0, 4).join(',')).join('\n'));
    const p = await cli(dir, 'predict', 'm.safetensors', 'unlabelled.csv', '--json');
    expect(p.err).toEqual([]);
    const rows = jsonLines(p);
    expect(rows).toHaveLength(30);
    rows.forEach((r, i) => {
      expect(r.row).toBe(i);
      const probs = r.probabilities as number[];
      expect(probs).toHaveLength(3);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(r.predicted).toBe(probs.indexOf(Math.max(...probs)));
    });
    const correct = rows.filter((r, i) => r.label === truth[i]).length;
    expect(correct / rows.length).toBeGreaterThan(0.9);

    // With the label column present, predict leaves it out and gives the same answers.
    const withLabels = jsonLines(await cli(dir, 'predict', 'm.safetensors', 'new.csv', '--json'));
    expect(withLabels).toEqual(rows);
  });
});

describe('backprop-studio gradcheck', () => {
  it('prints one row per parameter, all agreeing', async () => {
    const run = await cli(tempDir(), 'gradcheck', '--layers', '6,4,3', '--activation', 'sigmoid', '--json');
    expect(run.code).toBe(0);
    const rows = jsonLines(run);
    expect(rows.map((r) => r.name)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias', undefined]);
    for (const r of rows.slice(0, -1)) expect(r.relError as number).toBeLessThan(1e-6);
    expect(rows.at(-1)).toMatchObject({ event: 'done', ok: true });
    const human = await cli(tempDir(), 'gradcheck');
    expect(human.out.join('\n')).toMatch(/fc1\.weight\s+12x10/);
  });
});

describe('wrong usage and bad files: one line on stderr, non-zero exit, no stack trace', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['unknown command', ['fly'], 2, /unknown command 'fly'/],
    ['unknown flag', ['train', 'x.csv', '--bogus'], 2, /Unknown option '--bogus'/],
    ['missing file argument', ['train'], 2, /train needs <train-file>/],
    ['bad number', ['train', 'x.csv', '--lr', 'fast'], 2, /--lr must be a number, got 'fast'/],
    ['bad choice', ['train', 'x.csv', '--optimizer', 'lbfgs'], 2, /--optimizer must be one of sgd\|momentum\|nesterov\|adagrad\|rmsprop\|adam, got 'lbfgs'/],
    ['bad layers', ['train', 'x.csv', '--layers', '50,,10'], 2, /--layers must be positive whole numbers/],
    ['missing file', ['train', 'nope.csv'], 1, /nope\.csv/],
  ];
  for (const [what, argv, code, message] of cases) {
    it(what, async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'x.csv'), 'a,b\n1,0\n2,1\n');
      const run = await cli(dir, ...argv);
      expect(run.code).toBe(code);
      expect(run.err).toHaveLength(1);
      expect(run.err[0]).toMatch(message);
      expect(run.err[0]).not.toMatch(/\n\s+at /);
    });
  }

  it('names file, line and column of a non-numeric cell', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.csv'), 'a,b,label\n1,2,x\n3,oops,y\n');
    const run = await cli(dir, 'train', 'bad.csv');
    expect(run.code).toBe(1);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/bad\.csv:3:2/);
  });

  it('refuses --layers whose output does not match the classes', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 30, 1);
    const run = await cli(dir, 'train', 'blobs.csv', '--layers', '8,10');
    expect(run.code).toBe(2);
    expect(run.err[0]).toMatch(/ends with 10 outputs, but the data has 3 classes/);
  });

  it('rejects a corrupt model file clearly', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'junk.safetensors'), new Uint8Array([1, 2, 3]));
    writeBlobsCsv(dir, 'blobs.csv', 30, 1);
    const run = await cli(dir, 'eval', 'junk.safetensors', 'blobs.csv');
    expect(run.code).toBe(1);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/junk\.safetensors/);
  });
});
