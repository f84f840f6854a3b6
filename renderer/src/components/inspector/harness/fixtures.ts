/**
 * Fake but realistic data for the views harness: what the engine would send for
 * a 784-50-10 MNIST net and a 2-D spiral set. Seeded, so screenshots are stable.
 */
import type { EventOf, GradcheckRow, LayerInfo } from '../../../../../core/protocol/messages.js';
import type { LayerStatsSnapshot } from '../../../viz/norms.js';
import { mulberry32 } from '../../../../../scripts/seeded-random.mjs';

// The build scripts' and e2e fixtures' seeded generator: the same numbers from the same seed.
const rng = mulberry32;
function randn(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** W [784, 50]: each unit a few signed blobs plus noise, like a trained first layer. */
export function inspectFc1(): Omit<EventOf<'inspectResult'>, 'type' | 'id'> {
  const r = rng(7);
  const inputs = 784;
  const units = 50;
  const W = new Float32Array(inputs * units);
  const dW = new Float32Array(inputs * units);
  for (let j = 0; j < units; j++) {
    const blobs = Array.from({ length: 3 }, () => ({ cy: 6 + r() * 16, cx: 6 + r() * 16, s: 2 + r() * 4, a: (r() - 0.5) * 0.5 }));
    for (let p = 0; p < inputs; p++) {
      const y = Math.floor(p / 28);
      const x = p % 28;
      let v = 0.01 * randn(r);
      for (const b of blobs) v += b.a * Math.exp(-((y - b.cy) ** 2 + (x - b.cx) ** 2) / (2 * b.s * b.s));
      W[p * units + j] = v;
      const border = y < 3 || y > 24 || x < 3 || x > 24;
      dW[p * units + j] = border ? 0 : 0.004 * randn(r) * Math.exp(-((y - 14) ** 2 + (x - 14) ** 2) / 60);
    }
  }
  const b = Float32Array.from({ length: units }, () => 0.05 * randn(r));
  const db = Float32Array.from({ length: units }, () => 0.01 * randn(r));
  return { layer: 'fc1', index: 0, wShape: [inputs, units], bShape: [1, units], W, b, dW, db, iteration: 1200 };
}

export function inspectFc2(): Omit<EventOf<'inspectResult'>, 'type' | 'id'> {
  const r = rng(11);
  const W = Float32Array.from({ length: 500 }, () => 0.3 * randn(r));
  const dW = Float32Array.from({ length: 500 }, () => 0.02 * randn(r));
  dW[17] = NaN;
  return { layer: 'fc2', index: 1, wShape: [50, 10], bShape: [1, 10], W, b: Float32Array.from({ length: 10 }, () => 0.1 * randn(r)), dW, db: new Float32Array(10), iteration: 1200 };
}

/** Norms over 1200 iterations; with `vanishing`, a deep sigmoid net whose fc1 gradients fade. */
export function history(vanishing: boolean): LayerStatsSnapshot[] {
  const r = rng(3);
  const names = vanishing ? ['fc1', 'fc2', 'fc3', 'fc4'] : ['fc1', 'fc2'];
  const out: LayerStatsSnapshot[] = [];
  for (let it = 0; it <= 1200; it += 10) {
    out.push({
      iteration: it,
      layers: names.map((layer, k) => {
        const depthFactor = vanishing ? Math.pow(0.03, names.length - 1 - k) : 1;
        const g = (0.5 * Math.exp(-it / 400) + 0.05) * depthFactor * (1 + 0.3 * randn(r) ** 2);
        const w = 0.3 + 0.2 * (1 - Math.exp(-it / 300)) + k * 0.1;
        return {
          layer,
          W: { mean: 0, std: 0.01, norm: w * 10, min: -w, max: w },
          b: { mean: 0, std: 0, norm: it === 0 ? 0 : 0.05 + it / 20000, min: 0, max: 0 },
          dW: { mean: 0, std: 0, norm: g, min: -g, max: g },
          db: { mean: 0, std: 0, norm: g / 5, min: 0, max: 0 },
        };
      }),
    });
  }
  return out;
}

export const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function confusion(): Int32Array {
  const r = rng(5);
  const n = 10;
  const c = new Int32Array(n * n);
  for (let t = 0; t < n; t++) {
    const total = 900 + Math.floor(r() * 250);
    let left = total;
    for (let p = 0; p < n; p++) {
      if (p === t) continue;
      const k = Math.floor(r() * r() * r() * 25);
      c[t * n + p] = k;
      left -= k;
    }
    c[t * n + t] = left;
  }
  c[4 * n + 9] = 61; // 4 read as 9: the classic confusion
  c[7 * n + 2] = 38;
  return c;
}

/** Three-arm spiral, and a grid predicted by the angle rule a trained net approximates. */
export function spiral(): {
  bounds: { xMin: number; xMax: number; yMin: number; yMax: number };
  trainXY: Float32Array;
  trainLabels: Int32Array;
  testXY: Float32Array;
  testLabels: Int32Array;
  grid: { rows: number; cols: number; classes: Uint8Array; confidence: Float32Array };
} {
  const r = rng(9);
  const K = 3;
  const make = (n: number) => {
    const xy = new Float32Array(n * 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % K;
      const t = r();
      const angle = (k * 2 * Math.PI) / K + t * 4 + 0.2 * randn(r);
      xy[2 * i] = t * Math.cos(angle);
      xy[2 * i + 1] = t * Math.sin(angle);
      labels[i] = k;
    }
    return { xy, labels };
  };
  const train = make(300);
  const test = make(60);
  const rows = 80;
  const cols = 80;
  const bounds = { xMin: -1.1, xMax: 1.1, yMin: -1.1, yMax: 1.1 };
  const classes = new Uint8Array(rows * cols);
  const confidence = new Float32Array(rows * cols);
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      const x = bounds.xMin + ((col + 0.5) / cols) * (bounds.xMax - bounds.xMin);
      const y = bounds.yMax - ((row + 0.5) / rows) * (bounds.yMax - bounds.yMin);
      const rad = Math.hypot(x, y);
      const phase = Math.atan2(y, x) - rad * 4;
      const scores = Array.from({ length: K }, (_, k) => Math.cos(phase - (k * 2 * Math.PI) / K) * 3);
      const e = scores.map((s) => Math.exp(s));
      const sum = e.reduce((a, b) => a + b, 0);
      const best = scores.indexOf(Math.max(...scores));
      classes[row * cols + col] = best;
      confidence[row * cols + col] = e[best]! / sum;
    }
  }
  return { bounds, trainXY: train.xy, trainLabels: train.labels, testXY: test.xy, testLabels: test.labels, grid: { rows, cols, classes, confidence } };
}

/** Misclassified "digits": strokes drawn into 28x28, page by page. */
export function samples(offset: number, limit: number, total = 137): Omit<EventOf<'samplesResult'>, 'type' | 'id'> {
  const count = Math.max(0, Math.min(limit, total - offset));
  const r = rng(100 + offset);
  const values = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  const predicted = new Int32Array(count);
  const confidence = new Float32Array(count);
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = Math.floor(r() * 10);
    labels[i] = label;
    predicted[i] = (label + 1 + Math.floor(r() * 9)) % 10;
    confidence[i] = 0.4 + r() * 0.59;
    indices[i] = offset * 7 + i * 7 + Math.floor(r() * 7);
    const cx = 14 + randn(r);
    const cy = 14 + randn(r);
    const rad = 6 + r() * 3;
    for (let p = 0; p < 784; p++) {
      const y = Math.floor(p / 28);
      const x = p % 28;
      let v = 0;
      if (label === 1 || label === 7) v = Math.exp(-((x - cx - (y - cy) * 0.2) ** 2) / 2) * (Math.abs(y - cy) < 9 ? 1 : 0);
      else v = Math.exp(-((Math.hypot(x - cx, (y - cy) * (label % 3 === 0 ? 1 : 0.7)) - rad) ** 2) / 2.5);
      if (label === 7 && y < cy - 7 && Math.abs(x - cx) < 6) v = 1;
      values[i * 784 + p] = Math.min(1, v);
    }
  }
  return { which: 'misclassified', set: 'test', total, offset, indices, labels, predicted, confidence, features: 784, values, imageShape: [28, 28] };
}

export const LAYERS: LayerInfo[] = [
  { name: 'fc1', kind: 'affine', inputSize: 784, outputSize: 50, params: 39250 },
  { name: 'relu1', kind: 'relu', inputSize: 50, outputSize: 50, params: 0 },
  { name: 'fc2', kind: 'affine', inputSize: 50, outputSize: 10, params: 510 },
];

export const GRADCHECK_OK: GradcheckRow[] = [
  { param: 'fc1.weight', shape: [784, 50], checked: 200, maxAbsDiff: 3.1e-10, relError: 2.4e-9, ok: true },
  { param: 'fc1.bias', shape: [1, 50], checked: 50, maxAbsDiff: 1.2e-11, relError: 8.7e-10, ok: true },
  { param: 'fc2.weight', shape: [50, 10], checked: 200, maxAbsDiff: 4.4e-10, relError: 1.9e-9, ok: true },
  { param: 'fc2.bias', shape: [1, 10], checked: 10, maxAbsDiff: 2.0e-11, relError: 3.3e-10, ok: true },
];

export const GRADCHECK_BAD: GradcheckRow[] = [
  { param: 'fc1.weight', shape: [784, 50], checked: 200, maxAbsDiff: 3.1e-10, relError: 2.4e-9, ok: true },
  { param: 'fc1.bias', shape: [1, 50], checked: 50, maxAbsDiff: 1.2e-11, relError: 8.7e-10, ok: true },
  { param: 'fc2.weight', shape: [50, 10], checked: 200, maxAbsDiff: 0.28, relError: 0.41, ok: false },
  { param: 'fc2.bias', shape: [1, 10], checked: 10, maxAbsDiff: 2.0e-11, relError: 3.3e-10, ok: true },
];
