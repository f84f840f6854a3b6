import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { unzipSync } from 'fflate';
import { decodeModel } from '../../core/model/model-file.js';
import { cli, tempDir, writeBlobsCsv } from './helpers.js';

/**
 * `backprop-studio export MODEL --format onnx|npz|pytorch --out PATH [--force]`:
 * what it writes, and the one clear line for every way it can go wrong, with
 * nothing half-written left behind.
 */

async function trainedModel(): Promise<string> {
  const dir = tempDir();
  writeBlobsCsv(dir, 'blobs.csv', 90, 1);
  const r = await cli(dir, 'train', 'blobs.csv', '--layers', '8,3', '--epochs', '3', '--standardize', '--out', 'm.safetensors');
  expect(r.code).toBe(0);
  return dir;
}

describe('cli export', () => {
  it('writes an ONNX file that ONNX Runtime runs, and says what it wrote', async () => {
    const dir = await trainedModel();
    const r = await cli(dir, 'export', 'm.safetensors', '--format', 'onnx', '--out', 'm.onnx');
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[0]).toMatch(/^exported m\.safetensors as onnx to m\.onnx, [\d,]+ bytes$/);
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'm.onnx')));
    const result = await session.run({ input: new ort.Tensor('float32', new Float32Array([0, 0, 0, 500]), [1, 4]) });
    const p = Array.from(result['probabilities']!.data as Float32Array);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await session.release();
    expect(readdirSync(dir).sort()).toEqual(['blobs.csv', 'm.onnx', 'm.safetensors']);
  });

  it('writes an .npz archive and a PyTorch project folder (JSON line with --json)', async () => {
    const dir = await trainedModel();
    const npz = await cli(dir, 'export', 'm.safetensors', '--format', 'npz', '--out', 'm.npz', '--json');
    expect(npz.code).toBe(0);
    expect(JSON.parse(npz.out[0]!)).toMatchObject({ event: 'exported', format: 'npz', files: ['m.npz'] });
    expect(Object.keys(unzipSync(readFileSync(join(dir, 'm.npz'))))).toContain('fc1.weight.npy');

    const torch = await cli(dir, 'export', 'm.safetensors', '--format', 'pytorch', '--out', 'project');
    expect(torch.code).toBe(0);
    expect(readdirSync(join(dir, 'project')).sort()).toEqual(['README.md', 'data.py', 'model.py', 'model.safetensors', 'optim.py', 'train.py']);
    const copy = decodeModel(readFileSync(join(dir, 'project', 'model.safetensors')));
    const original = decodeModel(readFileSync(join(dir, 'm.safetensors')));
    expect(copy.tensors).toEqual(original.tensors);
    expect(copy.normalization).toEqual(original.normalization);
  });

  it('refuses an existing project folder without --force and replaces it with --force', async () => {
    const dir = await trainedModel();
    mkdirSync(join(dir, 'project'));
    writeFileSync(join(dir, 'project', 'notes.txt'), 'mine');
    const refused = await cli(dir, 'export', 'm.safetensors', '--format', 'pytorch', '--out', 'project');
    expect(refused.code).toBe(1);
    expect(refused.err).toEqual(['backprop-studio: project: the folder already exists; give --force to replace it, or another --out']);
    expect(readdirSync(join(dir, 'project'))).toEqual(['notes.txt']);

    const forced = await cli(dir, 'export', 'm.safetensors', '--format', 'pytorch', '--out', 'project', '--force');
    expect(forced.code).toBe(0);
    expect(readdirSync(join(dir, 'project'))).toContain('train.py');
    expect(readdirSync(join(dir, 'project'))).not.toContain('notes.txt');
    expect(readdirSync(dir).sort()).toEqual(['blobs.csv', 'm.safetensors', 'project']); // no temporary folders left
  });

  it('one line for each bad input, exit 2 for usage and 1 for files, nothing written', async () => {
    const dir = await trainedModel();
    const cases: [string[], number, RegExp][] = [
      [['export', 'm.safetensors', '--out', 'x.onnx'], 2, /export needs --format onnx\|npz\|pytorch$/],
      [['export', 'm.safetensors', '--format', 'tflite', '--out', 'x'], 2, /--format must be one of onnx\|npz\|pytorch, got 'tflite'$/],
      [['export', 'm.safetensors', '--format', 'onnx'], 2, /export needs --out PATH \(a \.onnx file\)$/],
      [['export', '--format', 'onnx', '--out', 'x.onnx'], 2, /export needs <model> \(got 0 arguments\)$/],
      [['export', 'missing.safetensors', '--format', 'onnx', '--out', 'x.onnx'], 1, /missing\.safetensors/],
      [['export', 'blobs.csv', '--format', 'npz', '--out', 'x.npz'], 1, /^backprop-studio: blobs\.csv: /],
      [['export', 'm.safetensors', '--format', 'onnx', '--out', 'no/such/folder/x.onnx'], 1, /cannot save there: the folder no\/such\/folder does not exist$/],
      [['export', 'm.safetensors', '--format', 'npz', '--out', 'blobs.csv/x.npz'], 1, /cannot save there: blobs\.csv is not a folder$/],
      [['export', 'm.safetensors', '--format', 'pytorch', '--out', 'no/such/project'], 1, /^backprop-studio: no\/such\/project: cannot export there: the folder no\/such does not exist$/],
      [['export', 'm.safetensors', '--format', 'pytorch', '--out', 'blobs.csv'], 1, /blobs\.csv: cannot export there: it is a file, and the PyTorch project is a folder$/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await cli(dir, ...argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.err, argv.join(' ')).toHaveLength(1);
      expect(r.err[0], argv.join(' ')).toMatch(message);
      expect(r.out).toEqual([]);
    }
    expect(readdirSync(dir).sort()).toEqual(['blobs.csv', 'm.safetensors']);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});
