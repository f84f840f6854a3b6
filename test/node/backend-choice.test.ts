import { describe, expect, it } from 'vitest';
import { createNodeOps, isBackendChoice } from '../../node/backend-choice.js';
import { ORT_DIR_ENV, bindingCandidates } from '../../node/native/ort-binding.js';
import { StudioError } from '../../core/errors.js';

async function disposeOf(ops: object): Promise<void> {
  await (ops as { dispose?: () => Promise<void> }).dispose?.();
}

describe('choosing the numeric backend (issue 15)', () => {
  it('reference and wasm are what they say, with no note', async () => {
    const ref = await createNodeOps({ backend: 'reference', threads: 1 });
    expect([ref.ops.name, ref.note]).toEqual(['ts-f32', '']);
    const wasm = await createNodeOps({ backend: 'wasm', threads: 1 });
    expect([wasm.ops.name, wasm.note]).toEqual(['wasm-simd', '']);
    await disposeOf(wasm.ops);
  });

  it('falls back to WebAssembly when the native library cannot load, and says why once', async () => {
    for (const backend of ['auto', 'native'] as const) {
      const chosen = await createNodeOps({
        backend, threads: 1,
        createNative: () => Promise.reject(new StudioError('UNAVAILABLE', 'no binary for plan9-mips')),
      });
      expect(chosen.ops.name).toBe('wasm-simd');
      expect(chosen.note).toBe('native kernels unavailable, using WebAssembly: no binary for plan9-mips');
      await disposeOf(chosen.ops);
    }
  });

  it(`${ORT_DIR_ENV} is the only place looked at when set: a folder without the binary means WebAssembly and a note naming the file`, async () => {
    expect(bindingCandidates({ [ORT_DIR_ENV]: '/nowhere' }, '/opt/app/resources')).toEqual(['/nowhere']);
    // Nothing in this file loads the real binding first (the loader keeps one once loaded).
    const chosen = await createNodeOps({ backend: 'auto', threads: 1, env: { [ORT_DIR_ENV]: '/nowhere' } });
    expect(chosen.ops.name).toBe('wasm-simd');
    expect(chosen.note).toMatch(/^native kernels unavailable, using WebAssembly: ONNX Runtime's native library for .* could not be loaded \(\/nowhere\/onnxruntime_binding\.node: not there\)$/);
    await disposeOf(chosen.ops);
  });

  it('a packaged app looks in its resources folder before node_modules', () => {
    const dirs = bindingCandidates({}, '/opt/app/resources');
    expect(dirs[0]).toBe('/opt/app/resources/onnxruntime');
  });

  it('refuses a backend it does not know, naming the choices', async () => {
    expect(isBackendChoice('gpu')).toBe(false);
    await expect(createNodeOps({ backend: 'gpu' as never, threads: 1 })).rejects.toThrow(
      new StudioError('BAD_USAGE', 'backend must be one of auto, native, wasm, reference, got "gpu"'),
    );
  });
});
