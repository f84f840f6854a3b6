import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../../core/protocol/messages.js';
import { MAX_STATS, RunHistory } from '../../../renderer/src/lib/state/history.svelte.js';

function progress(iteration: number, epoch: number, batchLosses?: number[]): EventOf<'progress'> {
  return {
    type: 'progress',
    state: 'running',
    iteration,
    epoch,
    loss: batchLosses?.at(-1) ?? 1,
    ...(batchLosses ? { batchLosses: new Float32Array(batchLosses) } : {}),
    samplesPerSecond: 1000,
    fraction: 0.5,
    secondsLeft: 1,
  };
}

function epochEvent(epoch: number, iteration: number): EventOf<'epoch'> {
  return { type: 'epoch', epoch, iteration, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, seconds: 0.1 };
}

describe('RunHistory', () => {
  it('keeps every batch loss a progress event carries, one point per iteration', () => {
    const h = new RunHistory();
    h.onProgress(progress(3, 0, [0.9, 0.8, 0.7]));
    h.onProgress(progress(5, 0, [0.6, 0.5]));
    expect(h.loss.iterations).toEqual([1, 2, 3, 4, 5]);
    expect(h.loss.values.map((v) => Number(v.toFixed(2)))).toEqual([0.9, 0.8, 0.7, 0.6, 0.5]);
    expect(h.iteration).toBe(5);
  });

  it('continues the timeline when the engine counts from 0 again for new data', () => {
    const h = new RunHistory();
    h.onProgress(progress(10, 2, [0.5]));
    h.onEpoch(epochEvent(2, 10));
    h.confusion = { type: 'confusion', set: 'test', classNames: ['a'], counts: [[1]] } as unknown as EventOf<'confusion'>;
    h.onDataChanged();
    expect(h.confusion).toBeNull();
    h.onProgress(progress(4, 1, [0.4]));
    h.onEpoch(epochEvent(1, 4));
    expect(h.iteration).toBe(14);
    expect(h.epoch).toBe(3);
    expect(h.loss.iterations).toEqual([10, 14]);
    expect(h.epochs.map((e) => [e.epoch, e.iteration])).toEqual([
      [2, 10],
      [3, 14],
    ]);
  });

  it('marks the epochs measured on data since replaced as stale, not current', () => {
    const h = new RunHistory();
    h.onProgress(progress(10, 2, [0.5]));
    h.onEpoch(epochEvent(1, 5));
    h.onEpoch(epochEvent(2, 10));
    expect(h.currentEpochs).toHaveLength(2);
    h.onDataChanged();
    expect(h.currentEpochs).toEqual([]);
    expect(h.epochs).toHaveLength(2);
    h.onEpoch(epochEvent(1, 4));
    expect(h.currentEpochs.map((e) => e.epoch)).toEqual([3]);
    h.reset();
    h.onEpoch(epochEvent(1, 4));
    expect(h.currentEpochs.map((e) => e.epoch)).toEqual([1]);
  });

  it('forgets what came after a point the weights were put back to (a checkpoint restore)', () => {
    const h = new RunHistory();
    h.onProgress(progress(20, 4, Array.from({ length: 20 }, () => 1)));
    for (let e = 1; e <= 4; e++) h.onEpoch(epochEvent(e, e * 5));
    h.setCounters(10, 2);
    expect(h.loss.length).toBe(10);
    expect(h.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    // While a restarted engine is being given its state back, counters pass through 0: nothing is dropped.
    h.setCounters(0, 0, true);
    expect(h.loss.length).toBe(10);
  });

  it('thins old layer statistics instead of growing without end', () => {
    const h = new RunHistory();
    for (let i = 1; i <= MAX_STATS + 1; i++) h.onLayerStats({ type: 'layerStats', iteration: i, layers: [] });
    expect(h.layerStats.length).toBeLessThanOrEqual(MAX_STATS);
    expect(h.layerStats.at(-1)?.iteration).toBe(MAX_STATS + 1);
    expect(h.layerStats[0]?.iteration).toBe(1);
  });

  it('measures speed only while a run goes, not from a lone step', () => {
    const h = new RunHistory();
    h.onProgress({ ...progress(1, 0, [1]), state: 'idle', samplesPerSecond: 146_000, fraction: 0 });
    expect(h.runSpeed).toBeNull();
    h.onProgress({ ...progress(50, 1, [1]), samplesPerSecond: 9_000 });
    expect(h.runSpeed).toBe(9_000);
    h.onProgress({ ...progress(51, 1, [1]), state: 'idle', samplesPerSecond: 146_000, fraction: 0 });
    expect(h.runSpeed).toBe(9_000);
  });

  it('takes the speed of a run that ended within one slice from its final event', () => {
    const h = new RunHistory();
    h.onProgress({ ...progress(30, 3, [1]), state: 'idle', samplesPerSecond: 250_000, fraction: 1 });
    expect(h.runSpeed).toBe(250_000);
  });

  it('starts from nothing for new weights', () => {
    const h = new RunHistory();
    h.onProgress(progress(5, 1, [1, 1, 1, 1, 1]));
    h.runEndEpoch = 10;
    const before = h.version;
    h.reset();
    expect([h.iteration, h.epoch, h.loss.length, h.epochs.length, h.runEndEpoch]).toEqual([0, 0, 0, 0, null]);
    expect(h.version).toBeGreaterThan(before);
    h.onProgress(progress(2, 0, [1, 1]));
    expect(h.iteration).toBe(2);
  });
});
