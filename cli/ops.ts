import { availableParallelism } from 'node:os';
import type { Ops } from '../core/ops/types.js';
import { createNodeWasmOps } from '../node/wasm-threads.js';
import { numberOption, type ParsedCommand } from './args.js';

/** `--threads N`: 1..64, default all cores. The same thread count gives the same run bit for bit. */
export function threadsOption(values: ParsedCommand['values']): number {
  return numberOption(values, 'threads', availableParallelism(), { integer: true, min: 1, max: 64 });
}

/**
 * The numeric backend for CLI runs: the WebAssembly SIMD kernels, large products
 * split over `threads` worker threads. (The plain TypeScript kernels are the
 * reference the tests compare these against; they are 10-30x slower.)
 */
export async function createCliOps(threads: number): Promise<Ops> {
  return createNodeWasmOps({ threads });
}
