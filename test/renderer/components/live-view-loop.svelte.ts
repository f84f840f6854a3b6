// A refreshWhileRunning loop driven by the test: runes need a .svelte.ts module. Under Node,
// 'svelte' resolves to its server build (flushSync does nothing there): the effects run when
// the microtasks queued by a change have run, which `settled` waits for.
import { refreshWhileRunning } from '../../../renderer/src/components/live-view.svelte.js';

const settled = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await Promise.resolve();
};

export async function startLoop(gapMs: number, tickMs: number) {
  const state = $state({ active: false, lastAsked: 0 });
  const refreshedAt: number[] = [];
  const stop = $effect.root(() => {
    refreshWhileRunning({
      active: () => state.active,
      lastAsked: () => state.lastAsked,
      gapMs,
      tickMs,
      refresh: () => {
        refreshedAt.push(performance.now());
        state.lastAsked = performance.now();
      },
    });
  });
  await settled();
  return {
    refreshedAt,
    stop,
    async setActive(on: boolean): Promise<void> {
      state.active = on;
      await settled();
    },
    /** A request made another way (a step, a pause). */
    askedNow(): void {
      state.lastAsked = performance.now();
    },
  };
}
