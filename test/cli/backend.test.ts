import { describe, expect, it } from 'vitest';
import { loadOrtBinding } from '../../node/native/ort-binding.js';
import { BUILT_CLI, builtCliExists, cli, jsonLines, runNodeScript, tempDir, writeBlobsCsv } from './helpers.js';

/** `--backend` (issue 15): auto picks the native kernels where they load, and every choice trains the same network. */
let nativeHere = '';
try {
  loadOrtBinding();
} catch (e) {
  nativeHere = (e as Error).message;
}
/** The run's "network: …" line, which ends with the backend's name. */
const networkLine = (lines: string[]): string | undefined => lines.find((l) => l.startsWith('network: '));

if (nativeHere) console.log(`cli backend: the native comparisons are skipped here: ${nativeHere}`);

describe('--backend', () => {
  it('names the backend in the run\'s first line and refuses one it does not know', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 60, 1);
    const wasm = await cli(dir, 'train', 'blobs.csv', '--layers', '8,3', '--epochs', '1', '--backend', 'wasm');
    expect(networkLine(wasm.out)).toMatch(/, wasm-simd$/);
    const ref = await cli(dir, 'train', 'blobs.csv', '--layers', '8,3', '--epochs', '1', '--backend', 'reference');
    expect(networkLine(ref.out)).toMatch(/, ts-f32$/);
    const bad = await cli(dir, 'train', 'blobs.csv', '--backend', 'gpu');
    expect([bad.code, bad.err]).toEqual([2, ["backprop-studio: --backend must be one of auto|native|wasm|reference, got 'gpu'"]]);
  });

  it.skipIf(nativeHere !== '')('auto runs the native kernels here, and native, wasm and reference train to the same figures', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 200, 2);
    const run = async (backend: string) => {
      const r = await cli(dir, 'train', 'blobs.csv', '--layers', 'fc32,relu,fc3', '--epochs', '5', '--threads', '2', '--backend', backend, '--standardize', '--json');
      expect(r.code).toBe(0);
      return jsonLines(r).filter((l) => l.event === 'epoch').map((l) => [l.loss as number, l.trainAccuracy as number]);
    };
    const auto = await cli(dir, 'train', 'blobs.csv', '--layers', '8,3', '--epochs', '1', '--standardize');
    expect(networkLine(auto.out)).toMatch(/, native-mlas$/);
    expect(auto.err).toEqual([]);
    const [native, wasm, reference] = [await run('native'), await run('wasm'), await run('reference')];
    for (const other of [wasm, reference]) {
      native.forEach(([loss, acc], i) => {
        expect(Math.abs(loss! - other[i]![0]!) / loss!).toBeLessThan(1e-4);
        expect(acc).toBe(other[i]![1]);
      });
    }
    // The same backend and thread count give the same bits.
    expect(await run('native')).toEqual(native);
  });
});

if (!builtCliExists) console.log('cli backend: the fallback test needs the built CLI; run `npm run build:cli` (npm test does)');

describe.skipIf(!builtCliExists)('a machine without the native library', () => {
  it('says so once on stderr and trains on WebAssembly', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 60, 1);
    const run = await runNodeScript(BUILT_CLI, ['train', 'blobs.csv', '--layers', '4,3', '--epochs', '2', '--standardize'], dir, {
      ...process.env, BACKPROP_STUDIO_ORT_DIR: dir,
    });
    expect(run.code).toBe(0);
    expect(run.stderr.trim().split('\n')).toEqual([
      `note: native kernels unavailable, using WebAssembly: ONNX Runtime's native library for ${process.platform}-${process.arch} could not be loaded (${dir}/onnxruntime_binding.node: not there)`,
    ]);
    expect(networkLine(run.stdout.split('\n'))).toMatch(/, wasm-simd$/);
  }, 150_000);
});
