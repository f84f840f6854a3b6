import { StudioError } from '../../errors.js';
import type { Ops } from '../types.js';
import type { KernelContext } from './context.js';
import { JOB } from './job.js';
import type { StagingArea } from './staging.js';

/**
 * Batches gathered from a data set into WebAssembly memory, converted to float32 and
 * scaled on the way (asm/gather.ts): straight from the data where it lives in our memory,
 * else each row copied next to the others first (a memcpy per row) and converted in SIMD.
 */
export function createGatherOps(c: KernelContext, staging: StagingArea): Pick<Ops, 'gatherRows'> {
  const { k, job, ref } = c;
  return {
    gatherRows(source, cols, indices, scale, out) {
      const count = indices.length;
      if (out.rows !== count || out.cols !== cols) {
        throw new StudioError('SHAPE_MISMATCH', `gatherRows: ${count} rows of ${cols} cannot go into ${out.shapeString()}`);
      }
      const po = c.ptr(out.data);
      if (po < 0) {
        c.fellBack();
        ref.gatherRows(source, cols, indices, scale, out);
        return;
      }
      if (count === 0 || cols === 0) return;
      const available = Math.floor(source.length / cols);
      for (let r = 0; r < count; r++) {
        const i = indices[r]!;
        if (!(i >= 0 && i < available)) {
          throw new StudioError('SHAPE_MISMATCH', `gatherRows: row index ${i} (batch row ${r}) is outside 0..${available - 1}`);
        }
      }
      const bytes = source instanceof Uint8Array ? byteMode(scale) : 0;
      const n = count * cols;
      const ps = c.owns(source) ? source.byteOffset : -1;
      if (ps >= 0) {
        // The data set lives in our memory: gather straight from it.
        const p = staging.reserve(count * 4);
        staging.i32.set(indices, 0);
        if (c.split(JOB.GATHER, n)) {
          job.write(JOB.GATHER, ps, bytes, cols, p, count, po).double(scale);
          c.runTeam();
        } else k.gatherRows(ps, bytes, cols, p, count, scale, po, 0, 1);
        c.finish();
        return;
      }
      if (!bytes && scale === 1) {
        // Float rows at scale 1 need no conversion: copy them into place.
        const O = out.data as Float32Array;
        for (let r = 0; r < count; r++) {
          const s = indices[r]! * cols;
          O.set(source.subarray(s, s + cols), r * cols);
        }
        return;
      }
      // Copy the batch's rows next to each other (a memcpy per row), then convert them all in SIMD.
      const rowBytes = cols * source.BYTES_PER_ELEMENT;
      const p = staging.reserve(count * rowBytes);
      const src = new Uint8Array(source.buffer, source.byteOffset, source.length * source.BYTES_PER_ELEMENT);
      const dst = staging.u8;
      for (let r = 0; r < count; r++) {
        const s = indices[r]! * rowBytes;
        dst.set(src.subarray(s, s + rowBytes), r * rowBytes);
      }
      if (c.split(JOB.CONVERT, n)) {
        job.write(JOB.CONVERT, p, bytes, n, po).double(scale);
        c.runTeam();
      } else k.convertRows(p, bytes, n, scale, po, 0, 1);
      c.finish();
    },
  };
}

const byteModes = new Map<number, number>();

/**
 * How the kernels turn bytes u into floats u·scale with exactly the reference's
 * rounding (float64 product, rounded once to float32), as fast as the scale allows:
 * 5 = float32 product (exact for powers of two), 3 = float32 division by 1/scale (exact
 * for 1/255, 1/100, 1/3...), 1 = float64 products. Checked on all 256 bytes.
 */
export function byteMode(scale: number): number {
  let mode = byteModes.get(scale);
  if (mode === undefined) {
    const k = Math.fround(1 / scale), s = Math.fround(scale);
    let divides = Number.isFinite(k) && k !== 0, multiplies = true;
    for (let u = 0; u < 256; u++) {
      const want = Math.fround(u * scale);
      if (divides && Math.fround(u / k) !== want) divides = false;
      if (multiplies && Math.fround(u * s) !== want) multiplies = false;
    }
    mode = multiplies ? 5 : divides ? 3 : 1;
    if (byteModes.size < 64) byteModes.set(scale, mode);
  }
  return mode;
}
