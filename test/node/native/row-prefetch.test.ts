import { describe, expect, it } from 'vitest';
import { createReferenceOps } from '../../../core/ops/reference.js';
import { Matrix } from '../../../core/matrix.js';
import { createNativeOps } from '../../../node/native/native-ops.js';
import { loadOrtBinding } from '../../../node/native/ort-binding.js';
import { prefetchRows } from '../../../node/native/row-prefetch.js';

/*
 * Before a batch is gathered, the native backend reads the first and last element of each
 * of its rows so that their cache and TLB misses overlap. Reading must change nothing:
 * not the data, not the gathered batch, not which bad index the gather reports.
 */
let available = '';
try {
  loadOrtBinding();
} catch (e) {
  available = (e as Error).message;
}

describe('prefetchRows', () => {
  it('reads the first and last element of each row in range and writes nothing', () => {
    const source = Uint8Array.from({ length: 12 }, (_, i) => i + 1); // 4 rows of 3
    const before = source.slice();
    // rows 2 (7, 9) and 0 (1, 3); row 4 and -1 are out of range and skipped
    expect(prefetchRows(source, 3, Int32Array.of(2, 0, 4, -1))).toBe(7 + 9 + 1 + 3);
    expect(source).toEqual(before);
  });

  it('reads nothing for rows of no columns', () => {
    expect(prefetchRows(new Float32Array(4), 0, Int32Array.of(0, 1))).toBe(0);
  });
});

describe.skipIf(available !== '')('the native backend gathers what the reference gathers', () => {
  it('bytes scaled, floats, and the same error for a row outside the data', async () => {
    const ops = await createNativeOps({ threads: 1, memoryMB: 64 });
    const ref = createReferenceOps('f32');
    try {
      const cols = 784;
      const bytes = Uint8Array.from({ length: 50 * cols }, (_, i) => (i * 37) % 256);
      const floats = Float32Array.from({ length: 50 * cols }, (_, i) => Math.sin(i));
      const indices = Int32Array.of(49, 3, 17, 3, 0);
      for (const [source, scale] of [[bytes, 1 / 255], [floats, 1]] as const) {
        const out = ops.alloc(indices.length, cols);
        const expected = new Matrix(indices.length, cols, new Float32Array(indices.length * cols));
        ops.gatherRows(source, cols, indices, scale, out);
        ref.gatherRows(source, cols, indices, scale, expected);
        expect(Array.from(out.data)).toEqual(Array.from(expected.data));
      }
      const out = ops.alloc(2, cols);
      expect(() => ops.gatherRows(bytes, cols, Int32Array.of(1, 50), 1 / 255, out)).toThrow(/row index 50 \(batch row 1\) is outside 0\.\.49/);
    } finally {
      await ops.dispose();
    }
  });
});
