import { StudioError, errorMessage } from '../../errors.js';

/** simd: 128-bit SIMD, multiply then add. relaxed: + relaxed SIMD's fused multiply-add. */
export type KernelVariant = 'simd' | 'relaxed';

/** The functions asm/index.ts exports (pointers and sizes are plain numbers). */
export interface KernelExports {
  heapBase(): number;
  threadScratchBytes(): number;
  runJob(job: number, tid: number, nthreads: number): void;
  gemm(
    a: number, lda: number, transA: number, b: number, ldb: number, transB: number,
    c: number, ldc: number, M: number, N: number, K: number, accumulate: number,
    scratch: number, tid: number, nthreads: number, counter: number,
  ): void;
  addRow(x: number, rows: number, cols: number, bias: number, buf: number, tid: number, nthreads: number): void;
  sumRows(x: number, rows: number, cols: number, out: number, tid: number, nthreads: number): void;
  activationForward(kind: number, x: number, out: number, n: number, buf: number, tid: number, nthreads: number): void;
  activationBackward(kind: number, y: number, dout: number, dx: number, n: number, buf: number, tid: number, nthreads: number): void;
  expArray(x: number, out: number, n: number, buf: number): void;
  softmaxCrossEntropy(x: number, rows: number, cols: number, labels: number, y: number, buf: number, terms: number): void;
  softmaxCrossEntropyBackward(y: number, rows: number, cols: number, labels: number, dx: number): void;
  sgd(w: number, g: number, n: number, lr: number, tid: number, nthreads: number): void;
  momentum(w: number, g: number, v: number, n: number, lr: number, momentum: number, tid: number, nthreads: number): void;
  adagrad(w: number, g: number, h: number, n: number, lr: number, tid: number, nthreads: number): void;
  nesterov(
    w: number, g: number, v: number, n: number, lr: number, momentum: number,
    momentumSquared: number, step: number, tid: number, nthreads: number,
  ): void;
  rmsprop(w: number, g: number, h: number, n: number, lr: number, decay: number, keep: number, tid: number, nthreads: number): void;
  adam(
    w: number, g: number, m: number, v: number, n: number,
    lrT: number, oneMinusBeta1: number, oneMinusBeta2: number, tid: number, nthreads: number,
  ): void;
  gatherRows(
    source: number, bytes: number, cols: number, indices: number, count: number,
    scale: number, out: number, tid: number, nthreads: number,
  ): void;
  convertRows(staged: number, bytes: number, n: number, scale: number, out: number, tid: number, nthreads: number): void;
  im2col(
    x: number, C: number, H: number, W: number, K: number, S: number, P: number, OH: number, OW: number,
    col: number, n0: number, n1: number,
  ): void;
  col2im(
    dcol: number, C: number, H: number, W: number, K: number, S: number, P: number, OH: number, OW: number,
    dx: number, n0: number, n1: number,
  ): void;
  transposeSamples(src: number, P: number, F: number, bias: number, add: number, dst: number, n0: number, n1: number): void;
  maxPoolForward(
    x: number, C: number, H: number, W: number, K: number, S: number, OH: number, OW: number,
    out: number, argmax: number, n0: number, n1: number,
  ): void;
  maxPoolBackward(dout: number, argmax: number, perIn: number, perOut: number, dx: number, n0: number, n1: number): void;
  channelMeanVariance(x: number, N: number, C: number, P: number, mean: number, variance: number, c0: number, c1: number): void;
  batchNormForward(
    x: number, N: number, C: number, P: number, mean: number, variance: number, eps: number,
    gamma: number, beta: number, xhat: number, out: number, c0: number, c1: number,
  ): void;
  batchNormBackward(
    dout: number, xhat: number, N: number, C: number, P: number, variance: number, eps: number, gamma: number,
    dx: number, dgamma: number, dbeta: number, c0: number, c1: number,
  ): void;
  multiply(a: number, b: number, out: number, n: number, tid: number, nthreads: number): void;
}

export interface KernelModule {
  module: WebAssembly.Module;
  variant: KernelVariant;
  /** Built for a shared memory (threads) or a plain one. */
  shared: boolean;
  /** The memory maximum the module declares, in 64 KiB pages. */
  maxPages: number;
}

type Generated = typeof import('./generated/kernels.js');

let generated: Promise<Generated> | null = null;
const compiled = new Map<string, Promise<WebAssembly.Module>>();

function kernelSources(): Promise<Generated> {
  generated ??= import('./generated/kernels.js').catch((e: unknown) => {
    generated = null;
    throw new StudioError(
      'INTERNAL',
      `the WebAssembly kernels are not built (core/ops/wasm/generated/kernels.js): run \`npm run build:wasm\` (${errorMessage(e)})`,
    );
  });
  return generated;
}

/** Base64 to bytes with what every host has (atob: Node 16+, browsers, workers). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Whether this engine runs relaxed SIMD (Chrome 114+, Electron 25+, Firefox 120+;
 * Node 20 only with --experimental-wasm-relaxed-simd, which node/wasm-threads.ts sets).
 */
export async function relaxedSimdSupported(): Promise<boolean> {
  const { KERNELS } = await kernelSources();
  return WebAssembly.validate(decodeBase64(KERNELS.relaxedPlain));
}

/**
 * The compiled kernel module for a memory kind. `fma`: 'auto' takes the fused
 * multiply-add build where the engine validates it, true insists on it, false never.
 * Modules are compiled once per process and variant; a WebAssembly.Module can be sent
 * to workers, which instantiate it without compiling again.
 */
export async function loadKernelModule(shared: boolean, fma: boolean | 'auto' = 'auto'): Promise<KernelModule> {
  const { KERNELS, KERNELS_MAX_PAGES } = await kernelSources();
  const relaxedBytes = decodeBase64(shared ? KERNELS.relaxedShared : KERNELS.relaxedPlain);
  let variant: KernelVariant = 'simd';
  if (fma !== false && WebAssembly.validate(relaxedBytes)) variant = 'relaxed';
  else if (fma === true) {
    throw new StudioError('BAD_USAGE', 'fused multiply-add kernels were asked for, but this engine does not support relaxed SIMD');
  }
  const key = `${variant}-${shared ? 'shared' : 'plain'}`;
  let module = compiled.get(key);
  if (!module) {
    const bytes = variant === 'relaxed' ? relaxedBytes : decodeBase64(shared ? KERNELS.simdShared : KERNELS.simdPlain);
    module = WebAssembly.compile(bytes).catch((e: unknown) => {
      compiled.delete(key);
      throw new StudioError(
        'INTERNAL',
        `this engine cannot run the WebAssembly SIMD kernels (${key}): ${errorMessage(e)}`,
      );
    });
    compiled.set(key, module);
  }
  return { module: await module, variant, shared, maxPages: KERNELS_MAX_PAGES };
}
