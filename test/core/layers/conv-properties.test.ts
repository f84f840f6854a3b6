import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createReferenceOps } from '../../../core/ops/reference.js';
import type { WindowGeometry } from '../../../core/ops/types.js';
import { planLayers } from '../../../core/layers/registry.js';
import { shapeSize } from '../../../core/layers/shape.js';
import { buildNetwork } from '../../../core/network.js';
import { Matrix } from '../../../core/matrix.js';
import { Rng } from '../../../core/rng.js';

const ops = createReferenceOps('f64');

/** A window geometry that fits: kernel no larger than the padded input. */
const geometry = fc
  .record({
    channels: fc.integer({ min: 1, max: 3 }),
    height: fc.integer({ min: 1, max: 7 }),
    width: fc.integer({ min: 1, max: 7 }),
    kernel: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 3 }),
    pad: fc.integer({ min: 0, max: 2 }),
  })
  .filter((g) => g.kernel <= g.height + 2 * g.pad && g.kernel <= g.width + 2 * g.pad)
  .map((g): WindowGeometry => ({
    ...g,
    outHeight: Math.floor((g.height + 2 * g.pad - g.kernel) / g.stride) + 1,
    outWidth: Math.floor((g.width + 2 * g.pad - g.kernel) / g.stride) + 1,
  }));

function random(rows: number, cols: number, rng: Rng): Matrix<Float64Array> {
  const m = Matrix.zeros64(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('im2col and col2im', () => {
  it('are adjoint: <im2col(x), y> = <x, col2im(y)> for every geometry (stride, padding, overlap)', () => {
    fc.assert(
      fc.property(geometry, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 }), (g, n, seed) => {
        const rng = new Rng(seed);
        const chw = g.channels * g.height * g.width;
        const rows = n * g.outHeight * g.outWidth, ckk = g.channels * g.kernel * g.kernel;
        const x = random(n, chw, rng);
        const y = random(rows, ckk, rng);
        const col = Matrix.zeros64(rows, ckk);
        const back = Matrix.zeros64(n, chw);
        ops.im2col(x, g, col);
        ops.col2im(y, g, back);
        const left = dot(col.data, y.data), right = dot(x.data, back.data);
        expect(Math.abs(left - right)).toBeLessThan(1e-9 * (1 + Math.abs(left)));
      }),
      { numRuns: 150 },
    );
  });

  it('rowsToChannels and channelsToRows undo each other', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 }), (n, f, p) => {
        const rng = new Rng(n * 100 + f * 10 + p);
        const rows = random(n * p, f, rng);
        const images = Matrix.zeros64(n, f * p);
        const again = Matrix.zeros64(n * p, f);
        ops.rowsToChannels(rows, null, images);
        ops.channelsToRows(images, again);
        expect(Array.from(again.data)).toEqual(Array.from(rows.data));
      }),
    );
  });
});

describe('the shape algebra of the layer-kind table', () => {
  it('every planned layer feeds the next, and a built network computes exactly those widths', () => {
    const layer = fc.oneof(
      fc.record({ kind: fc.constant('conv' as const), filters: fc.integer({ min: 1, max: 3 }), size: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('pool' as const), size: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }) }),
      fc.constant({ kind: 'relu' as const }),
      fc.constant({ kind: 'batchnorm' as const }),
      fc.constant({ kind: 'flatten' as const }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 4, max: 9 }), fc.array(layer, { maxLength: 4 }), (c, side, body) => {
        const spec = {
          inputSize: c * side * side, inputShape: [c, side, side] as [number, number, number],
          layers: [...body, { kind: 'affine' as const, units: 3 }], loss: 'softmax-cross-entropy' as const,
        };
        let plan;
        try {
          plan = planLayers(spec);
        } catch (e) {
          // Impossible shapes are refused with one line naming the layer, its token and its input.
          expect((e as Error).message).toMatch(/^field layers\[\d+\]: network spec: layer \d+ \(\w+\) on input [\dx]+: /);
          return;
        }
        plan.forEach((l, i) => {
          if (i > 0) expect(l.input).toEqual(plan[i - 1]!.output);
          expect(l.output.every((d) => Number.isInteger(d) && d >= 1)).toBe(true);
        });
        const net = buildNetwork(spec, { ops });
        const x = random(2, spec.inputSize, new Rng(side));
        let h: Matrix = x;
        net.layers.forEach((layer, i) => {
          h = layer.forward(h, true);
          expect(h.cols).toBe(shapeSize(plan[i]!.output));
          expect(layer.outputShape).toEqual(plan[i]!.output);
        });
      }),
      { numRuns: 120 },
    );
  });

  it('names the token and the shapes when a kernel is larger than its input or a pool does not fit', () => {
    expect(() => planLayers({ inputSize: 9, inputShape: [1, 3, 3], layers: [{ kind: 'conv', filters: 2, size: 5, stride: 1, pad: 0 }] })).toThrow(
      'field layers[0]: network spec: layer 1 (conv2x5) on input 1x3x3: kernel 5x5 is larger than its input 1x3x3',
    );
    expect(() => planLayers({ inputSize: 16, inputShape: [1, 4, 4], layers: [{ kind: 'conv', filters: 2, size: 3, stride: 1, pad: 0 }, { kind: 'pool', size: 3 }] })).toThrow(
      'layer 2 (pool3) on input 2x2x2: pool window 3x3 is larger than its input 2x2x2',
    );
    expect(() => planLayers({ inputSize: 10, layers: [{ kind: 'conv', filters: 2, size: 3, stride: 1, pad: 0 }] })).toThrow(
      /layer 1 \(conv2x3\) on input 10: convolution needs an image/,
    );
  });
});
