import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { cli, jsonLines, tempDir } from './helpers.js';

/** 1,200 rows of 3 continuous features (all values distinct), label a + b > 0; with and without the label column. */
function continuous(dir: string): void {
  const rng = new Rng(5);
  const labelled = ['a,b,c,label'];
  const bare = ['a,b,c'];
  for (let i = 0; i < 1200; i++) {
    const f = [rng.normal(), rng.normal(), rng.normal()].map((x) => x.toFixed(6));
    labelled.push(`${f.join(',')},${Number(f[0]) + Number(f[1]) > 0 ? 'up' : 'down'}`);
    bare.push(f.join(','));
  }
  writeFileSync(join(dir, 'labelled.csv'), labelled.join('\n') + '\n');
  writeFileSync(join(dir, 'bare.csv'), bare.join('\n') + '\n');
}

describe('backprop-studio predict', () => {
  it('reads an unlabelled file whose last feature has more distinct values than a classifier has classes', async () => {
    const dir = tempDir();
    continuous(dir);
    const t = await cli(dir, 'train', 'labelled.csv', '--layers', '8,2', '--epochs', '3', '--batch', '20', '--out', 'm.safetensors');
    expect(t.code).toBe(0);
    const bare = await cli(dir, 'predict', 'm.safetensors', 'bare.csv', '--json');
    expect(bare.err).toEqual([]);
    expect(bare.code).toBe(0);
    const rows = jsonLines(bare);
    expect(rows).toHaveLength(1200);
    // The labelled file gives the very same predictions (its label column is left out).
    const labelled = jsonLines(await cli(dir, 'predict', 'm.safetensors', 'labelled.csv', '--json'));
    expect(labelled).toEqual(rows);
    // And the predictions are the model's: named like the training labels, mostly right.
    const truth = readFileSync(join(dir, 'labelled.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[3]);
    const right = rows.filter((r, i) => r.label === truth[i]).length;
    expect(right / rows.length).toBeGreaterThan(0.85);
  });

  it('drops a numeric label column (one column more than the inputs) and says so when the width fits neither way', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'train.csv'), ['x,y,label', ...Array.from({ length: 40 }, (_, i) => `${i % 2},${(i % 4) / 4},${i % 2}`)].join('\n'));
    expect((await cli(dir, 'train', 'train.csv', '--layers', '4,2', '--epochs', '2', '--out', 'm.safetensors')).code).toBe(0);
    writeFileSync(join(dir, 'wide.csv'), 'a,b,c,d\n1,2,3,4\n');
    const wide = await cli(dir, 'predict', 'm.safetensors', 'wide.csv');
    expect(wide.code).toBe(1);
    expect(wide.err).toEqual(['backprop-studio: wide.csv: has 4 columns, but the model takes 2 inputs (3 columns with a label column)']);
    const withLabels = jsonLines(await cli(dir, 'predict', 'm.safetensors', 'train.csv', '--json'));
    writeFileSync(join(dir, 'nolabels.csv'), ['x,y', ...Array.from({ length: 40 }, (_, i) => `${i % 2},${(i % 4) / 4}`)].join('\n'));
    expect(jsonLines(await cli(dir, 'predict', 'm.safetensors', 'nolabels.csv', '--json'))).toEqual(withLabels);
  });

  it('prints a header naming the class of each probability column', async () => {
    const dir = tempDir();
    continuous(dir);
    await cli(dir, 'train', 'labelled.csv', '--layers', '8,2', '--epochs', '1', '--out', 'm.safetensors');
    const run = await cli(dir, 'predict', 'm.safetensors', 'bare.csv');
    expect(run.out[0]).toBe('row\tpredicted\tp(down) p(up)');
    expect(run.out[1]).toMatch(/^0\t(down|up)\t0\.\d{4} 0\.\d{4}$/);
    expect(run.out.filter((l) => l !== '')).toHaveLength(1201);
  });
});

describe('the label column the model was trained with', () => {
  it('eval and predict find it by name in files laid out the same way, without --label', async () => {
    const dir = tempDir();
    const row = (i: number): string => `${['setosa', 'virginica'][i % 2]},${(i % 2) * 3 + (i % 5) * 0.1},${i % 7}`;
    writeFileSync(join(dir, 'first.csv'), ['species,a,b', ...Array.from({ length: 40 }, (_, i) => row(i))].join('\n') + '\n');
    const t = await cli(dir, 'train', 'first.csv', '--label', 'species', '--layers', '6,2', '--epochs', '20', '--batch', '10', '--out', 'm.safetensors');
    expect(t.code).toBe(0);
    const withFlag = jsonLines(await cli(dir, 'eval', 'm.safetensors', 'first.csv', '--label', 'species', '--json'));
    const ev = await cli(dir, 'eval', 'm.safetensors', 'first.csv', '--json');
    expect(ev.err).toEqual([]);
    expect(jsonLines(ev)).toEqual(withFlag);
    const p = await cli(dir, 'predict', 'm.safetensors', 'first.csv', '--json');
    expect(p.err).toEqual([]);
    expect(jsonLines(p)).toHaveLength(40);
    // A file without that column is read as before: all columns are features.
    writeFileSync(join(dir, 'bare.csv'), ['a,b', '0.1,3', '3.2,1'].join('\n') + '\n');
    const bare = await cli(dir, 'predict', 'm.safetensors', 'bare.csv', '--json');
    expect(bare.err).toEqual([]);
    expect(jsonLines(bare)).toHaveLength(2);
  });
});

describe('eval in words', () => {
  it('prints the totals and a per-class table; a class the file lacks shows as none', async () => {
    const dir = tempDir();
    // x tells the classes apart; y is noise unrelated to the class.
    const row = (i: number, k: number): string => `${k * 3 + (i % 5) * 0.1},${(Math.floor(i / 3) % 4) * 0.2},${['ant', 'bee', 'cow'][k]}`;
    writeFileSync(join(dir, 'train.csv'), ['x,y,kind', ...Array.from({ length: 60 }, (_, i) => row(i, i % 3))].join('\n'));
    writeFileSync(join(dir, 'two.csv'), ['x,y,kind', ...Array.from({ length: 20 }, (_, i) => row(i, 1 + (i % 2)))].join('\n'));
    expect((await cli(dir, 'train', 'train.csv', '--layers', '8,3', '--epochs', '60', '--batch', '10', '--standardize', '--optimizer', 'adam', '--lr', '0.05', '--init', 'he', '--out', 'm.safetensors')).code).toBe(0);
    const ev = await cli(dir, 'eval', 'm.safetensors', 'two.csv');
    expect(ev.code).toBe(0);
    expect(ev.out[0]).toMatch(/^two\.csv: 20 samples, loss \d\.\d{4}, accuracy 1\.0000$/);
    expect(ev.out.slice(1)).toEqual([
      'class  samples  accuracy  most often taken for',
      'ant          0      none',
      'bee         10    1.0000',
      'cow         10    1.0000',
    ]);
  });
});

describe('data on another scale than the training data', () => {
  it('eval and predict warn when values run far outside the range the model was trained on', async () => {
    const dir = tempDir();
    // Trained on values in 0..1 (like IDX pixels), then given 0..255.
    const unit = ['a,b,label', ...Array.from({ length: 40 }, (_, i) => `${(i % 2) * 0.9 + (i % 5) * 0.02},${(i % 7) / 7},${i % 2}`)];
    const bytes = ['a,b,label', ...Array.from({ length: 4 }, (_, i) => `${(i % 2) * 230},${i * 40},${i % 2}`)];
    writeFileSync(join(dir, 'unit.csv'), unit.join('\n'));
    writeFileSync(join(dir, 'bytes.csv'), bytes.join('\n'));
    expect((await cli(dir, 'train', 'unit.csv', '--layers', '4,2', '--epochs', '2', '--out', 'm.safetensors')).code).toBe(0);
    const warning =
      'warning: bytes.csv: values run from 0 to 230, but m.safetensors was trained on values from 0 to 0.98; ' +
      'is the data on the same scale (IDX pixels are read as 0..1)?';
    const ev = await cli(dir, 'eval', 'm.safetensors', 'bytes.csv', '--json');
    expect(ev.code).toBe(0);
    expect(ev.err).toEqual([warning]);
    expect((await cli(dir, 'predict', 'm.safetensors', 'bytes.csv', '--json')).err).toEqual([warning]);
    // Data on the training scale: no warning.
    expect((await cli(dir, 'eval', 'm.safetensors', 'unit.csv', '--json')).err).toEqual([]);
  });
});

describe('columns in another order than in the training file', () => {
  it('are matched by name in train --test, eval and predict, with a warning', async () => {
    const dir = tempDir();
    const rng = new Rng(3);
    const rows: string[][] = [];
    for (let i = 0; i < 60; i++) {
      const k = i % 2;
      rows.push([(k * 4 + rng.normal() * 0.3).toFixed(3), (rng.normal() * 0.3).toFixed(3), k ? 'yes' : 'no']);
    }
    writeFileSync(join(dir, 'ab.csv'), ['a,b,label', ...rows.map((r) => r.join(','))].join('\n'));
    writeFileSync(join(dir, 'ba.csv'), ['b,a,label', ...rows.map((r) => [r[1], r[0], r[2]].join(','))].join('\n'));
    const t = await cli(dir, 'train', 'ab.csv', '--test', 'ba.csv', '--layers', '4,2', '--epochs', '30', '--batch', '10', '--out', 'm.safetensors', '--json');
    const note = 'warning: ba.csv: the columns are in another order than in the training file; they were matched by name';
    expect(t.err).toEqual([note]);
    const done = jsonLines(t).at(-1)!;
    expect(done.testAccuracy).toBe(done.trainAccuracy); // the same rows, read right
    const same = jsonLines(await cli(dir, 'eval', 'm.safetensors', 'ab.csv', '--json'));
    const swapped = await cli(dir, 'eval', 'm.safetensors', 'ba.csv', '--json');
    expect(swapped.err).toEqual([note]);
    expect(jsonLines(swapped)).toEqual(same);
    const p = await cli(dir, 'predict', 'm.safetensors', 'ba.csv', '--json');
    expect(p.err).toEqual([note]);
    expect(jsonLines(p)).toEqual(jsonLines(await cli(dir, 'predict', 'm.safetensors', 'ab.csv', '--json')));
  });
});
