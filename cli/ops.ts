import { availableParallelism } from 'node:os';
import { BACKEND_CHOICES, createNodeOps, type BackendChoice, type ChosenOps } from '../node/backend-choice.js';
import { choiceOption, numberOption, type ParsedCommand } from './args.js';

/** How a command computes: `--backend` and `--threads`. */
export interface ComputeOptions {
  backend: BackendChoice;
  threads: number;
}

/** `--threads N`: 1..64, default all cores. The same backend and thread count give the same run bit for bit. */
export function threadsOption(values: ParsedCommand['values']): number {
  return numberOption(values, 'threads', availableParallelism(), { integer: true, min: 1, max: 64 });
}

/** `--backend auto|native|wasm|reference` (default auto: native where its library loads) and `--threads`. */
export function computeOptions(values: ParsedCommand['values']): ComputeOptions {
  return { backend: choiceOption(values, 'backend', BACKEND_CHOICES, 'auto'), threads: threadsOption(values) };
}

/**
 * The numeric backend for CLI runs (node/backend-choice.ts): by default products on
 * ONNX Runtime's native kernels and the rest on WebAssembly, or the WebAssembly SIMD
 * kernels on worker threads where the native library does not load.
 */
export async function createCliOps(compute: ComputeOptions): Promise<ChosenOps> {
  return createNodeOps(compute);
}
