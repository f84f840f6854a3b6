/**
 * The matrix products the bench times: SGEMM at 1024^3 and every product of the
 * Affine layers in W1 and W2, including the transposed ones of the backward pass
 * (xᵀ·dout for dW, dout·Wᵀ for dx).
 */
export interface GemmShape {
  /** Short label: "1024^3", "W1 fc1 x·W". */
  name: string;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
}

function affine(workload: string, layer: string, batch: number, inputs: number, outputs: number): GemmShape[] {
  return [
    { name: `${workload} ${layer} x·W`, M: batch, N: outputs, K: inputs, transA: false, transB: false },
    { name: `${workload} ${layer} xᵀ·dout`, M: inputs, N: outputs, K: batch, transA: true, transB: false },
    { name: `${workload} ${layer} dout·Wᵀ`, M: batch, N: inputs, K: outputs, transA: false, transB: true },
  ];
}

export const GEMM_SHAPES: GemmShape[] = [
  { name: '1024^3', M: 1024, N: 1024, K: 1024, transA: false, transB: false },
  ...affine('W1', 'fc1', 100, 784, 50),
  ...affine('W1', 'fc2', 100, 50, 10),
  ...affine('W2', 'fc1', 128, 784, 512),
  ...affine('W2', 'fc2', 128, 512, 512),
  ...affine('W2', 'fc3', 128, 512, 10),
];

export function gemmFlops(s: GemmShape): number {
  return 2 * s.M * s.N * s.K;
}
