import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, failsWith, jsonLines, labelFirstCsv, tempDir, writeBlobsCsv } from './helpers.js';

describe('data files named as typed, with hints', () => {
  it('names a missing file by the path given, not an absolute one', async () => {
    const dir = tempDir();
    expect(await failsWith(dir, 1, 'train', 'sub/nope.csv')).toBe('backprop-studio: sub/nope.csv: cannot read: no such file or folder');
    mkdirSync(join(dir, 'folder'));
    expect(await failsWith(dir, 1, 'train', 'folder')).toBe('backprop-studio: folder: is a folder, not a file');
    expect(await failsWith(dir, 1, 'eval', 'folder', 'x.csv')).toBe('backprop-studio: folder: is a folder, not a file');
  });

  it('points at --label when the first data row has text outside the default label column', async () => {
    const dir = tempDir();
    labelFirstCsv(dir, 'first.csv');
    expect(await failsWith(dir, 1, 'train', 'first.csv')).toBe(
      'backprop-studio: first.csv:2:1: column "species": "setosa" is not a number (if this column holds the class labels, add --label species)',
    );
    writeFileSync(join(dir, 'nohead.csv'), '1,2,3\nx,3,4\n');
    // No header: the hint gives the 0-based index that --label takes.
    expect(await failsWith(dir, 1, 'train', 'nohead.csv')).toMatch(/nohead\.csv:2:1: column 1: "x" is not a number \(if this column holds the class labels, add --label 0\)$/);
  });

  it('gives no label hint for a bad cell further down, or when --label was given', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.csv'), 'a,b,label\n1,2,0\n3,4,1\n5,oops,0\n');
    expect(await failsWith(dir, 1, 'train', 'bad.csv')).toBe('backprop-studio: bad.csv:4:2: column "b": "oops" is not a number');
    labelFirstCsv(dir, 'first.csv');
    expect(await failsWith(dir, 1, 'train', 'first.csv', '--label', 'b')).toBe(
      'backprop-studio: first.csv:2:1: column "species": "setosa" is not a number',
    );
  });

  it('eval on a file without a label column says so instead of counting features one short', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'train.csv', 60, 1);
    expect((await cli(dir, 'train', 'train.csv', '--layers', '4,3', '--epochs', '1', '--out', 'm.safetensors')).code).toBe(0);
    const rows = ['f1,f2,f3,f4', '0.1,0.2,0.3,500', '3,3,0,600'];
    writeFileSync(join(dir, 'unlabelled.csv'), rows.join('\n') + '\n');
    expect(await failsWith(dir, 1, 'eval', 'm.safetensors', 'unlabelled.csv')).toBe(
      "backprop-studio: unlabelled.csv: has 4 columns, as many as the model's inputs, so no column is left for the labels that eval needs " +
        '(predict works without labels; if one of these columns is the label, name it with --label)',
    );
    // predict reads the same file fine.
    const p = await cli(dir, 'predict', 'm.safetensors', 'unlabelled.csv', '--json');
    expect(p.code).toBe(0);
    expect(jsonLines(p)).toHaveLength(2);
  });
});

describe('reader warnings reach stderr for every file a command reads', () => {
  it('the test file, and the data of eval and predict', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'train.csv', 60, 1);
    // A constant column is a warning, not an error.
    const rows = ['f1,f2,f3,f4,kind', ...Array.from({ length: 9 }, (_, i) => `${i},1,${i % 3},7,${['alpha', 'beta', 'gamma'][i % 3]}`)];
    writeFileSync(join(dir, 'const.csv'), rows.join('\n') + '\n');
    const constant = 'warning: const.csv: 2 feature columns are constant (no information): f2, f4';
    const t = await cli(dir, 'train', 'train.csv', '--test', 'const.csv', '--layers', '4,3', '--epochs', '1', '--standardize', '--out', 'm.safetensors', '--json');
    expect(t.code).toBe(0);
    expect(t.err).toEqual([constant]);
    const ev = await cli(dir, 'eval', 'm.safetensors', 'const.csv', '--json');
    expect(ev.code).toBe(0);
    expect(ev.err).toEqual([constant]);
    const p = await cli(dir, 'predict', 'm.safetensors', 'const.csv', '--json');
    expect(p.code).toBe(0);
    expect(p.err).toEqual([constant]);
  });
});

describe('a --label that matches no column', () => {
  it('names --label and lists the columns', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.tsv'), 'sepal length\tpetal width\tspecies\n5.1\t0\t1\n7.0\t1\t2\n');
    expect(await failsWith(dir, 2, 'train', 't.tsv', '--label', 'sepal')).toBe(
      'backprop-studio: t.tsv: --label: no column named "sepal"; the columns are "sepal length", "petal width", "species"',
    );
    expect(await failsWith(dir, 2, 'train', 't.tsv', '--label', '7')).toBe(
      'backprop-studio: t.tsv: --label: column 7 does not exist: the file has 3 columns (0..2, or -1 for the last)',
    );
    // A name with a space, and the index of the same column, both work (species is then a feature).
    for (const label of ['petal width', '1']) {
      const run = await cli(dir, 'train', 't.tsv', '--label', label, '--layers', '3,2', '--epochs', '1', '--json');
      expect(run.err).toEqual([]);
      expect(run.code).toBe(0);
    }
  });
});

describe('a refused command prints its one error line only', () => {
  it('no reader warning before a usage error found after reading', async () => {
    const dir = tempDir();
    // Constant columns (a warning) and 3 classes, but --layers ends with 10.
    const rows = ['f1,f2,f3,f4,kind', ...Array.from({ length: 9 }, (_, i) => `${i},1,${i % 3},7,${['a', 'b', 'c'][i % 3]}`)];
    writeFileSync(join(dir, 'const.csv'), rows.join('\n') + '\n');
    expect(await failsWith(dir, 2, 'train', 'const.csv', '--layers', '8,10')).toMatch(/--layers ends with 10 outputs, but the data has 3 classes/);
  });
});

describe('a column named like the labels that is not the label column', () => {
  it('is pointed out (Kaggle-style label first), and not when --label names it or the last column is the label', async () => {
    const dir = tempDir();
    const rows = ['label,p1,p2,p3', ...Array.from({ length: 20 }, (_, i) => `${i % 2},${i % 2 ? 0.9 : 0.1},${(i % 3) / 3},${i % 4}`)];
    writeFileSync(join(dir, 'k.csv'), rows.join('\n'));
    const run = await cli(dir, 'train', 'k.csv', '--layers', '4,4', '--epochs', '1', '--json');
    expect(run.code).toBe(0);
    expect(run.err).toEqual([
      'warning: k.csv: the labels are taken from the last column ("p3"), but column "label" sounds like the labels; if it is, add --label label',
    ]);
    expect((await cli(dir, 'train', 'k.csv', '--label', 'label', '--layers', '4,2', '--epochs', '1', '--json')).err).toEqual([]);
    writeFileSync(join(dir, 'last.csv'), ['x,class', '1,a', '2,b', '3,a'].join('\n'));
    expect((await cli(dir, 'train', 'last.csv', '--layers', '4,2', '--epochs', '1', '--json')).err).toEqual([]);
  });
});
