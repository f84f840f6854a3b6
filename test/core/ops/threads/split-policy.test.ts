import { describe, expect, it } from 'vitest';
import { BASE_INTERVAL, COOLDOWN_MS, EXPLORE_WINNING, MAX_COOLDOWN_MS, MAX_INTERVAL, SplitPolicy } from '../../../../core/ops/threads/split-policy.js';

/** A policy on a fake clock, and calls whose duration the test decides (ms for split and single). */
function simulate() {
  let t = 0;
  const policy = new SplitPolicy(() => t);
  /** Run `calls` calls of kind/work; returns how many were split and the total time. */
  const run = (calls: number, cost: { split: number; single: number }, kind = 1, work = 100_000) => {
    let splits = 0, total = 0;
    for (let i = 0; i < calls; i++) {
      const split = policy.begin(kind, work);
      const ms = split ? cost.split : cost.single;
      t += ms;
      total += ms;
      policy.finish();
      if (split) splits++;
    }
    return { splits, total };
  };
  return { policy, run };
}

const IDLE = { split: 0.55, single: 1 };
const BUSY = { split: 3, single: 1 };

describe('SplitPolicy: split a kernel call across threads only while it pays', () => {
  it('on an idle machine it splits, trying one thread alone once in EXPLORE_WINNING calls', () => {
    const { run } = simulate();
    const calls = EXPLORE_WINNING * 20;
    const { splits, total } = run(calls, IDLE);
    expect(calls - splits).toBeGreaterThanOrEqual(19);
    expect(calls - splits).toBeLessThanOrEqual(22);
    // Within 1% of always splitting: "as fast as today".
    expect(total).toBeLessThan(calls * IDLE.split * 1.01);
  });

  it('with a busy core it falls back to one thread and tries splitting ever more rarely: under 5% slower than one thread', () => {
    const { run, policy } = simulate();
    const calls = 3000;
    const { splits, total } = run(calls, BUSY);
    // Warm-up (2) + tries after 16, 48, 144, 432, 1024, 1024... calls (each try 3x slower: the interval triples).
    expect(splits).toBeLessThan(2 + 5 + Math.ceil(calls / MAX_INTERVAL));
    expect(total).toBeLessThan(calls * BUSY.single * 1.05);
    expect(policy.stats(1, 100_000)!.interval).toBe(MAX_INTERVAL);
  });

  it('returns to splitting soon after the machine becomes idle, and backs off again when it gets busy', () => {
    const { run, policy } = simulate();
    run(4000, BUSY);
    // Idle again: the next try of splitting (at most MAX_INTERVAL calls and MAX_COOLDOWN_MS away) wins, and splitting resumes.
    const settle = run(MAX_INTERVAL + MAX_COOLDOWN_MS, IDLE);
    expect(settle.splits).toBeGreaterThanOrEqual(1);
    const after = run(200, IDLE);
    expect(after.splits).toBeGreaterThanOrEqual(196);
    expect(policy.stats(1, 100_000)!.interval).toBe(BASE_INTERVAL);
    // Busy again: the split calls themselves show it, so the fallback is immediate.
    const busy = run(200, BUSY);
    expect(busy.splits).toBeLessThan(8);
  });

  it('backs off as many times as a try of splitting was slower (a heavily loaded machine)', () => {
    const { run, policy } = simulate();
    run(3, { split: 10, single: 1 }); // two warm-up splits, then one thread
    run(BASE_INTERVAL, { split: 10, single: 1 }); // the first try: 10x slower
    expect(policy.stats(1, 100_000)!.interval).toBe(BASE_INTERVAL * 10);
    const { splits, total } = run(5000, { split: 10, single: 1 });
    expect(splits).toBeLessThanOrEqual(6);
    expect(total).toBeLessThan(5000 * 1.05);
  });

  it('a lost try quiets every group: new kernels start on one thread, and no group tries splitting until the cooldown ends', () => {
    const { run, policy } = simulate();
    run(3 + BASE_INTERVAL, BUSY); // kind 1: warm-up, one thread, a lost try
    // Kind 2 arrives during the quiet period: it is measured on one thread first.
    const fresh = run(5, BUSY, 2, 100_000);
    expect(fresh.splits).toBe(0);
    expect(policy.stats(2, 100_000)!.single).toBeCloseTo(1 / 100_000, 12);
    // After the cooldown (COOLDOWN_MS doubled per loss, here 50 ms of 1 ms calls) it warms up splitting.
    const later = run(COOLDOWN_MS + 10, BUSY, 2, 100_000);
    expect(later.splits).toBeGreaterThanOrEqual(1);
    expect(later.splits).toBeLessThanOrEqual(3);
  });

  it('keeps kinds and sizes apart: a kernel that gains from threads is not held back by one that loses', () => {
    const { run } = simulate();
    for (let round = 0; round < 40; round++) {
      run(10, { split: 0.6, single: 1 }, 1, 1 << 20); // a large product: splitting wins
      run(10, { split: 2, single: 1 }, 2, 1 << 15); // a small elementwise call: splitting loses
    }
    const large = run(100, { split: 0.6, single: 1 }, 1, 1 << 20);
    const small = run(100, { split: 2, single: 1 }, 2, 1 << 15);
    expect(large.splits).toBeGreaterThanOrEqual(97);
    expect(small.splits).toBeLessThanOrEqual(2);
  });

  it('a single disturbed measurement does not flip the decision for long', () => {
    const { run } = simulate();
    run(100, IDLE);
    run(1, { split: 50, single: 50 }); // one call stalled by the scheduler
    const after = run(100, IDLE);
    expect(after.splits).toBeGreaterThanOrEqual(90);
  });

  it('finish without begin, and times that go backwards, are ignored', () => {
    let t = 10;
    const policy = new SplitPolicy(() => t);
    policy.finish();
    expect(policy.begin(1, 1000)).toBe(true);
    t = 5;
    policy.finish();
    expect(policy.stats(1, 1000)!.splitSamples).toBe(0);
  });
});
