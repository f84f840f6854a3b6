import { availableParallelism } from 'node:os';
import { BACKEND_CHOICES, type BackendChoice } from '../node/backend-choice.js';
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
