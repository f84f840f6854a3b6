import { errorMessage } from '../../core/errors.js';
import { createReferenceOps } from '../../core/ops/reference.js';
import type { Ops } from '../../core/ops/types.js';
import { availableParallelism } from 'node:os';
import { createNodeOps, isBackendChoice, type BackendChoice } from '../../node/backend-choice.js';

/**
 * The numeric backend of the desktop engine (node/backend-choice.ts): by default the
 * products on ONNX Runtime's native kernels and the rest on WebAssembly, the WebAssembly
 * SIMD kernels on worker threads where the native library does not load, and the plain
 * TypeScript reference kernels if those cannot start either, so the studio still trains
 * (slower) instead of failing. Main passes the user's choice (Settings › Compute backend)
 * and thread count in the environment; the `ready` event names the backend in use and
 * carries the note when it is not the one asked for.
 */
export const THREADS_ENV = 'BACKPROP_STUDIO_THREADS';
export const BACKEND_ENV = 'BACKPROP_STUDIO_BACKEND';

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

/** The backend asked for in the environment (default auto). */
export function backendFromEnv(env: Record<string, string | undefined>): BackendChoice {
  const raw = env[BACKEND_ENV]?.trim();
  if (!raw) return 'auto';
  if (!isBackendChoice(raw)) {
    console.warn(`[engine] ${BACKEND_ENV}=${raw} is not auto, native, wasm or reference; using auto`);
    return 'auto';
  }
  return raw;
}

export async function loadEngineOps(env: Record<string, string | undefined> = process.env): Promise<Ops> {
  const threads = threadsFromEnv(env) ?? availableParallelism();
  try {
    // No spinning pool threads in the studio: an idle core belongs to the window drawing the charts.
    const { ops, note } = await createNodeOps({ backend: backendFromEnv(env), threads, spinning: false, env });
    if (note) {
      console.warn(`[engine] ${note}`);
      ops.note = note;
    }
    return ops;
  } catch (e) {
    const note = `the WebAssembly kernels did not start (${errorMessage(e)}); using the TypeScript kernels`;
    console.warn(`[engine] ${note}`);
    const ops = createReferenceOps('f32');
    ops.note = note;
    return ops;
  }
}
