import { errorMessage } from '../../../core/errors.js';
import type { ComputeBackend, ComputeBackendApi } from '../../../contract/studio-api.js';
import type { EngineHealth } from './engine-link.js';

/**
 * The compute backend control in the run bar ("engine: native-mlas"). In the
 * desktop app the user picks the backend the engine should run on; main stores
 * the choice and restarts the engine on it, keeping the network, data and weights
 * (electron/main/compute-backend.ts). The label always shows what the engine's
 * `ready` said it runs, which may differ from the choice (Automatic, or a native
 * library that did not load here). Browser mode has no choice to make: its engine
 * is a Web Worker on WebAssembly.
 */

export interface BackendOption {
  value: ComputeBackend;
  label: string;
  /** One line under the label in the menu. */
  detail: string;
}

export const BACKEND_OPTIONS: readonly BackendOption[] = [
  { value: 'auto', label: 'Automatic', detail: 'native where available, else WebAssembly' },
  { value: 'native', label: 'Native (ONNX Runtime)', detail: 'matrix products on native CPU kernels' },
  { value: 'wasm', label: 'WebAssembly', detail: 'SIMD kernels on worker threads' },
  { value: 'reference', label: 'Reference (TypeScript, slow)', detail: 'the plain kernels the tests check against' },
];

export function backendLabel(value: ComputeBackend): string {
  return BACKEND_OPTIONS.find((o) => o.value === value)?.label ?? value;
}

/** What the engine's ops name ("native-mlas", "wasm-simd", "ts-f32") means, for the control's title. */
export function describeOps(ops: string): string {
  if (ops === 'native-mlas') return "ONNX Runtime's native CPU kernels (MLAS) for the matrix products, WebAssembly SIMD for the rest";
  if (ops === 'wasm-simd') return 'WebAssembly SIMD kernels';
  if (ops === 'ts-f32' || ops === 'ts-f64') return 'the plain TypeScript reference kernels (slow)';
  return ops;
}

/** The title of the label in browser mode, where there is nothing to choose. */
export function browserBackendTitle(ops: string): string {
  return (
    `The engine runs in a Web Worker on ${describeOps(ops)}. ` +
    'Choosing the compute backend, and the faster native one (ONNX Runtime), are features of the desktop app.'
  );
}

/** The title of the control in the desktop app. */
export function desktopBackendTitle(ops: string, choice: ComputeBackend | null): string {
  const chosen = choice === null ? '' : ` (compute backend: ${backendLabel(choice)})`;
  return `The engine computes with ${describeOps(ops)}${chosen}. Click to choose the compute backend.`;
}

/**
 * When what runs is not what was chosen, why (shown in the menu): Native or Automatic
 * chosen but the native library did not load on this machine (the engine said so once
 * in a warning notice too), so WebAssembly runs instead. Null when they agree.
 */
export function backendMismatch(choice: ComputeBackend | null, ops: string): string | null {
  if ((choice === 'native' || choice === 'auto') && ops !== '' && ops !== 'native-mlas') {
    return `The native library did not load on this machine, so the engine runs ${ops} instead.`;
  }
  return null;
}

/**
 * Why the backend cannot be changed right now, or null when it can. Changing it
 * restarts the engine: not in the middle of a training run (Pause first: the
 * restored run resumes from its last epoch), and not while an engine is coming up.
 */
export function backendChangeBlocked(health: EngineHealth, runState: string): string | null {
  if (health === 'starting' || health === 'restarting') return 'The engine is starting; wait a moment.';
  if (runState === 'running') return 'Pause or stop training first: changing the backend restarts the engine.';
  return null;
}

/** The stored choice and its change, over window.studio.computeBackend. */
export class ComputeBackendSetting {
  /** The stored choice; null until read from main. */
  choice = $state<ComputeBackend | null>(null);
  /** A change is being saved (the engine restart that follows shows in the engine's health). */
  saving = $state(false);

  constructor(private readonly api: ComputeBackendApi) {}

  /** Read the stored choice; when main cannot say, `auto` (what main uses then too). */
  async load(): Promise<void> {
    try {
      this.choice = await this.api.get();
    } catch {
      this.choice = 'auto';
    }
  }

  /**
   * Ask main to switch. Resolves with null when done (or nothing changed), or the
   * one-line reason it was refused (main could not save the setting), for a notice.
   */
  async choose(backend: ComputeBackend): Promise<string | null> {
    if (backend === this.choice || this.saving) return null;
    this.saving = true;
    try {
      await this.api.set(backend);
      this.choice = backend;
      return null;
    } catch (e) {
      return errorMessage(e);
    } finally {
      this.saving = false;
    }
  }
}
