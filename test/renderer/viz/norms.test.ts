import { describe, expect, it } from 'vitest';
import { decadeTicks, gradientVerdict, layersIn, logRange, normSeries, thin, type LayerStatsSnapshot } from '../../../renderer/src/viz/norms.js';

const stats = (norm: number) => ({ mean: 0, std: 0, norm, min: -norm, max: norm });
const snap = (iteration: number, layers: [string, number, number][]): LayerStatsSnapshot => ({
  iteration,
  layers: layers.map(([layer, w, dw]) => ({ layer, W: stats(w), b: stats(0), dW: stats(dw), db: stats(dw / 10) })),
});

describe('norm series for log charts', () => {
  const history = [
    snap(0, [['fc1', 0.5, 0.01], ['fc2', 0.2, 0.1]]),
    snap(10, [['fc1', 0.6, 0], ['fc2', 0.3, NaN]]),
    snap(20, [['fc1', 0.7, 0.002], ['fc2', 0.4, 0.05]]),
  ];

  it('lists layers in engine order and reads one tensor norm per iteration', () => {
    expect(layersIn(history)).toEqual(['fc1', 'fc2']);
    expect(normSeries(history, 'fc1', 'W').map((p) => p.y)).toEqual([0.5, 0.6, 0.7]);
    expect(normSeries(history, 'fc2', 'dW').map((p) => p.x)).toEqual([0, 10, 20]);
  });

  it('turns values a log axis cannot show (0, NaN) into gaps, not fake points', () => {
    expect(normSeries(history, 'fc1', 'dW').map((p) => p.y)).toEqual([0.01, null, 0.002]);
    expect(normSeries(history, 'fc2', 'dW')[1]!.y).toBeNull();
    expect(normSeries(history, 'fc1', 'b').every((p) => p.y === null)).toBe(true);
  });

  it('shares one decade-aligned range across layers', () => {
    expect(logRange(history)).toEqual({ min: 0.001, max: 1 });
    expect(logRange([])).toBeNull();
  });

  it('labels a log axis with whole decades, thinned to a few', () => {
    expect(decadeTicks(1e-3, 10)).toEqual([1e-3, 1e-2, 0.1, 1, 10]);
    expect(decadeTicks(1e-8, 1e2, 6)).toEqual([1e-8, 1e-6, 1e-4, 1e-2, 1, 100]);
    expect(decadeTicks(1e-8, 1e2, 5)).toEqual([1e-6, 1e-3, 1]);
    expect(decadeTicks(0.5, 5)).toEqual([1]);
    expect(decadeTicks(0, 1)).toEqual([]);
  });

  it('thins long histories evenly and keeps the newest point', () => {
    const xs = Array.from({ length: 1001 }, (_, i) => i);
    const t = thin(xs, 101);
    expect(t.length).toBe(101);
    expect(t[0]).toBe(0);
    expect(t[100]).toBe(1000);
    expect(thin([1, 2], 10)).toEqual([1, 2]);
  });
});

describe('gradient verdict', () => {
  it('says vanishing when the input layer gets 1000x less gradient than the output layer', () => {
    const v = gradientVerdict(snap(5, [['fc1', 1, 1e-7], ['fc2', 1, 1e-5], ['fc3', 1, 1e-3]]));
    expect(v).toMatchObject({ kind: 'vanishing', from: 'fc3', to: 'fc1' });
    if (v.kind === 'vanishing') expect(v.spread).toBeCloseTo(1e4);
  });

  it('says exploding when gradients grow 1000x toward the input', () => {
    expect(gradientVerdict(snap(5, [['fc1', 1, 50], ['fc2', 1, 0.01]])).kind).toBe('exploding');
  });

  it('names the layers whose norms are no longer finite', () => {
    expect(gradientVerdict(snap(5, [['fc1', 1, NaN], ['fc2', Infinity, 1]]))).toEqual({ kind: 'non-finite', layers: ['fc1', 'fc2'] });
  });

  it('is quiet for a healthy net and for no data', () => {
    expect(gradientVerdict(snap(5, [['fc1', 1, 0.02], ['fc2', 1, 0.1]])).kind).toBe('ok');
    expect(gradientVerdict(undefined).kind).toBe('none');
  });
});
