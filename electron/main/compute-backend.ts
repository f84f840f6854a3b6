import type { ComputeBackend } from '../../contract/studio-api.js';
import type { ReloadWording } from './engine-supervisor.js';

/**
 * The user picked another compute backend in the run bar: keep it, then restart
 * the engine through the supervisor's Reload path, which forks the new engine with
 * the stored choice in its environment (engine-environment.ts) and restores the
 * network, data, weights and checkpoint into it. The renderer hears the restart and
 * then the new engine's `ready`, which names the backend actually in use.
 */

/** Names the user reads in messages (the run bar's menu shows the same choices). */
export const COMPUTE_BACKEND_NAMES: Readonly<Record<ComputeBackend, string>> = {
  auto: 'Automatic (native where available)',
  native: 'Native (ONNX Runtime)',
  wasm: 'WebAssembly',
  reference: 'Reference (TypeScript, slow)',
};

export interface BackendSwitchDeps {
  settings: { readonly computeBackend: ComputeBackend; setComputeBackend(backend: ComputeBackend): Promise<void> };
  engine: { reload(wording: ReloadWording): void };
}

/**
 * Store `backend` and restart the engine on it. The same choice again restarts
 * nothing. A failed write rejects (the renderer shows the message) and leaves the
 * engine as it was: the setting on disk and the engine running never disagree.
 */
export async function switchComputeBackend(deps: BackendSwitchDeps, backend: ComputeBackend): Promise<void> {
  if (deps.settings.computeBackend === backend) return;
  await deps.settings.setComputeBackend(backend);
  const name = COMPUTE_BACKEND_NAMES[backend];
  deps.engine.reload({
    restarting: `Restarting the engine with the compute backend ${name}…`,
    restartedHead: `The engine was restarted with the compute backend ${name}.`,
  });
}
