import { describe, expect, it } from 'vitest';
import { CurveBuilder, MAX_CURVE_POINTS, runMetrics, runRecordSchema } from '../../../renderer/src/lib/runs/record.js';
import { memoryStoreWith, MemoryRunStore } from '../../../renderer/src/lib/runs/store.js';
import { runsCsv, runsSettingsJson } from '../../../renderer/src/lib/runs/export.js';
import { sampleRun } from './fixtures.js';


describe('CurveBuilder', () => {
  it('keeps every batch loss of a short run exactly', () => {
    const c = new CurveBuilder();
    for (let i = 1; i <= 100; i++) c.push(i, i / 10, 1 / i);
    const s = c.snapshot();
    expect(s.iterations).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s.losses[9]).toBeCloseTo(0.1);
  });

  it('thins a very long run to at most MAX_CURVE_POINTS, averaging neighbours, and keeps its shape', () => {
    const c = new CurveBuilder();
    const n = MAX_CURVE_POINTS * 10 + 3;
    for (let i = 1; i <= n; i++) c.push(i, i, 1000 / i);
    const s = c.snapshot();
    expect(s.losses.length).toBeLessThanOrEqual(MAX_CURVE_POINTS + 1);
    expect(s.losses.length).toBeGreaterThan(MAX_CURVE_POINTS / 2);
    expect(s.iterations[s.iterations.length - 1]).toBe(n);
    // Averages of a decreasing curve still decrease; the means stay near the curve.
    for (let i = 1; i < s.losses.length; i++) expect(s.losses[i]!).toBeLessThan(s.losses[i - 1]!);
    const mid = Math.floor(s.losses.length / 2);
    expect(s.losses[mid]! / (1000 / s.iterations[mid]!)).toBeGreaterThan(0.9);
    expect(s.losses[mid]! / (1000 / s.iterations[mid]!)).toBeLessThan(1.2);
  });

  it('marks a point with a NaN or infinite loss as null (JSON keeps no NaN)', () => {
    const c = new CurveBuilder();
    c.push(1, 0, Number.NaN);
    expect(c.snapshot().losses).toEqual([null]);
  });
});

describe('run records', () => {
  it('final metrics are the last epoch, or the best epoch when early stopping restored it', () => {
    expect(runMetrics(sampleRun())).toMatchObject({ finalTestAccuracy: 0.55, bestTestAccuracy: 0.55, finalTrainLoss: 0.8, epochs: 2 });
    expect(runMetrics(sampleRun({ bestEpoch: 1 }))).toMatchObject({ finalTestAccuracy: 0.45, finalTrainLoss: 1 });
  });

  it('the schema takes a record through JSON and refuses a damaged one', () => {
    expect(runRecordSchema.safeParse(JSON.parse(JSON.stringify(sampleRun()))).success).toBe(true);
    const bad = { ...sampleRun(), curve: { iterations: [1], seconds: [1], losses: [] } };
    expect(runRecordSchema.safeParse(bad).success).toBe(false);
  });

  it('exports curves as CSV (batch rows, then exact epoch rows) and settings as JSON', () => {
    const csv = runsCsv([sampleRun()]).trim().split('\n');
    expect(csv[0]).toBe('run,kind,epoch,iteration,seconds,loss,train_loss,train_accuracy,test_loss,test_accuracy,validation_loss,validation_accuracy');
    expect(csv[1]).toBe('Run 1,batch,,1,0.1,1.1,,,,,,');
    expect(csv[3]).toBe('Run 1,batch,,3,0.3,,,,,,,');
    expect(csv[5]).toBe('Run 1,epoch,2,20,2,,0.8,0.6,0.9,0.55,,');
    const json = JSON.parse(runsSettingsJson([sampleRun()])) as { training: { learningRate: number }; metrics: { finalTestAccuracy: number } }[];
    expect(json[0]!.training.learningRate).toBe(0.1);
    expect(json[0]!.metrics.finalTestAccuracy).toBe(0.55);
  });
});

describe('MemoryRunStore', () => {
  it('keeps, renames (put), deletes runs and their weights', async () => {
    const s = new MemoryRunStore();
    await s.put(sampleRun({ id: 'b', createdAt: 2 }));
    await s.put(sampleRun({ id: 'a', createdAt: 1 }));
    await s.putWeights('a', Uint8Array.from([1, 2, 3]));
    await s.put(sampleRun({ id: 'a', createdAt: 1, name: 'renamed' }));
    let { runs } = await s.list();
    expect(runs.map((r) => [r.id, r.name])).toEqual([['a', 'renamed'], ['b', 'Run 1']]);
    expect(Array.from((await s.getWeights('a'))!)).toEqual([1, 2, 3]);
    await s.delete('a');
    ({ runs } = await s.list());
    expect(runs.map((r) => r.id)).toEqual(['b']);
    expect(await s.getWeights('a')).toBeNull();
  });

  it('leaves out and counts records that fail the check', async () => {
    const s = memoryStoreWith({ good: sampleRun({ id: 'good' }), bad: { version: 1, id: 'bad' } });
    const { runs, damaged } = await s.list();
    expect(runs.map((r) => r.id)).toEqual(['good']);
    expect(damaged).toBe(1);
  });

  it('refuses weights over the size cap', async () => {
    const s = new MemoryRunStore();
    await expect(s.putWeights('x', new Uint8Array(65 * 1024 * 1024))).rejects.toThrow(/more than the 64 MB/);
  });
});
