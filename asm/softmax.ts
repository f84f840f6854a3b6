// Softmax with cross-entropy over rows of class scores, and its backward pass.

import { exp4 } from './vmath';

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/**
 * y = softmax(x) row by row (each row's max subtracted first). For the loss in the
 * log-sum-exp form, log Σe^(x-max) - (x[label] - max), each row's sum and shifted label
 * score go to `terms` (2 doubles per row): the caller takes the logarithm in JavaScript,
 * which keeps this module free of the lookup tables a wasm `log` needs (tables would be
 * data segments that every thread's instantiation rewrites into the shared memory).
 */
export function softmaxCrossEntropy(x: usize, rows: i32, cols: i32, labels: usize, y: usize, buf: usize, terms: usize): void {
  const full = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * <usize>cols << 2);
    const yr = y + (<usize>r * <usize>cols << 2);
    let mx: f32 = -Infinity;
    let c = 0;
    if (full > 0) {
      let m4 = v128.load(xr);
      for (c = 4; c < full; c += 4) m4 = f32x4.max(m4, v128.load(at(xr, c)));
      mx = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
    }
    for (; c < cols; c++) mx = max(mx, load<f32>(at(xr, c)));
    const m = f32x4.splat(mx);
    let s4 = f32x4.splat(0);
    for (c = 0; c < full; c += 4) {
      const e = exp4(f32x4.sub(v128.load(at(xr, c)), m));
      v128.store(at(yr, c), e);
      s4 = f32x4.add(s4, e);
    }
    let sum: f64 = <f64>f32x4.extract_lane(s4, 0) + <f64>f32x4.extract_lane(s4, 1) + <f64>f32x4.extract_lane(s4, 2) + <f64>f32x4.extract_lane(s4, 3);
    if (c < cols) {
      const t = cols - c;
      v128.store(buf, f32x4.splat(0));
      memory.copy(buf, at(xr, c), <usize>t << 2);
      const e = exp4(f32x4.sub(v128.load(buf), m));
      v128.store(buf, e);
      memory.copy(at(yr, c), buf, <usize>t << 2);
      for (let k = 0; k < t; k++) sum += <f64>load<f32>(at(buf, k));
    }
    const s = f32x4.splat(<f32>sum);
    for (c = 0; c < full; c += 4) v128.store(at(yr, c), f32x4.div(v128.load(at(yr, c)), s));
    for (; c < cols; c++) store<f32>(at(yr, c), <f32>(<f64>load<f32>(at(yr, c)) / sum));
    const label = load<i32>(labels + (<usize>r << 2));
    const t = terms + (<usize>r << 4);
    store<f64>(t, sum);
    store<f64>(t, <f64>load<f32>(at(xr, label)) - <f64>mx, 8);
  }
}

/** dx = (y - onehot(labels)) / N, with the same rounding as the reference. */
export function softmaxCrossEntropyBackward(y: usize, rows: i32, cols: i32, labels: usize, dx: usize): void {
  const n = f32x4.splat(<f32>rows);
  const inv: f64 = 1.0 / <f64>rows;
  const full = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const yr = y + (<usize>r * <usize>cols << 2);
    const dr = dx + (<usize>r * <usize>cols << 2);
    let c = 0;
    for (; c < full; c += 4) v128.store(at(dr, c), f32x4.div(v128.load(at(yr, c)), n));
    for (; c < cols; c++) store<f32>(at(dr, c), <f32>(<f64>load<f32>(at(yr, c)) / <f64>rows));
    const p = at(dr, load<i32>(labels + (<usize>r << 2)));
    store<f32>(p, <f32>(<f64>load<f32>(p) - inv));
  }
}
