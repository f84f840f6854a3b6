import { availableParallelism } from 'node:os';
import { createReferenceOps } from '../core/ops/reference.js';
import type { Ops } from '../core/ops/types.js';
import { numberOption, type ParsedCommand } from './args.js';

/** `--threads N`: 1..64, default all cores. */
export function threadsOption(values: ParsedCommand['values']): number {
  return numberOption(values, 'threads', availableParallelism(), { integer: true, min: 1, max: 64 });
}

/** The numeric backend for CLI runs. */
export async function createCliOps(_threads: number): Promise<Ops> {
  return createReferenceOps('f32');
}
