import type { Ops } from '../core/ops/types.js';
import { createReferenceOps } from '../core/ops/reference.js';

/**
 * The numeric backend of the desktop engine.
 */
export async function loadEngineOps(): Promise<Ops> {
  return createReferenceOps('f32');
}
