import type { Ops } from '../core/ops/types.js';
import type { CliIO } from './io.js';
import { createNodeOps } from '../node/backend-choice.js';
import type { ComputeOptions } from './ops.js';

/**
 * Run `use` on a fresh numeric backend (node/backend-choice.ts: by default products on
 * ONNX Runtime's native kernels, the rest on WebAssembly) and always shut it down after,
 * error or not. The WebAssembly backend runs kernel worker threads; a command that
 * left them running would print its last line and then never exit. When the backend
 * is not the one asked for (no native library here), stderr says why, once.
 */
export async function withCliOps<T>(compute: ComputeOptions, io: Pick<CliIO, 'err'>, use: (ops: Ops) => Promise<T> | T): Promise<T> {
  const { ops, note } = await createNodeOps(compute);
  if (note) io.err(`note: ${note}`);
  try {
    return await use(ops);
  } finally {
    const dispose = (ops as Ops & { dispose?: () => unknown }).dispose;
    if (typeof dispose === 'function') await dispose.call(ops);
  }
}
