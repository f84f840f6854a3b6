import type { Ops } from '../core/ops/types.js';
import { createCliOps } from './ops.js';

/**
 * Run `use` on a fresh numeric backend and always shut the backend down after,
 * error or not. The WebAssembly backend runs kernel worker threads; a command that
 * left them running would print its last line and then never exit.
 */
export async function withCliOps<T>(threads: number, use: (ops: Ops) => Promise<T> | T): Promise<T> {
  const ops = await createCliOps(threads);
  try {
    return await use(ops);
  } finally {
    const dispose = (ops as Ops & { dispose?: () => unknown }).dispose;
    if (typeof dispose === 'function') await dispose.call(ops);
  }
}
