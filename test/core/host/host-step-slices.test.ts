import { describe, expect, it } from 'vitest';
import type { EngineEvent, EventOf } from '../../../core/protocol/messages.js';
import { Harness, harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv } from './harness.js';

/**
 * `step` with a large count runs in slices like a run (issue 14, item 12): between
 * two slices the host reads its port, answers `ping` at once, and a `pause` or
 * `stop` ends the step at that boundary. Slices are driven by hand (an injected
 * schedule) and the clock advances 1 ms per reading, so the test asserts the
 * order of events at slice boundaries, never wall time.
 */

const harness = harnessPerTest();

function manualHost(): { h: Harness; slicesWaiting: () => number; runSlice: () => void } {
  const waiting: (() => void)[] = [];
  let clock = 0;
  const h = harness({ schedule: (fn) => waiting.push(fn), now: () => clock++, sliceMs: 5 });
  return {
    h,
    slicesWaiting: () => waiting.length,
    runSlice: () => {
      const fn = waiting.shift();
      if (!fn) throw new Error('no slice is waiting');
      fn();
    },
  };
}

/** Let messages cross the channel until `done()` holds (bounded; no clock involved). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setImmediate(r));
  if (!done()) throw new Error('the condition never held');
}

async function setUp(h: Harness): Promise<void> {
  await h.next('ready');
  await h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
  await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(240)), options: {} });
}

const answerTo = (h: Harness, id: number) => h.events.findIndex((e) => (e.type === 'ack' || e.type === 'error') && 'id' in e && e.id === id);
const lastProgress = (events: EngineEvent[]) => events.filter((e): e is EventOf<'progress'> => e.type === 'progress').at(-1)!;

describe('step in slices', () => {
  it('a pause during step 10000 ends it at the next slice boundary; the step is acked, then the pause', async () => {
    const { h, slicesWaiting, runSlice } = manualHost();
    await setUp(h);
    h.post({ type: 'step', id: 100, count: 10_000 });
    await until(() => slicesWaiting() === 1); // the first slice is done, the host yields
    const afterFirstSlice = h.of('progress').length > 0 ? lastProgress(h.events).iteration : 0;
    h.post({ type: 'pause', id: 101 });
    h.post({ type: 'ping', id: 102 });
    // The ping is answered while the step waits for its next slice.
    await until(() => answerTo(h, 102) >= 0);
    expect(answerTo(h, 100)).toBe(-1);
    runSlice();
    await until(() => answerTo(h, 101) >= 0);

    expect(h.events[answerTo(h, 100)]).toEqual({ type: 'ack', id: 100 });
    expect(h.events[answerTo(h, 101)]).toEqual({ type: 'ack', id: 101 });
    expect(answerTo(h, 100)).toBeLessThan(answerTo(h, 101));
    // One slice of batches (5 clock readings), nowhere near 10,000; no second slice ran.
    const done = lastProgress(h.events.slice(0, answerTo(h, 100)));
    expect(done.iteration).toBeGreaterThan(0);
    expect(done.iteration).toBeLessThan(10);
    expect(done.iteration).toBeGreaterThanOrEqual(afterFirstSlice);
    expect(slicesWaiting()).toBe(0);
    expect(h.of('status').at(-1)!.state).toBe('idle');

    // The pause has done its work: a later pause with nothing running is refused as before.
    const later = await h.request({ type: 'pause' });
    expect(later.error?.code).toBe('NOT_READY');
  });

  it('a stop during a step inside a paused run ends the run', async () => {
    const { h, slicesWaiting, runSlice } = manualHost();
    await setUp(h);
    await h.ok({ type: 'start' });
    await h.ok({ type: 'pause' });
    while (slicesWaiting() > 0) runSlice(); // the run's slice queued before the pause: it finds the run paused
    h.post({ type: 'step', id: 200, count: 10_000 });
    await until(() => slicesWaiting() === 1);
    h.post({ type: 'stop', id: 201 });
    h.post({ type: 'ping', id: 202 }); // its answer shows the stop has reached the host
    await until(() => answerTo(h, 202) >= 0);
    runSlice();
    await until(() => answerTo(h, 201) >= 0);
    expect(h.events[answerTo(h, 200)]!.type).toBe('ack');
    expect(h.events[answerTo(h, 201)]!.type).toBe('ack');
    expect(h.of('done').at(-1)).toMatchObject({ reason: 'stopped', message: 'stopped by the user' });
    // That stop ended the run as any stop does; nothing is left for a later one.
    expect((await h.request({ type: 'stop' })).error?.code).toBe('NOT_READY');
    expect((await h.request({ type: 'pause' })).error?.code).toBe('NOT_READY');
  });

  it('a step that is not interrupted trains exactly `count` batches across slices', async () => {
    const { h, slicesWaiting, runSlice } = manualHost();
    await setUp(h);
    h.post({ type: 'step', id: 300, count: 12 });
    while (answerTo(h, 300) < 0) {
      await until(() => slicesWaiting() > 0 || answerTo(h, 300) >= 0);
      if (slicesWaiting() > 0) runSlice();
    }
    expect(h.events[answerTo(h, 300)]!.type).toBe('ack');
    expect(lastProgress(h.events).iteration).toBe(12);
  });

  it('ping is answered ahead of queued commands, even before the backend is ready', async () => {
    const h = harness({ ops: () => new Promise(() => {}) }); // a backend that never finishes loading
    h.post({ type: 'configure', id: 1, spec: SPEC, training: TRAINING });
    h.post({ type: 'ping', id: 2 });
    await until(() => answerTo(h, 2) >= 0);
    expect(h.events).toEqual([{ type: 'ack', id: 2 }]);
  });
});
