import { describe, expect, it } from 'vitest';
import { createWasmOps } from '../../../core/ops/wasm/wasm-ops.js';
import { buildNetwork, validateSpec } from '../../../core/network.js';
import { StudioError } from '../../../core/errors.js';

/** Limits keep a typo from allocating gigabytes; what still does not fit is one clear error, never a crash. */
describe('memory of convolutional networks', () => {
  it('a batch whose im2col rows do not fit in WebAssembly memory is a TOO_LARGE error naming the memory', async () => {
    const ops = await createWasmOps({ threads: 1, memoryMB: 16, sharedMemory: false });
    const net = buildNetwork(
      { inputSize: 784, inputShape: [1, 28, 28], layers: [{ kind: 'conv', filters: 30, size: 5, stride: 1, pad: 0 }, { kind: 'affine', units: 10 }], loss: 'softmax-cross-entropy' },
      { ops },
    );
    const x = ops.alloc(400, 784); // the im2col rows alone are 400·576·25 floats = 23 MB
    let error: unknown;
    try {
      net.forward(x, true);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StudioError);
    expect((error as StudioError).code).toBe('TOO_LARGE');
    expect((error as Error).message).toMatch(/^out of WebAssembly memory: .* more needed, .* in use of at most 16(\.0)? MB; use a smaller network or batch$/);
    // Smaller batches still run on the same backend afterwards.
    expect(net.forward(ops.alloc(4, 784), true).rows).toBe(4);
    await ops.dispose();
  });

  it('the spec limits refuse a typo before anything is allocated: channels, kernel, per-sample activations', () => {
    const image = (layers: unknown[]) => ({ inputSize: 3 * 64 * 64, inputShape: [3, 64, 64], layers: [...layers, { kind: 'affine', units: 2 }] });
    expect(() => validateSpec(image([{ kind: 'conv', filters: 30000, size: 3 }]))).toThrow('network spec field layers[0].filters: Too big: expected number to be <=4096');
    expect(() => validateSpec(image([{ kind: 'conv', filters: 8, size: 300 }]))).toThrow('network spec field layers[0].size: Too big: expected number to be <=64');
    expect(() => validateSpec(image([{ kind: 'conv', filters: 4096, size: 3, pad: 60 }]))).toThrow(
      /layer 1 \(conv4096x3p60\) on input 3x64x64: gives 4096x182x182 = 135,675,904 values per sample, over the limit of 16,777,216/,
    );
  });
});
