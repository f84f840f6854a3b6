// A sampled() value driven by the test: runes need a .svelte.ts module. Under Node the
// effects run once the microtasks queued by a change have run, which `settled` waits for.
import { sampled } from '../../../renderer/src/lib/sampled.svelte.js';

const settled = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await Promise.resolve();
};

export async function sampledProbe(ms: number) {
  const source = $state({ value: 0, running: true });
  let view: { readonly current: number } = { current: -1 };
  const stop = $effect.root(() => {
    view = sampled(() => source.value, ms, () => source.running);
  });
  await settled();
  return {
    stop,
    get shown(): number {
      return view.current;
    },
    async set(v: number): Promise<void> {
      source.value = v;
      await settled();
    },
    /** Whether the value is held back (a run goes on). */
    async setRunning(running: boolean): Promise<void> {
      source.running = running;
      await settled();
    },
  };
}
