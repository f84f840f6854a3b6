/**
 * What the views that ask the engine for snapshots of the network share (the Inspector
 * and Results tabs, the inspector's image layers): they are told whether they are on
 * screen, and a hidden view asks for nothing; while a run goes on they ask again every
 * so often rather than at every step, which would slow the run for pictures nobody
 * can follow.
 */

/** Props of a view that refreshes itself from the engine. */
export interface LiveViewProps {
  /** The view is on screen (no live refresh when hidden). */
  visible: boolean;
}

export interface RefreshWhileRunning {
  /** The view is on screen and a run goes on. */
  active: () => boolean;
  /** When the last request went out (performance.now()), by this loop or any other way. */
  lastAsked: () => number;
  /** Ask again once this long has passed since the last request. */
  gapMs: number;
  /** How often to look. */
  tickMs: number;
  refresh: () => void;
}

/**
 * Calls `refresh` whenever `gapMs` have passed since the last request, for as long as
 * `active()` holds. Call while a component initialises: the loop is an effect, stopped
 * when `active()` turns false or the component goes.
 */
export function refreshWhileRunning({ active, lastAsked, gapMs, tickMs, refresh }: RefreshWhileRunning): void {
  $effect(() => {
    if (!active()) return;
    const timer = setInterval(() => {
      if (performance.now() - lastAsked() > gapMs) refresh();
    }, tickMs);
    return () => clearInterval(timer);
  });
}
