import { StudioError } from '../errors.js';
import type { Matrix } from '../matrix.js';

/** M, N, K of out = op(a)·op(b). */
export interface GemmDims {
  M: number;
  N: number;
  K: number;
}

/**
 * The sizes of a product, checked: op(a) is M x K, op(b) must be K x N and `out` M x N.
 * One place for the check (and its message) that every fast backend makes before it
 * hands raw pointers to a kernel that would trust them.
 */
export function gemmDims(a: Matrix, transA: boolean, b: Matrix, transB: boolean, out: Matrix): GemmDims {
  const M = transA ? a.cols : a.rows;
  const K = transA ? a.rows : a.cols;
  const N = transB ? b.rows : b.cols;
  const Kb = transB ? b.cols : b.rows;
  if (Kb !== K || out.rows !== M || out.cols !== N) {
    throw new StudioError(
      'SHAPE_MISMATCH',
      `gemm: ${a.shapeString()}${transA ? 'ᵀ' : ''} · ${b.shapeString()}${transB ? 'ᵀ' : ''} cannot go into ${out.shapeString()}`,
    );
  }
  return { M, N, K };
}
