import { describe, expect, it } from 'vitest';
import { Harness, harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv } from './harness.js';
import { createReferenceOps } from '../../../core/ops/reference.js';
import type { Ops } from '../../../core/ops/types.js';

/**
 * Throttling is checked against a clock the test owns (no real time): every
 * training slice is one batch, and the scheduler moves the clock by a fixed
 * step per slice, so "how many progress events for how much engine time" has
 * an exact answer.
 */

const harness = harnessPerTest();

function clocked(msPerSlice: number): Harness {
  let t = 0;
  return harness({
    now: () => t,
    sliceMs: 0, // one batch per slice
    schedule: (fn) => {
      setImmediate(() => {
        t += msPerSlice;
        fn();
      });
    },
  });
}

async function run(h: Harness, epochs: number): Promise<void> {
  await h.next('ready');
  await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, epochs } });
  await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(240)), options: {} });
  const done = h.next('done');
  await h.ok({ type: 'start' });
  await done;
}

describe('host: progress throttling', () => {
  it('sends at most 20 progress events per second of engine time, and the final state', async () => {
    const h = clocked(10); // 10 ms per batch
    await run(h, 40); // 40 epochs x 12 batches = 480 batches = 4.8 s
    const progress = h.of('progress');
    const running = progress.filter((p) => p.state === 'running');
    // 4.8 s at 20/s is 96; the start event counts as one.
    expect(running.length).toBeLessThanOrEqual(97);
    expect(running.length).toBeGreaterThanOrEqual(90); // and they do keep coming
    // Consecutive throttled events are at least 5 batches (50 ms) apart.
    for (let i = 2; i < running.length; i++) expect(running[i]!.iteration - running[i - 1]!.iteration).toBeGreaterThanOrEqual(5);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ state: 'idle', iteration: 480, epoch: 40, fraction: 1 });
    // Layer statistics: at most 4 per second of engine time, plus one per epoch end and the final one.
    const stats = h.of('layerStats');
    expect(stats.length).toBeLessThanOrEqual(Math.ceil(4.8 * 4) + 1 + 40 + 1);
    expect(stats.length).toBeGreaterThanOrEqual(40);
    // The final state precedes done.
    const order = h.events.map((e) => e.type);
    expect(order.lastIndexOf('progress')).toBeLessThan(order.indexOf('done'));
  });

  it('throttled progress still carries every batch loss, in order, ending with the last one', async () => {
    const h = clocked(10);
    await run(h, 10); // 120 batches, about 24 progress events
    const progress = h.of('progress');
    const seen: number[] = [];
    let prev = 0;
    for (const p of progress) {
      const losses = p.batchLosses ?? new Float32Array(0);
      // The losses of the iterations since the previous event: as many as it advanced.
      expect(losses.length).toBe(p.iteration - prev);
      if (losses.length > 0) expect(losses[losses.length - 1]).toBe(Math.fround(p.loss!));
      seen.push(...losses);
      prev = p.iteration;
    }
    expect(seen).toHaveLength(120);
    expect(seen.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
    expect(progress.length).toBeLessThan(40);
  });

  it('however many batches run in no time, only the forced events go out', async () => {
    const h = clocked(0); // the clock never moves: an infinitely fast engine
    await run(h, 20); // 240 batches
    const progress = h.of('progress');
    // One at start, one at the end; nothing in between.
    expect(progress.length).toBe(2);
    expect(progress[0]).toMatchObject({ state: 'running', iteration: 0 });
    expect(progress[1]).toMatchObject({ state: 'idle', iteration: 240 });
    // Layer statistics: one per epoch end, one at the first slice and the final one.
    expect(h.of('layerStats').length).toBeLessThanOrEqual(20 + 2);
    expect(h.of('epoch')).toHaveLength(20);
  });

  it('reports samples per second and the time left from the engine clock', async () => {
    const h = clocked(10);
    await h.next('ready');
    await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, epochs: 10 } });
    await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(240)), options: {} });
    const mid = h.waitFor((e) => e.type === 'progress' && e.state === 'running' && e.iteration >= 30);
    await h.ok({ type: 'start' });
    const p = (await mid) as Extract<Awaited<ReturnType<typeof h.next<'progress'>>>, object>;
    // 20 samples per batch, 10 ms per batch: 2000 samples/s.
    expect(p.samplesPerSecond).toBeCloseTo(2000, 6);
    expect(p.fraction).toBeCloseTo(p.iteration / 120, 10);
    expect(p.secondsLeft).toBeCloseTo(((120 - p.iteration) * 20) / 2000, 6);
    await h.next('done');
  });
});

describe('host: injected numeric backend', () => {
  it('uses the ops a factory resolves to, asynchronously', async () => {
    const ref = createReferenceOps('f32');
    let gemms = 0;
    const counting: Ops = { ...ref, name: 'counting-test', gemm: (...args) => (gemms++, ref.gemm(...args)) };
    const h = harness({ ops: async () => counting });
    // Commands sent before the backend is ready wait for it.
    const configured = h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    expect(await h.next('ready')).toMatchObject({ ops: 'counting-test' });
    await configured;
    await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(60)), options: {} });
    await h.ok({ type: 'step', count: 2 });
    // Two affine layers: x·W forward and dW backward for both, dx for fc2 only (fc1's input is the data).
    expect(gemms).toBe(2 * 5);
  });

  it('says so when the backend fails to start', async () => {
    const h = harness({ ops: () => Promise.reject(new Error('WebAssembly is disabled')) });
    h.host.ready.catch(() => undefined);
    const err = await h.next('error');
    expect(err).toMatchObject({ code: 'INTERNAL', message: 'the numeric backend failed to start: WebAssembly is disabled' });
    await expect(h.host.ready).rejects.toThrow('WebAssembly is disabled');
  });
});
