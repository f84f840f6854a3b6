/**
 * At most one event per `intervalMs` of the host's clock, however many batches
 * run in between: 20 progress events a second are plenty for a chart, and a
 * flood of them would keep the renderer busy redrawing instead of responding.
 * The clock is injected so tests can drive it without waiting.
 */
export class Throttle {
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /** True (and the window restarts) when an event may go out now. */
  take(): boolean {
    const t = this.now();
    if (t - this.last < this.intervalMs) return false;
    this.last = t;
    return true;
  }

  /** An event went out anyway (a final state): the next one waits a full interval. */
  mark(): void {
    this.last = this.now();
  }

  /** Forget the window: the next `take` succeeds (a new run starts). */
  reset(): void {
    this.last = Number.NEGATIVE_INFINITY;
  }
}
