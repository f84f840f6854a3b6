import { errorMessage } from '../../core/errors.js';
import { createReferenceOps } from '../../core/ops/reference.js';
import type { Ops } from '../../core/ops/types.js';
import { createNodeWasmOps } from '../../node/wasm-threads.js';

/**
 * The numeric backend of the desktop engine: the WebAssembly SIMD kernels with
 * worker threads (all cores, or BACKPROP_STUDIO_THREADS=1..64), and the plain
 * TypeScript reference kernels if those cannot start, so the studio still trains
 * (slower) instead of failing. The `ready` event names the backend in use.
 */
export const THREADS_ENV = 'BACKPROP_STUDIO_THREADS';

/** The thread count asked for in the environment, or undefined for "all cores". */
export function threadsFromEnv(env: Record<string, string | undefined>): number | undefined {
  const raw = env[THREADS_ENV]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    console.warn(`[engine] ${THREADS_ENV}=${raw} is not a whole number from 1 to 64; using all cores`);
    return undefined;
  }
  return n;
}

export async function loadEngineOps(env: Record<string, string | undefined> = process.env): Promise<Ops> {
  const threads = threadsFromEnv(env);
  try {
    return await createNodeWasmOps(threads === undefined ? {} : { threads });
  } catch (e) {
    console.warn(`[engine] the WebAssembly kernels did not start (${errorMessage(e)}); using the TypeScript kernels`);
    return createReferenceOps('f32');
  }
}
