import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usageText } from '../../cli/options.js';
import { cli, failsWith, jsonLines, labelFirstCsv, tempDir } from './helpers.js';

describe('command-line flags', () => {
  it('takes a negative --label index after a space (util.parseArgs alone calls it ambiguous)', async () => {
    const dir = tempDir();
    labelFirstCsv(dir, 'first.csv');
    // -3 of 3 columns is the first column: species.
    const run = await cli(dir, 'train', 'first.csv', '--label', '-3', '--layers', '4,2', '--epochs', '1', '--json');
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    expect(jsonLines(run).at(-1)).toMatchObject({ event: 'done', reason: 'finished' });
  });

  it('explains how to give a value that starts with a dash', async () => {
    const msg = await failsWith(tempDir(), 2, 'train', 'x.csv', '--test', '-odd.csv');
    expect(msg).toBe("backprop-studio: train: Option '--test' argument is ambiguous: to give a value that starts with '-', write --test=VALUE");
  });

  it('suggests the option meant for a near miss, and lists the options otherwise', async () => {
    expect(await failsWith(tempDir(), 2, 'train', 'x.csv', '--epoch', '3')).toBe(
      "backprop-studio: train: Unknown option '--epoch'; did you mean --epochs?",
    );
    expect(await failsWith(tempDir(), 2, 'train', 'x.csv', '--standardise')).toMatch(/did you mean --standardize\?$/);
    expect(await failsWith(tempDir(), 2, 'eval', 'm', 'd', '--frobnicate')).toBe(
      "backprop-studio: eval: Unknown option '--frobnicate' (the options are --json, --help, --labels, --label, --threads, --backend)",
    );
  });
});

describe('network sizes name --layers, not the spec inside', () => {
  it('refuses sizes over the limits before building anything', async () => {
    const dir = tempDir();
    labelFirstCsv(dir, 'first.csv');
    const train = ['train', 'first.csv', '--label', 'species'];
    expect(await failsWith(dir, 2, ...train, '--layers', '100000,2')).toBe(
      'backprop-studio: --layers: 100,000 units in one layer is over the limit of 65,536',
    );
    expect(await failsWith(dir, 2, ...train, '--layers', '60000,60000,2')).toBe(
      'backprop-studio: --layers 60000,60000,2 with 2 inputs: 3,600,360,002 parameters is over the limit of 50,000,000',
    );
    expect(await failsWith(dir, 2, ...train, '--layers', [...Array(40).fill('5'), '2'].join(','))).toBe(
      'backprop-studio: --layers: 41 layers is over the limit of 32',
    );
    expect(await failsWith(dir, 2, 'gradcheck', '--layers', '1')).toBe(
      'backprop-studio: --layers must end with at least 2 outputs (one per class), got 1',
    );
  });

  it('keeps gradcheck to networks it can finish', async () => {
    expect(await failsWith(tempDir(), 2, 'gradcheck', '--inputs', '4096', '--layers', '1000,10')).toBe(
      'backprop-studio: gradcheck of 4096-1000-10 (relu): 4,107,010 parameters would take very long; ' +
        'the limit is 500,000 (use smaller --inputs or --layers)',
    );
  });

  it('says a data file with one class cannot train a classifier', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'one.csv'), 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n');
    expect(await failsWith(dir, 1, 'train', 'one.csv')).toBe(
      'backprop-studio: one.csv: every sample has the same class (x): a classifier needs at least 2 classes ' +
        '(is the label column the right one? choose it with --label)',
    );
  });
});

describe('usage', () => {
  it('no command is one line on stderr and exit 2; --help prints the options on stdout and exits 0', async () => {
    expect(await failsWith(tempDir(), 2)).toBe(
      'backprop-studio: no command given (one of: train, eval, predict, gradcheck, export); see backprop-studio --help',
    );
    for (const argv of [['--help'], ['train', '--help'], ['help']]) {
      const run = await cli(tempDir(), ...argv);
      expect(run.code).toBe(0);
      expect(run.err).toEqual([]);
      const text = run.out.join('\n');
      expect(text).toMatch(/^Usage: backprop-studio <command> \[options\]/);
      // Every option of train is explained.
      for (const flag of ['test', 'test-labels', 'split', 'labels', 'label', 'layers', 'activation', 'optimizer', 'lr', 'batch', 'epochs', 'init', 'seed', 'standardize', 'threads', 'out', 'json']) {
        expect(text).toContain(`--${flag}`);
      }
      expect(text).toContain('0-based index');
    }
  });

  it('--help keeps every name apart from its description, however long the name', () => {
    const rows = usageText().split('\n').filter((l) => /^ {2}\S/.test(l));
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      // A name is a word and its placeholders (<...>); after it comes the line's end or a gap of two spaces.
      const name = /^ {2}(\S+(?: <[^>]*>)*)/.exec(row);
      expect(name, row).not.toBeNull();
      expect(row.slice(2 + name![1]!.length), row).toMatch(/^$| {2}/);
    }
    // The long ones carry their description on the next line, aligned with the others.
    const lines = usageText().split('\n');
    const at = lines.indexOf('  --optimizer <sgd|momentum|nesterov|adagrad|rmsprop|adam>');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^ {30}the book's update rules/);
  });
});
