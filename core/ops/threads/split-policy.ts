/**
 * Whether splitting a kernel call across the kernel threads pays, decided from how long
 * calls actually take. On an idle machine a split call of enough work runs nearly twice
 * as fast; on a machine where another program keeps a core busy, a helper thread waits
 * for its turn on that core and the caller waits for the helper, so the same call can
 * take longer than doing it alone. Which holds changes while the studio runs, so the
 * policy keeps measuring both ways and takes the faster.
 *
 * Calls are grouped by kernel kind and size class (power of two of the work), so that a
 * training loop, which repeats the same few shapes, compares like with like. Per group it
 * keeps a moving average of the time per unit of work for split and for single calls.
 * It splits until it has data, then:
 *   - while splitting wins, it runs one call in EXPLORE_WINNING alone, to keep the
 *     single-thread figure current (cheap: that call is at most ~2x slower);
 *   - while one thread wins, it tries splitting again after an interval that grows every
 *     time splitting still loses, by at least 2 and by as many times as the split call was
 *     slower (up to MAX_INTERVAL calls): on a busy machine a split call can cost many
 *     single ones, and the tries must stay a small share of the time.
 * A busy machine is busy for every kernel at once: when a try of splitting loses, no group
 * tries splitting (nor warms up a new one) for a quiet period that doubles with every loss
 * in a row (COOLDOWN_MS up to MAX_COOLDOWN_MS) and ends when splitting wins again.
 * A try of the losing mode replaces that mode's average (a machine that just became idle
 * or busy shows at once); calls in the winning mode are averaged. Splitting must be at
 * least MARGIN faster to be chosen: a split that gains nothing still takes a core from
 * the rest of the desktop.
 */
export interface SplitStats {
  /** Average milliseconds per unit of work, split and single (NaN: not measured yet). */
  split: number;
  single: number;
  /** Calls since the other mode was last tried. */
  sinceExplore: number;
  /** Calls between tries of splitting while one thread wins. */
  interval: number;
  /** Split samples so far (the first one is kept out of the average: warm-up). */
  splitSamples: number;
}

export const EXPLORE_WINNING = 128;
export const BASE_INTERVAL = 16;
export const MAX_INTERVAL = 1024;
export const MARGIN = 0.05;
export const COOLDOWN_MS = 50;
export const MAX_COOLDOWN_MS = 1000;
const ALPHA = 0.3;

export class SplitPolicy {
  private readonly groups = new Map<number, SplitStats>();
  /** The call being timed: its group, mode and start. */
  private pending: SplitStats | null = null;
  private pendingSplit = false;
  private pendingExplore = false;
  private pendingWork = 0;
  private started = 0;
  /** No group tries splitting before this time (after a lost try); cooldown: the last quiet period. */
  private quietUntil = -Infinity;
  private cooldown = 0;
  /** Split and single calls decided so far (for the bench and tests). */
  splitCalls = 0;
  singleCalls = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Decide for one call of `kind` over `work` units (floats, multiply-adds...) that is
   * big enough to split at all, and start timing it. Call `finish()` when it returns.
   */
  begin(kind: number, work: number): boolean {
    const key = kind * 64 + Math.min(63, Math.floor(Math.log2(Math.max(1, work))));
    let s = this.groups.get(key);
    if (!s) {
      s = { split: NaN, single: NaN, sinceExplore: 0, interval: BASE_INTERVAL, splitSamples: 0 };
      this.groups.set(key, s);
    }
    const winner = this.winner(s);
    const split = this.choose(s, winner);
    this.pendingExplore = winner !== null && split !== winner;
    if (split) this.splitCalls++;
    else this.singleCalls++;
    this.pending = s;
    this.pendingSplit = split;
    this.pendingWork = Math.max(1, work);
    this.started = this.now();
    return split;
  }

  /** The call begun last has returned: fold its time into its group. */
  finish(): void {
    const s = this.pending;
    if (!s) return;
    this.pending = null;
    this.record(s, this.pendingSplit, this.pendingExplore, (this.now() - this.started) / this.pendingWork);
  }

  /** The statistics of the group a call of `kind` over `work` units falls in (tests, bench). */
  stats(kind: number, work: number): SplitStats | undefined {
    return this.groups.get(kind * 64 + Math.min(63, Math.floor(Math.log2(Math.max(1, work)))));
  }

  /** true: splitting wins; false: one thread wins; null: not both measured yet. */
  private winner(s: SplitStats): boolean | null {
    if (Number.isNaN(s.split) || Number.isNaN(s.single)) return null;
    return this.splitWins(s);
  }

  private choose(s: SplitStats, winner: boolean | null): boolean {
    const quiet = this.now() < this.quietUntil;
    // Splitting is today's default: measure it first (two samples: the first warms up),
    // except while splitting has just lost elsewhere: then this group runs alone for now.
    if (s.splitSamples < 2 || Number.isNaN(s.split)) return !quiet;
    if (winner === null) return false;
    s.sinceExplore++;
    if (winner) {
      if (s.sinceExplore >= EXPLORE_WINNING) {
        s.sinceExplore = 0;
        return false;
      }
      return true;
    }
    if (s.sinceExplore >= s.interval && !quiet) {
      s.sinceExplore = 0;
      return true;
    }
    return false;
  }

  private splitWins(s: SplitStats): boolean {
    return s.split < s.single * (1 - MARGIN);
  }

  private record(s: SplitStats, split: boolean, explored: boolean, perUnit: number): void {
    if (!(perUnit >= 0) || !Number.isFinite(perUnit)) return;
    if (split) {
      s.splitSamples++;
      if (s.splitSamples === 1) return;
      s.split = Number.isNaN(s.split) || explored ? perUnit : s.split + ALPHA * (perUnit - s.split);
      // A try of splitting while one thread won: back off while it still loses.
      if (explored) {
        const slower = Math.ceil(s.split / s.single);
        s.interval = this.splitWins(s) ? BASE_INTERVAL : Math.min(MAX_INTERVAL, s.interval * Math.max(2, slower));
      }
      // Only tries move the cooldown: one disturbed call among many split ones should not quiet every group.
      if (explored) {
        if (this.splitWins(s)) this.cooldown = 0;
        else {
          this.cooldown = Math.min(MAX_COOLDOWN_MS, this.cooldown > 0 ? this.cooldown * 2 : COOLDOWN_MS);
          this.quietUntil = this.now() + this.cooldown;
        }
      }
    } else {
      s.single = Number.isNaN(s.single) || explored ? perUnit : s.single + ALPHA * (perUnit - s.single);
    }
  }
}
