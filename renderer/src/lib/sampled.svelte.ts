import { untrack } from 'svelte';

/**
 * A reactive value that follows `read()` at most once every `ms`: the first change
 * shows at once, changes within the next `ms` are folded into one update at its end
 * (with the value as it is then), and the last change is never lost.
 *
 * Why: a small network ends hundreds of epochs a second. Text that changed with every
 * epoch made the page lay out and paint on every frame, which left it too little time
 * to draw (the Training tab's metric cards); nobody reads a number that changes 80
 * times a second, and ten times a second still looks live. Call while a component
 * initialises (it uses an effect).
 *
 * `throttled()` says when to hold back (while a run goes on). Once it turns false the value
 * follows its source at once, and an update that was due shows now: the final figures of a
 * run appear in the same update as "Finished", never up to `ms` later (whoever reads the
 * card the moment the run ends would otherwise read an older epoch's figure).
 */
export function sampled<T>(
  read: () => T,
  ms: number,
  throttled: () => boolean,
  now: () => number = () => performance.now(),
): { readonly current: T } {
  let value = $state.raw(untrack(read));
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  $effect(() => {
    const next = read();
    if (!throttled()) {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (!Object.is(next, untrack(() => value))) {
        last = now();
        value = next;
      }
      return;
    }
    if (timer !== null) return; // an update is already due: it will read the value then
    if (Object.is(next, untrack(() => value))) return; // nothing new (the first run, or a change undone)
    const wait = last + ms - now();
    if (wait <= 0) {
      last = now();
      value = next;
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      last = now();
      value = untrack(read);
    }, wait);
  });
  $effect(() => () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  });
  return {
    get current() {
      return value;
    },
  };
}
