import { Rng } from '../rng.js';
import { StudioError } from '../errors.js';
import type { Dataset } from './dataset.js';

/**
 * Seeded 2-D toy problems in the spirit of TensorFlow Playground: small enough to
 * train in a second, shaped so that a linear model fails and a hidden layer wins,
 * which is what makes decision regions worth watching. Coordinates lie roughly in
 * [-6, 6]; `noise` in 0..1 blurs class boundaries (0 = clean, 1 = heavily mixed).
 * Classes are interleaved (sample i has class i mod k) so any prefix is balanced.
 */
export type Synthetic2DKind = 'spiral' | 'circles' | 'xor' | 'gaussians';

export interface Synthetic2DOptions {
  kind: Synthetic2DKind;
  count: number;
  noise: number;
  seed: number;
  /** Spiral arms or gaussian blobs (2..8). Circles and xor are always 2 classes. */
  classes?: number;
}

export function generate2D(opts: Synthetic2DOptions): Dataset {
  const { kind, count, noise, seed } = opts;
  if (!Number.isInteger(count) || count < 2 || count > 1_000_000) {
    throw new StudioError('BAD_USAGE', `2-D data set: count must be an integer in 2..1000000, got ${count}`);
  }
  if (!(noise >= 0 && noise <= 1)) throw new StudioError('BAD_USAGE', `2-D data set: noise must be in 0..1, got ${noise}`);
  const fixedTwo = kind === 'circles' || kind === 'xor';
  const k = fixedTwo ? 2 : (opts.classes ?? 2);
  if (!Number.isInteger(k) || k < 2 || k > 8) throw new StudioError('BAD_USAGE', `2-D data set: classes must be 2..8, got ${k}`);
  if (fixedTwo && opts.classes !== undefined && opts.classes !== 2) {
    throw new StudioError('BAD_USAGE', `2-D data set '${kind}' always has 2 classes, got classes=${opts.classes}`);
  }

  const rng = new Rng(seed);
  const x = new Float32Array(count * 2);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % k;
    const [px, py] = POINT[kind](rng, c, k, noise);
    x[2 * i] = px;
    x[2 * i + 1] = py;
    labels[i] = c;
  }
  const classNames = CLASS_NAMES[kind](k);
  return { count, features: 2, x, scale: 1, labels, classNames };
}

type PointFn = (rng: Rng, cls: number, k: number, noise: number) => [number, number];

const POINT: Record<Synthetic2DKind, PointFn> = {
  /** k interleaved arms winding 1.5 turns outwards; noise jitters the angle. */
  spiral(rng, cls, k, noise) {
    const t = rng.next(); // position along the arm, 0 at the centre
    const r = 0.3 + t * 5.5;
    const theta = (cls * 2 * Math.PI) / k + t * 3 * Math.PI + rng.normal() * noise * 0.6;
    return [r * Math.cos(theta) + rng.normal() * noise * 0.3, r * Math.sin(theta) + rng.normal() * noise * 0.3];
  },
  /** Class 0 a disk of radius 2.5, class 1 a ring 3.5..5 around it. */
  circles(rng, cls, _k, noise) {
    const angle = rng.next() * 2 * Math.PI;
    const r = cls === 0 ? Math.sqrt(rng.next()) * 2.5 : 3.5 + rng.next() * 1.5;
    return [r * Math.cos(angle) + rng.normal() * noise * 1.2, r * Math.sin(angle) + rng.normal() * noise * 1.2];
  },
  /** Quadrants: class 0 where x·y > 0, class 1 where x·y < 0; kept 0.3 off the axes. */
  xor(rng, cls, _k, noise) {
    const mag = (): number => 0.3 + rng.next() * 4.7;
    const sx = rng.next() < 0.5 ? -1 : 1;
    const sy = cls === 0 ? sx : -sx;
    return [sx * mag() + rng.normal() * noise * 1.5, sy * mag() + rng.normal() * noise * 1.5];
  },
  /** k round blobs with centres on a circle of radius 3; spread grows with noise. */
  gaussians(rng, cls, k, noise) {
    const a = (cls * 2 * Math.PI) / k + Math.PI / 4;
    const sd = 0.5 + noise * 2;
    return [3 * Math.cos(a) + rng.normal() * sd, 3 * Math.sin(a) + rng.normal() * sd];
  },
};

const CLASS_NAMES: Record<Synthetic2DKind, (k: number) => string[]> = {
  spiral: (k) => Array.from({ length: k }, (_, i) => `arm ${i + 1}`),
  circles: () => ['inner', 'outer'],
  xor: () => ['same sign', 'opposite sign'],
  gaussians: (k) => Array.from({ length: k }, (_, i) => `blob ${i + 1}`),
};
