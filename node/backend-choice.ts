/**
 * Which numeric backend a Node host (the CLI, the desktop engine, the bench) runs:
 *   native     products on ONNX Runtime's native CPU kernels, the rest on WebAssembly
 *              (node/native/native-ops.ts);
 *   wasm       the WebAssembly SIMD kernels on worker threads (what browser mode runs);
 *   reference  the plain TypeScript kernels (the oracle of the tests; 10-30x slower);
 *   auto       native where its library loads here, else wasm.
 * A native backend that cannot load (no binary for this platform, a damaged install)
 * never stops a run: the WebAssembly one takes over and `note` says why, once.
 */
import { StudioError, errorMessage } from '../core/errors.js';
import { createReferenceOps } from '../core/ops/reference.js';
import type { Ops } from '../core/ops/types.js';
import { createNativeOps } from './native/native-ops.js';
import { createNodeWasmOps } from './wasm-threads.js';

export const BACKEND_CHOICES = ['auto', 'native', 'wasm', 'reference'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isBackendChoice(value: unknown): value is BackendChoice {
  return typeof value === 'string' && (BACKEND_CHOICES as readonly string[]).includes(value);
}

export interface NodeOpsOptions {
  backend: BackendChoice;
  threads: number;
  /** Native only: let ONNX Runtime's idle threads spin (see NativeOpsOptions.spinning). */
  spinning?: boolean;
  env?: Record<string, string | undefined>;
  /** For tests: how the native backend is made (default createNativeOps). */
  createNative?: typeof createNativeOps;
}

export interface ChosenOps {
  ops: Ops;
  /** '' when the backend is the one asked for; else one sentence saying what runs instead and why. */
  note: string;
}

export async function createNodeOps(opts: NodeOpsOptions): Promise<ChosenOps> {
  const { backend, threads } = opts;
  if (!isBackendChoice(backend)) {
    throw new StudioError('BAD_USAGE', `backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${String(backend)}"`);
  }
  if (backend === 'reference') return { ops: createReferenceOps('f32'), note: '' };
  if (backend === 'native' || backend === 'auto') {
    const make = opts.createNative ?? createNativeOps;
    try {
      return { ops: await make({ threads, spinning: opts.spinning, env: opts.env }), note: '' };
    } catch (e) {
      const ops = await createNodeWasmOps({ threads });
      return { ops, note: `native kernels unavailable, using WebAssembly: ${errorMessage(e)}` };
    }
  }
  return { ops: await createNodeWasmOps({ threads }), note: '' };
}
