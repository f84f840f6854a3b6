import { describe, expect, it } from 'vitest';
import { EarlyStopping, earlyStoppingSchema } from '../../core/early-stopping.js';
import { splitTraining } from '../../core/training-split.js';
import type { Dataset } from '../../core/data/dataset.js';

/** Two "parameters" whose values the test sets to the epoch number, so restored weights say which epoch they are. */
function params(): { value: { data: Float32Array } }[] {
  return [{ value: { data: new Float32Array(3) } }, { value: { data: new Float32Array(2) } }];
}
function setEpoch(ps: { value: { data: Float32Array } }[], epoch: number): void {
  for (const p of ps) p.value.data.fill(epoch);
}

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement and restores the best epoch', () => {
    const es = new EarlyStopping(earlyStoppingSchema.parse({ patience: 2 }));
    const ps = params();
    const losses = [1.0, 0.6, 0.7, 0.65];
    const stops = losses.map((loss, i) => {
      setEpoch(ps, i + 1);
      return es.observe(i + 1, loss, ps);
    });
    expect(stops).toEqual([false, false, false, true]);
    expect(es.bestEpoch).toBe(2);
    expect(es.bestValue).toBe(0.6);
    expect(es.restoreBest(ps)).toBe(2);
    expect([...ps[0]!.value.data, ...ps[1]!.value.data]).toEqual([2, 2, 2, 2, 2]);
  });

  it('an improvement resets the count', () => {
    const es = new EarlyStopping({ patience: 2, monitor: 'validation', minDelta: 0 });
    const ps = params();
    expect([1, 1.1, 0.9, 1.0, 0.95].map((l, i) => es.observe(i + 1, l, ps))).toEqual([false, false, false, false, true]);
    expect(es.bestEpoch).toBe(3);
  });

  it('counts only improvements larger than minDelta', () => {
    const es = new EarlyStopping({ patience: 1, monitor: 'test', minDelta: 0.1 });
    const ps = params();
    expect(es.observe(1, 1.0, ps)).toBe(false);
    expect(es.observe(2, 0.95, ps)).toBe(true);
    expect(es.bestEpoch).toBe(1);
  });

  it('never takes a NaN loss for the best one', () => {
    const es = new EarlyStopping({ patience: 3, monitor: 'validation', minDelta: 0 });
    const ps = params();
    es.observe(1, Number.NaN, ps);
    expect(es.bestEpoch).toBeNull();
    expect(es.restoreBest(ps)).toBeNull();
  });

  it('has nothing to restore when the last epoch was the best', () => {
    const es = new EarlyStopping({ patience: 3, monitor: 'validation', minDelta: 0 });
    const ps = params();
    setEpoch(ps, 1);
    es.observe(1, 0.5, ps);
    setEpoch(ps, 2);
    es.observe(2, 0.4, ps);
    expect(es.restoreBest(ps)).toBeNull();
    expect(ps[0]!.value.data[0]).toBe(2);
  });

  it('the settings refuse a patience of 0 with the field named', () => {
    const r = earlyStoppingSchema.safeParse({ patience: 0 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['patience']);
  });
});

function dataset(count: number): Dataset {
  const x = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) x.set([i, -i], i * 2);
  return { count, features: 2, x, scale: 1, labels: Int32Array.from({ length: count }, (_, i) => i % 3), classNames: ['a', 'b', 'c'] };
}
const ids = (ds: Dataset): number[] => Array.from({ length: ds.count }, (_, i) => ds.x[i * 2]!);

describe('splitTraining', () => {
  it('holds out a seeded share as the validation set, disjoint from the samples trained on', () => {
    const { train, validation } = splitTraining(dataset(100), { seed: 3, validationSplit: 0.2 });
    expect(train.count).toBe(80);
    expect(validation!.count).toBe(20);
    const all = [...ids(train), ...ids(validation!)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // Rows travel whole: features and labels stay together, in file order.
    expect(ids(train)).toEqual([...ids(train)].sort((a, b) => a - b));
    expect(Array.from(train.labels)).toEqual(ids(train).map((i) => i % 3));
    expect(train.x[1]).toBe(-train.x[0]!);
  });

  it('is the same for the same seed and another for another seed', () => {
    const a = splitTraining(dataset(50), { seed: 1, validationSplit: 0.3 });
    const b = splitTraining(dataset(50), { seed: 1, validationSplit: 0.3 });
    const c = splitTraining(dataset(50), { seed: 2, validationSplit: 0.3 });
    expect(ids(a.validation!)).toEqual(ids(b.validation!));
    expect(ids(a.validation!)).not.toEqual(ids(c.validation!));
  });

  it('trainLimit keeps that many samples to train on; the validation set is drawn first', () => {
    const { train, validation } = splitTraining(dataset(100), { seed: 1, validationSplit: 0.1, trainLimit: 30 });
    expect(train.count).toBe(30);
    expect(validation!.count).toBe(10);
    expect(ids(train).some((i) => ids(validation!).includes(i))).toBe(false);
  });

  it('without either setting the set is used as it is', () => {
    const ds = dataset(10);
    expect(splitTraining(ds, { seed: 1 })).toEqual({ train: ds, validation: null });
    expect(splitTraining(ds, { seed: 1, trainLimit: 20 }).train).toBe(ds);
  });

  it('keeps image bytes as bytes', () => {
    const ds: Dataset = { count: 4, features: 1, x: Uint8Array.from([10, 20, 30, 40]), scale: 1 / 255, labels: Int32Array.from([0, 1, 0, 1]), classNames: ['0', '1'], imageShape: [1, 1] };
    const { train } = splitTraining(ds, { seed: 1, trainLimit: 2 });
    expect(train.x).toBeInstanceOf(Uint8Array);
    expect(train.imageShape).toEqual([1, 1]);
  });
});
