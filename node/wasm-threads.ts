/**
 * The WebAssembly backend for Node hosts (the CLI, the bench, tests, the Electron
 * utility process): kernel threads as worker_threads, and relaxed SIMD switched on
 * where Node's V8 still keeps it behind a flag (Node 20; Electron 25+ has it on).
 * Lives outside core/ because it imports node: modules; core/ only sees the ThreadPool.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { ThreadPool, WorkerEndpoint } from '../core/ops/threads/types.js';
import { createWasmOps, type WasmOps, type WasmOpsOptions } from '../core/ops/wasm/wasm-ops.js';

/** A pool that starts kernel workers as worker_threads. They never keep the process alive. */
export function createNodeThreadPool(): ThreadPool {
  return {
    kind: 'node-worker_threads',
    cores: availableParallelism(),
    spawn(source: string, name: string): WorkerEndpoint {
      const worker = new Worker(source, { eval: true, name });
      // A CLI run ends when its work ends: idle kernel threads must not hold it open.
      worker.unref();
      return {
        postMessage: (m) => worker.postMessage(m),
        onMessage: (l) => void worker.on('message', l),
        onError: (l) => void worker.on('error', l),
        terminate: () => worker.terminate(),
      };
    },
  };
}

let relaxedTried = false;

/**
 * Let V8 validate relaxed SIMD (fused multiply-add). Node 20's V8 (11.3) ships it
 * behind --experimental-wasm-relaxed-simd; newer V8 has it on and ignores this.
 * It must run before the kernels are compiled; flags are per process, so the
 * worker threads see it too.
 */
export function enableRelaxedSimd(): void {
  if (relaxedTried) return;
  relaxedTried = true;
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/** createWasmOps with worker_threads and, by default, every core (os.availableParallelism()). */
export async function createNodeWasmOps(opts: Omit<WasmOpsOptions, 'pool'> = {}): Promise<WasmOps> {
  if (opts.fma !== false) enableRelaxedSimd();
  return createWasmOps({ ...opts, pool: createNodeThreadPool() });
}
