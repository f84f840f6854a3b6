/**
 * Matrix products on ONNX Runtime's CPU kernels (MLAS): one tiny ONNX model per
 * variant — a single Gemm node with transA/transB fixed and every dimension symbolic —
 * loaded once, then run synchronously on the engine's own buffers. Inputs are wrapped,
 * not copied, and the output is bound to `out`, so ONNX Runtime writes the product where
 * the layer expects it.
 *
 * Variants: (transA, transB) x (overwrite, accumulate): 8 sessions. Accumulating feeds
 * `out` as Gemm's C with beta = 1 and binds the same buffer as the result; the Gemm
 * kernel reads C into the result before adding (checked against the reference in
 * test/node/native).
 */
import onnxProto from 'onnx-proto';
import type { Tensor } from 'onnxruntime-common';
import type { Matrix } from '../../core/matrix.js';
import type { LoadedOrt, OrtBindingSession } from './ort-binding.js';
import { DroppedCopies, type CopyRemedy } from './dropped-copies.js';

const { onnx } = onnxProto;

export interface NativeGemmOptions {
  /** ONNX Runtime's intra-op threads (the calling thread included). */
  threads: number;
  /**
   * Let ONNX Runtime's idle pool threads spin for a while before sleeping: shorter
   * wake-ups between products, but a core kept busy while JavaScript runs the rest of
   * a step. See NativeOpsOptions.spinning.
   */
  spinning: boolean;
  /** Detach the binding's output copies as `run` returns them (dropped-copies.ts), where the runtime can. */
  detachCopies: boolean;
  /**
   * Where copies cannot be detached: collect the young generation each time this many bytes
   * of them have been dropped (Infinity: never).
   */
  collectEveryBytes: number;
}

export interface NativeGemm {
  /**
   * out = op(a) · op(b) (+ out when accumulate). Shapes are the caller's to check.
   * `oneThread`: on the calling thread alone, whatever `threads` is (small products).
   */
  run(a: Matrix, transA: boolean, b: Matrix, transB: boolean, out: Matrix, accumulate: boolean, oneThread?: boolean): void;
  /** How the binding's output copies are given back (dropped-copies.ts). */
  readonly copyRemedy: CopyRemedy;
  dispose(): void;
}

/** ONNX's Gemm with symbolic sizes; `acc` adds the input C (beta 1). */
export function gemmModelBytes(transA: boolean, transB: boolean, accumulate: boolean): Uint8Array {
  const tensor = (name: string, dims: [string, string]): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimParam: d })) } } },
  });
  const INT = onnx.AttributeProto.AttributeType.INT;
  const attribute: onnxProto.onnx.IAttributeProto[] = [
    { name: 'transA', type: INT, i: transA ? 1 : 0 },
    { name: 'transB', type: INT, i: transB ? 1 : 0 },
  ];
  if (accumulate) attribute.push({ name: 'beta', type: onnx.AttributeProto.AttributeType.FLOAT, f: 1 });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'backprop-studio native backend',
    graph: {
      name: 'gemm',
      node: [{ opType: 'Gemm', name: 'gemm', input: accumulate ? ['a', 'b', 'c_in'] : ['a', 'b'], output: ['c'], attribute }],
      input: [tensor('a', ['ar', 'ac']), tensor('b', ['br', 'bc']), ...(accumulate ? [tensor('c_in', ['m', 'n'])] : [])],
      output: [tensor('c', ['m', 'n'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export async function createNativeGemm(ort: LoadedOrt, opts: NativeGemmOptions): Promise<NativeGemm> {
  const sessionOptions = (threads: number) => ({
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // The arena keeps MLAS's packing buffers from one product to the next instead of
    // allocating them afresh on every call (large ones are fresh, zeroed pages each time).
    enableCpuMemArena: true,
    enableMemPattern: false,
    extra: { session: { intra_op: { allow_spinning: opts.spinning ? '1' : '0' } } },
  });
  // Sessions 0-7 run on `threads`; with more than one, 8-15 are the same products on the
  // calling thread alone (a session's pool size is fixed when it is made).
  const sessions: OrtBindingSession[] = [];
  try {
    for (const threads of opts.threads > 1 ? [opts.threads, 1] : [1]) {
      for (let v = 0; v < 8; v++) {
        const bytes = gemmModelBytes((v & 1) !== 0, (v & 2) !== 0, (v & 4) !== 0);
        const s = new ort.binding.InferenceSession();
        sessions.push(s);
        // protobufjs hands out a view into a shared pool (a Node Buffer): pass its place in that pool.
        await s.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, sessionOptions(threads));
      }
    }
  } catch (e) {
    for (const s of sessions) {
      try {
        s.dispose();
      } catch {
        // a session whose model never loaded has nothing to free
      }
    }
    throw e;
  }

  // One Tensor wrapper per buffer and shape: layers reuse their matrices every step.
  const wrappers = new WeakMap<Float32Array, Tensor>();
  const wrap = (m: Matrix): Tensor => {
    const data = m.data as Float32Array;
    const t = wrappers.get(data);
    if (t && t.dims[0] === m.rows && t.dims[1] === m.cols) return t;
    const fresh = new ort.Tensor('float32', data, [m.rows, m.cols]);
    wrappers.set(data, fresh);
    return fresh;
  };
  const noOptions = {};
  const copies = new DroppedCopies({ detach: opts.detachCopies, collectEveryBytes: opts.collectEveryBytes });

  return {
    run(a, transA, b, transB, out, accumulate, oneThread = false) {
      const single = oneThread && sessions.length > 8 ? 8 : 0;
      const s = sessions[single + ((transA ? 1 : 0) | (transB ? 2 : 0) | (accumulate ? 4 : 0))]!;
      const c = wrap(out);
      const result = accumulate ? s.run({ a: wrap(a), b: wrap(b), c_in: c }, { c }, noOptions) : s.run({ a: wrap(a), b: wrap(b) }, { c }, noOptions);
      // The binding returned a copy of `out`, which nobody reads.
      copies.dropped(result.c?.data as ArrayBufferView | undefined, out.data);
    },
    copyRemedy: copies.remedy,
    dispose() {
      for (const s of sessions.splice(0)) s.dispose();
    },
  };
}
