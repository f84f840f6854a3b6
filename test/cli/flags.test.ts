import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines, tempDir } from './helpers.js';

/** One line on stderr, the given exit code, no stack trace; returns the line. */
async function failsWith(dir: string, code: number, ...argv: string[]): Promise<string> {
  const run = await cli(dir, ...argv);
  expect(run.code).toBe(code);
  expect(run.err).toHaveLength(1);
  expect(run.err[0]).not.toMatch(/\n|\s+at \S+ \(/);
  return run.err[0]!;
}

/** iris-like rows with the label first and named: the default (last) column is a feature. */
function labelFirstCsv(dir: string, name: string): void {
  const rows = ['species,a,b'];
  for (let i = 0; i < 30; i++) rows.push(`${['setosa', 'virginica'][i % 2]},${(i % 2) * 3 + (i % 5) * 0.1},${i % 7}`);
  writeFileSync(join(dir, name), rows.join('\n') + '\n');
}

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
      "backprop-studio: eval: Unknown option '--frobnicate' (the options are --json, --help, --labels, --label, --threads)",
    );
  });
});

