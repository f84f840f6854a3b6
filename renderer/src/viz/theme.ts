/**
 * Which theme the pictures are drawn for. Canvas colours cannot follow CSS
 * variables, so drawing code asks here and redraws on change. The app may force
 * a theme with `<html data-theme="light|dark">`; otherwise the system's
 * `prefers-color-scheme` decides.
 */
import type { Theme } from './color.js';

export function currentTheme(): Theme {
  if (typeof document === 'undefined') return 'light';
  const forced = document.documentElement.dataset.theme;
  if (forced === 'light' || forced === 'dark') return forced;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Call `onChange` whenever the theme changes; returns the function that stops watching. */
export function watchTheme(onChange: (theme: Theme) => void): () => void {
  if (typeof document === 'undefined') return () => {};
  let last = currentTheme();
  const check = (): void => {
    const now = currentTheme();
    if (now !== last) {
      last = now;
      onChange(now);
    }
  };
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  media?.addEventListener('change', check);
  const observer = new MutationObserver(check);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class', 'style'] });
  return () => {
    media?.removeEventListener('change', check);
    observer.disconnect();
  };
}

/** The page's background colour as RGB (what region and heatmap colours blend toward). */
export function backgroundOf(el: Element, fallback: readonly [number, number, number]): [number, number, number] {
  let node: Element | null = el;
  while (node) {
    const m = /rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)(?:[ ,/]+([\d.]+%?))?/.exec(getComputedStyle(node).backgroundColor);
    if (m && !(m[4] !== undefined && parseFloat(m[4]) === 0)) return [Number(m[1]), Number(m[2]), Number(m[3])];
    node = node.parentElement;
  }
  return [fallback[0], fallback[1], fallback[2]];
}
