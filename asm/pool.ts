// Max pooling (the book's ch. 7.4), channels first. Forward keeps, for every output, the
// index into x of the value that won it (the first on ties, scanning [ky][kx], as the
// reference, NumPy's argmax and PyTorch do); backward routes each gradient there.
// Kernels work on samples [n0, n1), so threads split the batch.

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Keep (value, index) of b where b > best: the strict test keeps the first maximum on ties. */
// @ts-ignore: decorator
@inline function better(best: v128, b: v128): v128 {
  return f32x4.gt(b, best);
}

export function maxPoolForward(
  x: usize, C: i32, H: i32, W: i32, K: i32, S: i32, OH: i32, OW: i32,
  out: usize, argmax: usize, n0: i32, n1: i32,
): void {
  const hw = H * W, ohw = OH * OW;
  for (let n = n0; n < n1; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * hw;
      let o = (n * C + c) * ohw;
      if (K == 2 && S == 2) {
        // Four outputs at once: a row pair of 8 inputs gives the four candidates of each
        // window as lanes, compared in the order (0,0), (0,1), (1,0), (1,1).
        const OW4 = OW & ~3;
        for (let oy = 0; oy < OH; oy++) {
          const r0 = base + 2 * oy * W, r1 = r0 + W;
          let ox = 0;
          for (; ox < OW4; ox += 4) {
            const i0 = r0 + 2 * ox, i1 = r1 + 2 * ox;
            const u0 = v128.load(at(x, i0)), u1 = v128.load(at(x, i0 + 4));
            const w0 = v128.load(at(x, i1)), w1 = v128.load(at(x, i1 + 4));
            const lanes = i32x4(0, 2, 4, 6);
            let best = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6);
            let idx = i32x4.add(i32x4.splat(i0), lanes);
            let cand = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
            let m = better(best, cand);
            best = v128.bitselect(cand, best, m);
            idx = v128.bitselect(i32x4.add(i32x4.splat(i0 + 1), lanes), idx, m);
            cand = v128.shuffle<f32>(w0, w1, 0, 2, 4, 6);
            m = better(best, cand);
            best = v128.bitselect(cand, best, m);
            idx = v128.bitselect(i32x4.add(i32x4.splat(i1), lanes), idx, m);
            cand = v128.shuffle<f32>(w0, w1, 1, 3, 5, 7);
            m = better(best, cand);
            best = v128.bitselect(cand, best, m);
            idx = v128.bitselect(i32x4.add(i32x4.splat(i1 + 1), lanes), idx, m);
            v128.store(at(out, o), best);
            v128.store(at(argmax, o), idx);
            o += 4;
          }
          for (; ox < OW; ox++) {
            const i0 = r0 + 2 * ox, i1 = r1 + 2 * ox;
            let b = i0;
            if (load<f32>(at(x, i0 + 1)) > load<f32>(at(x, b))) b = i0 + 1;
            if (load<f32>(at(x, i1)) > load<f32>(at(x, b))) b = i1;
            if (load<f32>(at(x, i1 + 1)) > load<f32>(at(x, b))) b = i1 + 1;
            store<f32>(at(out, o), load<f32>(at(x, b)));
            store<i32>(at(argmax, o), b);
            o++;
          }
        }
      } else {
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            const first = base + oy * S * W + ox * S;
            let b = first;
            let bv = load<f32>(at(x, b));
            for (let ky = 0; ky < K; ky++) {
              const row = first + ky * W;
              for (let kx = 0; kx < K; kx++) {
                const v = load<f32>(at(x, row + kx));
                if (v > bv) {
                  bv = v;
                  b = row + kx;
                }
              }
            }
            store<f32>(at(out, o), bv);
            store<i32>(at(argmax, o), b);
            o++;
          }
        }
      }
    }
  }
}

/**
 * dx = 0 over samples [n0, n1), then dx[argmax[i]] += dout[i] for their outputs, in order.
 * An index outside its own sample (argmax not made by maxPoolForward for this shape)
 * traps instead of writing anywhere else in memory.
 */
export function maxPoolBackward(dout: usize, argmax: usize, perIn: i32, perOut: i32, dx: usize, n0: i32, n1: i32): void {
  if (n1 <= n0) return;
  memory.fill(dx + ((<usize>n0 * <usize>perIn) << 2), 0, (<usize>(n1 - n0) * <usize>perIn) << 2);
  for (let n = n0; n < n1; n++) {
    const lo = n * perIn;
    for (let i = n * perOut, end = i + perOut; i < end; i++) {
      const j = load<i32>(at(argmax, i));
      if (<u32>(j - lo) >= <u32>perIn) unreachable();
      const p = at(dx, j);
      store<f32>(p, load<f32>(p) + load<f32>(at(dout, i)));
    }
  }
}
