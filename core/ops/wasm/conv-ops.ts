import type { Matrix } from '../../matrix.js';
import { StudioError } from '../../errors.js';
import type { ConvOps, WindowGeometry } from '../types.js';
import type { KernelContext } from './context.js';
import { JOB } from './job.js';

/**
 * Convolution, pooling, BatchNorm and Dropout kernels on WebAssembly (asm/conv.ts,
 * asm/pool.ts, asm/batchnorm.ts). Threads split the batch (BatchNorm: the channels) in
 * chunks; every result is the same bit for bit whatever the thread count.
 *
 * The kernels index memory from the shapes they are given, so every call checks that
 * the matrices agree with the geometry first: a wrong shape is an error here, never a
 * write into some other tensor.
 */
export function createConvOps(c: KernelContext): ConvOps {
  const { k, job, ref } = c;

  const fail = (what: string, detail: string): never => {
    throw new StudioError('SHAPE_MISMATCH', `${what}: ${detail}`);
  };

  /** Check a window geometry against the image rows `x` (N x C·H·W). */
  const checkWindow = (what: string, g: WindowGeometry, x: Matrix, padded: boolean): void => {
    const { channels: C, height: H, width: W, kernel: K, stride: S, pad: P, outHeight: OH, outWidth: OW } = g;
    const whole = [C, H, W, K, S, OH, OW].every((v) => Number.isInteger(v) && v >= 1) && Number.isInteger(P) && P >= 0;
    if (!whole || (!padded && P !== 0) || K > H + 2 * P || K > W + 2 * P) {
      fail(what, `impossible window ${K}x${K} stride ${S} pad ${P} over ${C}x${H}x${W}`);
    }
    if (OH !== Math.floor((H + 2 * P - K) / S) + 1 || OW !== Math.floor((W + 2 * P - K) / S) + 1) {
      fail(what, `output ${OH}x${OW} does not follow from ${C}x${H}x${W}, window ${K} stride ${S} pad ${P}`);
    }
    if (x.cols !== C * H * W) fail(what, `rows of ${x.cols} values, the geometry says ${C}x${H}x${W}`);
  };

  const checkCol = (what: string, g: WindowGeometry, images: Matrix, col: Matrix): void => {
    checkWindow(what, g, images, true);
    const rows = images.rows * g.outHeight * g.outWidth, cols = g.channels * g.kernel * g.kernel;
    if (col.rows !== rows || col.cols !== cols) fail(what, `col is ${col.shapeString()}, needs ${rows}x${cols}`);
  };

  /** Pixels per channel when `channels` rows of `x` are split into channel planes, checked. */
  const planes = (what: string, x: Matrix, channels: number): number => {
    if (!Number.isInteger(channels) || channels < 1 || x.cols % channels !== 0) {
      fail(what, `${x.cols} values per row cannot be ${channels} channels`);
    }
    return x.cols / channels;
  };

  const sameShape = (what: string, a: Matrix, b: Matrix): void => {
    if (a.rows !== b.rows || a.cols !== b.cols) fail(what, `${a.shapeString()} and ${b.shapeString()} differ`);
  };

  const vector = (what: string, v: Matrix, n: number): void => {
    if (v.data.length !== n) fail(what, `${v.shapeString()} should hold ${n} values (one per channel)`);
  };

  /** Share a job over `items` samples or channels, touching `floats` values, between the threads? */
  const chunked = (kind: number, floats: number, items: number): boolean => items > 1 && c.split(kind, floats);

  /** Pointers of matrices that must all be float32 views of our memory; null if any is not. */
  const pointers = (...ms: Matrix[]): number[] | null => {
    const out: number[] = [];
    for (const m of ms) {
      const p = c.ptr(m.data);
      if (p < 0) return null;
      out.push(p);
    }
    return out;
  };

  const indexPtr = (a: Int32Array): number => (c.owns(a) ? a.byteOffset : -1);

  return {
    im2col(x, g, col) {
      checkCol('im2col', g, x, col);
      const p = pointers(x, col);
      if (!p) return void (c.fellBack(), ref.im2col(x, g, col));
      const N = x.rows;
      const args = [g.channels, g.height, g.width, g.kernel, g.stride, g.pad, g.outHeight, g.outWidth] as const;
      if (chunked(JOB.IM2COL, col.data.length, N)) {
        job.write(JOB.IM2COL, N, p[0]!, ...args, p[1]!).resetCounter();
        c.runTeam();
      } else k.im2col(p[0]!, ...args, p[1]!, 0, N);
      c.finish();
    },

    col2im(dcol, g, dx) {
      checkCol('col2im', g, dx, dcol);
      const p = pointers(dcol, dx);
      if (!p) return void (c.fellBack(), ref.col2im(dcol, g, dx));
      const N = dx.rows;
      const args = [g.channels, g.height, g.width, g.kernel, g.stride, g.pad, g.outHeight, g.outWidth] as const;
      if (chunked(JOB.COL2IM, dcol.data.length, N)) {
        job.write(JOB.COL2IM, N, p[0]!, ...args, p[1]!).resetCounter();
        c.runTeam();
      } else k.col2im(p[0]!, ...args, p[1]!, 0, N);
      c.finish();
    },

    rowsToChannels(rows, bias, out) {
      const F = rows.cols, P = planes('rowsToChannels', out, F);
      if (rows.rows !== out.rows * P) fail('rowsToChannels', `${rows.shapeString()} rows cannot become ${out.shapeString()} channels first`);
      if (bias) vector('rowsToChannels bias', bias, F);
      const p = bias ? pointers(rows, out, bias) : pointers(rows, out);
      if (!p) return void (c.fellBack(), ref.rowsToChannels(rows, bias, out));
      transpose(p[0]!, P, F, bias ? p[2]! : 0, true, p[1]!, out.rows);
    },

    channelsToRows(x, rows) {
      const F = rows.cols, P = planes('channelsToRows', x, F);
      if (rows.rows !== x.rows * P) fail('channelsToRows', `${x.shapeString()} channels first cannot become ${rows.shapeString()} rows`);
      const p = pointers(x, rows);
      if (!p) return void (c.fellBack(), ref.channelsToRows(x, rows));
      // Per sample the F x P block becomes P x F: the same transpose with the sides swapped.
      transpose(p[0]!, F, P, 0, false, p[1]!, x.rows);
    },

    allocIndices(length) {
      if (!Number.isInteger(length) || length < 0) throw new StudioError('INTERNAL', `allocIndices: bad length ${length}`);
      if (length === 0) return new Int32Array(0);
      const p = c.allocBytes(length * 4);
      return new Int32Array(c.buffer(), p, length);
    },

    freeIndices(a) {
      if (a.length === 0) return;
      const p = indexPtr(a);
      if (p < 0) throw new StudioError('INTERNAL', 'freeIndices: this array was not allocated by the wasm backend');
      c.release(p);
    },

    maxPoolForward(x, g, out, argmax) {
      checkWindow('maxPoolForward', g, x, false);
      const perOut = g.channels * g.outHeight * g.outWidth;
      if (out.rows !== x.rows || out.cols !== perOut) fail('maxPoolForward', `out is ${out.shapeString()}, needs ${x.rows}x${perOut}`);
      if (argmax.length < out.data.length) fail('maxPoolForward', `argmax holds ${argmax.length}, needs ${out.data.length}`);
      const p = pointers(x, out), pa = indexPtr(argmax);
      if (!p || pa < 0) return void (c.fellBack(), ref.maxPoolForward(x, g, out, argmax));
      const N = x.rows;
      const args = [g.channels, g.height, g.width, g.kernel, g.stride, g.outHeight, g.outWidth] as const;
      if (chunked(JOB.POOL_FORWARD, x.data.length, N)) {
        job.write(JOB.POOL_FORWARD, N, p[0]!, ...args, p[1]!, pa).resetCounter();
        c.runTeam();
      } else k.maxPoolForward(p[0]!, ...args, p[1]!, pa, 0, N);
      c.finish();
    },

    maxPoolBackward(dout, argmax, dx) {
      const N = dx.rows;
      if (dout.rows !== N || argmax.length < dout.data.length) {
        fail('maxPoolBackward', `dout ${dout.shapeString()}, dx ${dx.shapeString()} and ${argmax.length} argmax positions do not belong together`);
      }
      const p = pointers(dout, dx), pa = indexPtr(argmax);
      if (!p || pa < 0) return void (c.fellBack(), ref.maxPoolBackward(dout, argmax, dx));
      if (chunked(JOB.POOL_BACKWARD, dx.data.length, N)) {
        job.write(JOB.POOL_BACKWARD, N, p[0]!, pa, dx.cols, dout.cols, p[1]!).resetCounter();
        c.runTeam();
      } else k.maxPoolBackward(p[0]!, pa, dx.cols, dout.cols, p[1]!, 0, N);
      c.finish();
    },

    channelMeanVariance(x, channels, mean, variance) {
      const P = planes('channelMeanVariance', x, channels);
      vector('channelMeanVariance mean', mean, channels);
      vector('channelMeanVariance variance', variance, channels);
      const p = pointers(x, mean, variance);
      if (!p) return void (c.fellBack(), ref.channelMeanVariance(x, channels, mean, variance));
      if (chunked(JOB.BN_STATS, x.data.length, channels)) {
        job.write(JOB.BN_STATS, channels, p[0]!, x.rows, P, p[1]!, p[2]!).resetCounter();
        c.runTeam();
      } else k.channelMeanVariance(p[0]!, x.rows, channels, P, p[1]!, p[2]!, 0, channels);
      c.finish();
    },

    batchNormForward(x, channels, mean, variance, eps, gamma, beta, xhat, out) {
      const P = planes('batchNormForward', x, channels);
      for (const [name, v] of [['mean', mean], ['variance', variance], ['gamma', gamma], ['beta', beta]] as const) {
        vector(`batchNormForward ${name}`, v, channels);
      }
      sameShape('batchNormForward xhat', x, xhat);
      sameShape('batchNormForward out', x, out);
      const p = pointers(x, mean, variance, gamma, beta, xhat, out);
      if (!p) return void (c.fellBack(), ref.batchNormForward(x, channels, mean, variance, eps, gamma, beta, xhat, out));
      if (chunked(JOB.BN_FORWARD, x.data.length, channels)) {
        job.write(JOB.BN_FORWARD, channels, p[0]!, x.rows, P, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!).double(eps).resetCounter();
        c.runTeam();
      } else k.batchNormForward(p[0]!, x.rows, channels, P, p[1]!, p[2]!, eps, p[3]!, p[4]!, p[5]!, p[6]!, 0, channels);
      c.finish();
    },

    batchNormBackward(dout, xhat, channels, variance, eps, gamma, dx, dgamma, dbeta) {
      const P = planes('batchNormBackward', dout, channels);
      for (const [name, v] of [['variance', variance], ['gamma', gamma], ['dgamma', dgamma], ['dbeta', dbeta]] as const) {
        vector(`batchNormBackward ${name}`, v, channels);
      }
      sameShape('batchNormBackward xhat', dout, xhat);
      sameShape('batchNormBackward dx', dout, dx);
      const p = pointers(dout, xhat, variance, gamma, dx, dgamma, dbeta);
      if (!p) return void (c.fellBack(), ref.batchNormBackward(dout, xhat, channels, variance, eps, gamma, dx, dgamma, dbeta));
      if (chunked(JOB.BN_BACKWARD, dout.data.length, channels)) {
        job.write(JOB.BN_BACKWARD, channels, p[0]!, p[1]!, dout.rows, P, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!).double(eps).resetCounter();
        c.runTeam();
      } else k.batchNormBackward(p[0]!, p[1]!, dout.rows, channels, P, p[2]!, eps, p[3]!, p[4]!, p[5]!, p[6]!, 0, channels);
      c.finish();
    },

    multiply(a, b, out) {
      sameShape('multiply', a, b);
      sameShape('multiply', a, out);
      const p = pointers(a, b, out);
      if (!p) return void (c.fellBack(), ref.multiply(a, b, out));
      const n = a.data.length;
      if (c.split(JOB.MULTIPLY, n)) {
        job.write(JOB.MULTIPLY, p[0]!, p[1]!, p[2]!, n);
        c.runTeam();
      } else k.multiply(p[0]!, p[1]!, p[2]!, n, 0, 1);
      c.finish();
    },
  };

  /**
   * Per sample, src's P x F block to dst's F x P block, + bias[f] when `add` (zeros for a
   * bias of 0: the reference adds a zero bias, which turns -0 into 0; a plain reorder adds nothing).
   */
  function transpose(src: number, P: number, F: number, bias: number, add: boolean, dst: number, N: number): void {
    if (chunked(JOB.TRANSPOSE, N * P * F, N)) {
      job.write(JOB.TRANSPOSE, N, src, P, F, bias, add ? 1 : 0, dst).resetCounter();
      c.runTeam();
    } else k.transposeSamples(src, P, F, bias, add ? 1 : 0, dst, 0, N);
    c.finish();
  }
}
