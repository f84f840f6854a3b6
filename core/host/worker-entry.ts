import { errorMessage } from '../errors.js';
import type { Ops } from '../ops/types.js';
import { createReferenceOps } from '../ops/reference.js';
import { createWasmOps } from '../ops/wasm/wasm-ops.js';
import { batchOutgoing } from '../protocol/batching-port.js';
import { fromEventTarget, type EventTargetPort } from '../protocol/port.js';
import { createHost } from './host.js';

/**
 * Web Worker entry for browser mode: the whole engine host, talking to the page
 * through the worker's own global scope (`self.postMessage` / `message` events).
 * The renderer creates it with
 *   new Worker(new URL('…/core/host/worker-entry.ts', import.meta.url), { type: 'module' })
 *
 * The backend is the WebAssembly SIMD one (on every core when the page is
 * cross-origin isolated, else on one thread); if WebAssembly cannot start, the
 * TypeScript kernels, so the studio still trains. `ready.ops` names what runs.
 */
async function browserOps(): Promise<Ops> {
  try {
    return await createWasmOps();
  } catch (e) {
    console.warn(`[engine] the WebAssembly kernels did not start (${errorMessage(e)}); using the TypeScript kernels`);
    return createReferenceOps('f32');
  }
}

// The page hears one message per engine task (batching-port.ts says why).
createHost(batchOutgoing(fromEventTarget(self as unknown as EventTargetPort)), { ops: browserOps });
