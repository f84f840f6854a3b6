import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLoop } from './live-view-loop.svelte.js';

describe('refreshWhileRunning', async () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it('asks nothing while the view is hidden or no run goes on', async () => {
    const loop = await startLoop(900, 250);
    vi.advanceTimersByTime(5000);
    expect(loop.refreshedAt).toEqual([]);
    loop.stop();
  });

  it('while active, asks once the gap has passed since the last request, looking every tick', async () => {
    vi.advanceTimersByTime(10_000); // the last request was long ago
    const loop = await startLoop(900, 250);
    await loop.setActive(true);
    vi.advanceTimersByTime(2000);
    // The first tick finds the last request long past; after that each request waits for the
    // first tick more than 900 ms on: every 4 ticks of 250 ms.
    expect(loop.refreshedAt).toEqual([10_250, 11_250]);
    loop.stop();
  });

  it('a request made another way counts: the loop waits the gap after it', async () => {
    vi.advanceTimersByTime(10_000);
    const loop = await startLoop(2000, 500);
    loop.askedNow();
    await loop.setActive(true);
    vi.advanceTimersByTime(2000);
    expect(loop.refreshedAt).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(loop.refreshedAt).toEqual([12_500]);
    loop.stop();
  });

  it('stops asking when the run ends or the view goes', async () => {
    vi.advanceTimersByTime(10_000);
    const loop = await startLoop(900, 250);
    await loop.setActive(true);
    vi.advanceTimersByTime(250);
    expect(loop.refreshedAt).toEqual([10_250]);
    await loop.setActive(false);
    vi.advanceTimersByTime(5000);
    expect(loop.refreshedAt).toEqual([10_250]);
    await loop.setActive(true);
    loop.stop();
    vi.advanceTimersByTime(5000);
    expect(loop.refreshedAt).toEqual([10_250]);
  });
});
