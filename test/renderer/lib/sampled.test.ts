import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sampledProbe } from './sampled-probe.svelte.js';

describe('sampled: a value that follows its source at most once every so often', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    vi.setSystemTime(0);
    vi.advanceTimersByTime(10_000);
  });
  afterEach(() => vi.useRealTimers());

  it('starts with the source value and shows a first change at once', async () => {
    const p = await sampledProbe(100);
    expect(p.shown).toBe(0);
    await p.set(1);
    expect(p.shown).toBe(1);
    p.stop();
  });

  it('folds the changes of one interval into one update at its end, with the latest value', async () => {
    const p = await sampledProbe(100);
    await p.set(1); // shown now; the next update may come 100 ms later
    await p.set(2);
    await p.set(3);
    vi.advanceTimersByTime(50);
    await p.set(4);
    expect(p.shown).toBe(1);
    vi.advanceTimersByTime(49);
    expect(p.shown).toBe(1);
    vi.advanceTimersByTime(1);
    expect(p.shown).toBe(4);
    p.stop();
  });

  it('never loses the last change: after a burst the final value shows', async () => {
    const p = await sampledProbe(100);
    for (let v = 1; v <= 30; v++) {
      await p.set(v);
      vi.advanceTimersByTime(7);
    }
    vi.advanceTimersByTime(200);
    expect(p.shown).toBe(30);
    p.stop();
  });

  it('a change long after the last update shows at once again', async () => {
    const p = await sampledProbe(100);
    await p.set(1);
    vi.advanceTimersByTime(500);
    await p.set(2);
    expect(p.shown).toBe(2);
    p.stop();
  });

  it('once the run stops, an update that was due shows at once, not at the end of its interval', async () => {
    const p = await sampledProbe(100);
    await p.set(1);
    await p.set(2); // due in 100 ms
    await p.setRunning(false);
    expect(p.shown).toBe(2);
    vi.advanceTimersByTime(500);
    expect(p.shown).toBe(2); // the cancelled timer does not fire
    p.stop();
  });

  it('follows every change at once while no run goes on, and holds back again when one starts', async () => {
    const p = await sampledProbe(100);
    await p.setRunning(false);
    for (let v = 1; v <= 5; v++) {
      await p.set(v);
      expect(p.shown).toBe(v);
    }
    await p.setRunning(true);
    await p.set(6); // within 100 ms of the last update
    expect(p.shown).toBe(5);
    vi.advanceTimersByTime(100);
    expect(p.shown).toBe(6);
    p.stop();
  });

  it('stops following when its owner goes', async () => {
    const p = await sampledProbe(100);
    await p.set(1);
    await p.set(2); // due in 100 ms
    p.stop();
    vi.advanceTimersByTime(500);
    expect(p.shown).toBe(1);
  });
});
