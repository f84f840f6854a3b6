import { execFile } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../core/model/model-file.js';
import { cli, failsWith, tempDir, writeBlobsCsv } from './helpers.js';

/**
 * Where a model may be saved: never over an input, a device, a pipe or a folder;
 * and a reader that closes stdout early (`| head -1`) does not cost the model.
 */

describe('--out refuses targets that would destroy something, before training', () => {
  it('one of the inputs: the same path, through a symbolic link, or a hard link', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'data.csv', 30, 1);
    const before = readFileSync(join(dir, 'data.csv'));
    symlinkSync(join(dir, 'data.csv'), join(dir, 'alias.csv'));
    linkSync(join(dir, 'data.csv'), join(dir, 'hard.csv'));
    for (const out of ['data.csv', './data.csv', 'alias.csv', 'hard.csv']) {
      const line = await failsWith(dir, 1, 'train', 'data.csv', '--epochs', '1', '--out', out);
      expect(line).toBe(`backprop-studio: ${out}: cannot save there: it is the input file data.csv; saving would replace it`);
    }
    writeBlobsCsv(dir, 'test.csv', 30, 2);
    const line = await failsWith(dir, 1, 'train', 'data.csv', '--test', 'test.csv', '--epochs', '1', '--out', 'test.csv');
    expect(line).toMatch(/it is the input file test\.csv/);
    expect(readFileSync(join(dir, 'data.csv')).equals(before)).toBe(true);
  });

  it('a device, a named pipe or a folder', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'data.csv', 30, 1);
    expect(await failsWith(dir, 1, 'train', 'data.csv', '--out', '/dev/null')).toBe(
      'backprop-studio: /dev/null: cannot save there: it is a device, not a regular file; saving would replace it',
    );
    mkdirSync(join(dir, 'folder'));
    expect(await failsWith(dir, 1, 'train', 'data.csv', '--out', 'folder')).toBe('backprop-studio: folder: cannot save there: it is a folder');
    await new Promise<void>((resolve, reject) => execFile('mkfifo', [join(dir, 'pipe')], (e) => (e ? reject(e) : resolve())));
    expect(await failsWith(dir, 1, 'train', 'data.csv', '--out', 'pipe')).toMatch(/: pipe: cannot save there: it is a named pipe, not a regular file/);
  });

  it('a regular file that is not an input is replaced as before', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'data.csv', 30, 1);
    writeFileSync(join(dir, 'old.safetensors'), 'old');
    const run = await cli(dir, 'train', 'data.csv', '--epochs', '1', '--layers', '4,3', '--out', 'old.safetensors');
    expect(run.code).toBe(0);
    expect(decodeModel(new Uint8Array(readFileSync(join(dir, 'old.safetensors')))).spec.inputSize).toBe(4);
  });
});

describe('train --test names the test file when its width differs', () => {
  it('says which file, and both widths', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'base.csv', 30, 1);
    writeFileSync(join(dir, 'wide.csv'), 'a,b,c,d,e,f,kind\n1,2,3,4,5,6,alpha\n1,2,3,4,5,7,beta\n');
    expect(await failsWith(dir, 1, 'train', 'base.csv', '--test', 'wide.csv')).toBe(
      'backprop-studio: wide.csv: has 6 features per sample, the training file base.csv has 4',
    );
  });
});

describe('a reader that closes stdout early', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = tempDir();
  const bundle = join(dir, 'cli.mjs');
  beforeAll(async () => {
    // The CLI as a process, bundled here the way scripts/build-cli.mjs does (the kernels come from core/ops/wasm/generated).
    await build({
      absWorkingDir: root, entryPoints: ['cli/bin.ts'], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20',
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url); const __filename = ''; const __dirname = '';" },
      logLevel: 'error',
    });
  }, 60_000);

  it('train … --out m.safetensors | head -1 still saves the model and exits 0', async () => {
    // 2,000 epoch lines are more than a pipe buffers: the writes after head has gone fail with EPIPE.
    writeBlobsCsv(dir, 'blobs.csv', 90, 1);
    const script = `set -o pipefail; "${process.execPath}" "${bundle}" train blobs.csv --standardize --layers 4,3 --epochs 2000 --backend wasm --out m.safetensors | head -1`;
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['-c', script], { cwd: dir, timeout: 120_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'm.safetensors'))).toBe(true);
    expect(decodeModel(new Uint8Array(readFileSync(join(dir, 'm.safetensors')))).spec.inputSize).toBe(4);
  }, 150_000);
});
