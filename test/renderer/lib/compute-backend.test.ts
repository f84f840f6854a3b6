// The run bar's compute backend control, its logic: what the label's title says in each
// mode, when a change is refused, and the setting's round trip to main (window.studio).
import { describe, expect, it, vi } from 'vitest';
import { COMPUTE_BACKENDS, type ComputeBackend, type ComputeBackendApi } from '../../../contract/studio-api.js';
import {
  BACKEND_OPTIONS,
  backendChangeBlocked,
  backendLabel,
  backendMismatch,
  browserBackendTitle,
  ComputeBackendSetting,
  describeOps,
  desktopBackendTitle,
} from '../../../renderer/src/lib/compute-backend.svelte.js';

function fakeApi(stored: ComputeBackend = 'auto') {
  let value = stored;
  return {
    get: vi.fn(async () => value),
    set: vi.fn(async (b: ComputeBackend) => {
      value = b;
    }),
  } satisfies ComputeBackendApi;
}

describe('the menu', () => {
  it('offers every backend main accepts, in the order of the issue, with the names the user reads', () => {
    expect(BACKEND_OPTIONS.map((o) => o.value)).toEqual([...COMPUTE_BACKENDS]);
    expect(BACKEND_OPTIONS.map((o) => o.label)).toEqual(['Automatic', 'Native (ONNX Runtime)', 'WebAssembly', 'Reference (TypeScript, slow)']);
    expect(backendLabel('wasm')).toBe('WebAssembly');
  });
});

describe('the label explains itself', () => {
  it('names what each engine backend computes with', () => {
    expect(describeOps('native-mlas')).toMatch(/ONNX Runtime's native CPU kernels .* WebAssembly SIMD for the rest/);
    expect(describeOps('wasm-simd')).toBe('WebAssembly SIMD kernels');
    expect(describeOps('ts-f32')).toBe('the plain TypeScript reference kernels (slow)');
    expect(describeOps('something-new')).toBe('something-new');
  });

  it('in the browser: the Web Worker, and that the native backend is a desktop feature', () => {
    expect(browserBackendTitle('wasm-simd')).toBe(
      'The engine runs in a Web Worker on WebAssembly SIMD kernels. Choosing the compute backend, and the faster native one (ONNX Runtime), are features of the desktop app.',
    );
  });

  it('in the desktop app: what runs, the choice (which can differ: Automatic), and that a click chooses', () => {
    expect(desktopBackendTitle('wasm-simd', 'auto')).toBe(
      'The engine computes with WebAssembly SIMD kernels (compute backend: Automatic). Click to choose the compute backend.',
    );
    expect(desktopBackendTitle('native-mlas', null)).toMatch(/^The engine computes with ONNX Runtime's .*\. Click to choose/);
  });
});

describe('backendMismatch', () => {
  it('says why WebAssembly runs when Native or Automatic was chosen', () => {
    expect(backendMismatch('native', 'wasm-simd')).toBe('The native library did not load on this machine, so the engine runs wasm-simd instead.');
    expect(backendMismatch('auto', 'ts-f32')).toMatch(/runs ts-f32 instead/);
  });

  it('says nothing when what runs is what was chosen, or before anything is known', () => {
    expect(backendMismatch('native', 'native-mlas')).toBeNull();
    expect(backendMismatch('auto', 'native-mlas')).toBeNull();
    expect(backendMismatch('wasm', 'wasm-simd')).toBeNull();
    expect(backendMismatch('reference', 'ts-f32')).toBeNull();
    expect(backendMismatch(null, 'wasm-simd')).toBeNull();
    expect(backendMismatch('auto', '')).toBeNull();
  });
});

describe('backendChangeBlocked', () => {
  it('allows a change when the engine is up and no run is going (paused is fine: the run resumes)', () => {
    expect(backendChangeBlocked('ready', 'idle')).toBeNull();
    expect(backendChangeBlocked('ready', 'paused')).toBeNull();
    // After the engine gave up, a new backend is one way out.
    expect(backendChangeBlocked('failed', 'idle')).toBeNull();
  });

  it('refuses during a run and while an engine is coming up, saying why', () => {
    expect(backendChangeBlocked('ready', 'running')).toBe('Pause or stop training first: changing the backend restarts the engine.');
    expect(backendChangeBlocked('starting', 'idle')).toMatch(/starting/);
    expect(backendChangeBlocked('restarting', 'idle')).toMatch(/starting/);
  });
});

describe('ComputeBackendSetting', () => {
  it('reads the stored choice from main', async () => {
    const setting = new ComputeBackendSetting(fakeApi('reference'));
    expect(setting.choice).toBeNull();
    await setting.load();
    expect(setting.choice).toBe('reference');
  });

  it('is auto when main cannot say', async () => {
    const api = fakeApi();
    api.get.mockRejectedValueOnce(new Error('studio:get-compute-backend: refused'));
    const setting = new ComputeBackendSetting(api);
    await setting.load();
    expect(setting.choice).toBe('auto');
  });

  it('asks main to switch, once, and takes the new choice when main did', async () => {
    const api = fakeApi('auto');
    const setting = new ComputeBackendSetting(api);
    await setting.load();
    const pending = setting.choose('wasm');
    expect(setting.saving).toBe(true);
    // A second click while main is at it does not send a second restart.
    expect(await setting.choose('reference')).toBeNull();
    expect(await pending).toBeNull();
    expect(api.set.mock.calls).toEqual([['wasm']]);
    expect(setting.choice).toBe('wasm');
    expect(setting.saving).toBe(false);
  });

  it('the same choice again asks nothing of main', async () => {
    const api = fakeApi('native');
    const setting = new ComputeBackendSetting(api);
    await setting.load();
    expect(await setting.choose('native')).toBeNull();
    expect(api.set).not.toHaveBeenCalled();
  });

  it("main's refusal comes back as its one line, and the choice stays what it was", async () => {
    const api = fakeApi('auto');
    api.set.mockRejectedValueOnce(new Error('cannot save: no space left on device'));
    const setting = new ComputeBackendSetting(api);
    await setting.load();
    expect(await setting.choose('reference')).toBe('cannot save: no space left on device');
    expect(setting.choice).toBe('auto');
    expect(setting.saving).toBe(false);
  });
});
