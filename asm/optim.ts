// Optimizer updates, in place, n floats each; threads take cache-line-aligned shares.
// Scalars arrive as float32 (what the weights are); Adam's bias-corrected rate is
// computed by the caller in double precision.

import { shareStart } from './elementwise';

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** w -= lr·g */
export function sgd(w: usize, g: usize, n: i32, lr: f32, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 16, tid, nthreads), i1 = shareStart(n, 16, tid + 1, nthreads);
  const l = f32x4.splat(lr);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    v128.store(at(w, i), f32x4.sub(v128.load(at(w, i)), f32x4.mul(l, v128.load(at(g, i)))));
  }
  for (; i < i1; i++) store<f32>(at(w, i), load<f32>(at(w, i)) - lr * load<f32>(at(g, i)));
}

/** v = momentum·v - lr·g; w += v */
export function momentum(w: usize, g: usize, v: usize, n: i32, lr: f32, mom: f32, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 16, tid, nthreads), i1 = shareStart(n, 16, tid + 1, nthreads);
  const l = f32x4.splat(lr), mo = f32x4.splat(mom);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const vv = f32x4.sub(f32x4.mul(mo, v128.load(at(v, i))), f32x4.mul(l, v128.load(at(g, i))));
    v128.store(at(v, i), vv);
    v128.store(at(w, i), f32x4.add(v128.load(at(w, i)), vv));
  }
  for (; i < i1; i++) {
    const vv = mom * load<f32>(at(v, i)) - lr * load<f32>(at(g, i));
    store<f32>(at(v, i), vv);
    store<f32>(at(w, i), load<f32>(at(w, i)) + vv);
  }
}

/** h += g²; w -= lr·g / (√h + 1e-7) */
export function adagrad(w: usize, g: usize, h: usize, n: i32, lr: f32, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 16, tid, nthreads), i1 = shareStart(n, 16, tid + 1, nthreads);
  const l = f32x4.splat(lr), eps = f32x4.splat(1e-7);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const gv = v128.load(at(g, i));
    const hv = f32x4.add(v128.load(at(h, i)), f32x4.mul(gv, gv));
    v128.store(at(h, i), hv);
    v128.store(at(w, i), f32x4.sub(v128.load(at(w, i)), f32x4.div(f32x4.mul(l, gv), f32x4.add(f32x4.sqrt(hv), eps))));
  }
  for (; i < i1; i++) {
    const gv = load<f32>(at(g, i));
    const hv = load<f32>(at(h, i)) + gv * gv;
    store<f32>(at(h, i), hv);
    store<f32>(at(w, i), load<f32>(at(w, i)) - (lr * gv) / (Mathf.sqrt(hv) + <f32>1e-7));
  }
}

/**
 * m += (1-β1)(g-m); v += (1-β2)(g²-v); w -= lrT·m/(√v + 1e-7). The caller passes 1-β1
 * and 1-β2 already formed in double precision: 1 - float32(0.999) would be off by 1e-5.
 */
export function adam(w: usize, g: usize, m: usize, v: usize, n: i32, lrT: f32, a1: f32, a2: f32, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 16, tid, nthreads), i1 = shareStart(n, 16, tid + 1, nthreads);
  const l = f32x4.splat(lrT), c1 = f32x4.splat(a1), c2 = f32x4.splat(a2), eps = f32x4.splat(1e-7);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const gv = v128.load(at(g, i));
    let mv = v128.load(at(m, i));
    let vv = v128.load(at(v, i));
    mv = f32x4.add(mv, f32x4.mul(c1, f32x4.sub(gv, mv)));
    vv = f32x4.add(vv, f32x4.mul(c2, f32x4.sub(f32x4.mul(gv, gv), vv)));
    v128.store(at(m, i), mv);
    v128.store(at(v, i), vv);
    v128.store(at(w, i), f32x4.sub(v128.load(at(w, i)), f32x4.div(f32x4.mul(l, mv), f32x4.add(f32x4.sqrt(vv), eps))));
  }
  for (; i < i1; i++) {
    const gv = load<f32>(at(g, i));
    let mv = load<f32>(at(m, i));
    let vv = load<f32>(at(v, i));
    mv = mv + a1 * (gv - mv);
    vv = vv + a2 * (gv * gv - vv);
    store<f32>(at(m, i), mv);
    store<f32>(at(v, i), vv);
    store<f32>(at(w, i), load<f32>(at(w, i)) - (lrT * mv) / (Mathf.sqrt(vv) + <f32>1e-7));
  }
}

/**
 * The book's Nesterov: v = mom·v - lr·g; w += mm·v; w -= step·g, with mm = mom² and
 * step = (1 + mom)·lr formed by the caller in double precision (as NumPy forms them).
 */
export function nesterov(w: usize, g: usize, v: usize, n: i32, lr: f32, mom: f32, mm: f32, step: f32, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 16, tid, nthreads), i1 = shareStart(n, 16, tid + 1, nthreads);
  const l = f32x4.splat(lr), mo = f32x4.splat(mom), m2 = f32x4.splat(mm), s = f32x4.splat(step);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const gv = v128.load(at(g, i));
    const vv = f32x4.sub(f32x4.mul(mo, v128.load(at(v, i))), f32x4.mul(l, gv));
    v128.store(at(v, i), vv);
    const wv = f32x4.add(v128.load(at(w, i)), f32x4.mul(m2, vv));
    v128.store(at(w, i), f32x4.sub(wv, f32x4.mul(s, gv)));
  }
  for (; i < i1; i++) {
    const gv = load<f32>(at(g, i));
    const vv = mom * load<f32>(at(v, i)) - lr * gv;
    store<f32>(at(v, i), vv);
    const wv = load<f32>(at(w, i)) + mm * vv;
    store<f32>(at(w, i), wv - step * gv);
  }
}

/**
 * The book's RMSprop: h = decay·h; h += keep·g·g; w -= lr·g/(√h + 1e-7). keep = 1 - decay
 * comes from the caller in double precision (1 - float32(0.99) would be off by 6e-6 relative).
 */
export function rmsprop(w: usize, g: usize, h: usize, n: i32, lr: f32, decay: f32, keep: f32, tid: i32, nthreads: i32): void {
  const i0 = shareStart(n, 16, tid, nthreads), i1 = shareStart(n, 16, tid + 1, nthreads);
  const l = f32x4.splat(lr), d = f32x4.splat(decay), k = f32x4.splat(keep), eps = f32x4.splat(1e-7);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const gv = v128.load(at(g, i));
    const hv = f32x4.add(f32x4.mul(d, v128.load(at(h, i))), f32x4.mul(f32x4.mul(k, gv), gv));
    v128.store(at(h, i), hv);
    v128.store(at(w, i), f32x4.sub(v128.load(at(w, i)), f32x4.div(f32x4.mul(l, gv), f32x4.add(f32x4.sqrt(hv), eps))));
  }
  for (; i < i1; i++) {
    const gv = load<f32>(at(g, i));
    const hv = decay * load<f32>(at(h, i)) + keep * gv * gv;
    store<f32>(at(h, i), hv);
    store<f32>(at(w, i), load<f32>(at(w, i)) - (lr * gv) / (Mathf.sqrt(hv) + <f32>1e-7));
  }
}
