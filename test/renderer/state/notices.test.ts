import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../renderer/src/lib/engine-client.js';
import { MAX_NOTICES, NOTICE_LIFETIME_MS, Notices, WARNING_LIFETIME_MS } from '../../../renderer/src/lib/state/notices.svelte.js';

/** A clock the test advances by hand. */
function manualClock() {
  const timers: { at: number; run: () => void }[] = [];
  let now = 0;
  return {
    schedule: (run: () => void, ms: number) => timers.push({ at: now + ms, run }),
    advance(ms: number) {
      now += ms;
      for (const t of timers.splice(0).filter((t) => (t.at <= now ? (t.run(), false) : true))) timers.push(t);
    },
  };
}

describe('Notices', () => {
  it('counts a repeated message on one notice, made the newest', () => {
    const n = new Notices();
    n.notify('warning', 'iris.csv', 'constant column');
    n.notify('error', 'Other', 'x');
    n.notify('warning', 'iris.csv', 'constant column');
    expect(n.list.map((x) => [x.title, x.count])).toEqual([
      ['Other', 1],
      ['iris.csv', 2],
    ]);
  });

  it('gives many messages of one kind as one notice, the rest behind "more"', () => {
    const n = new Notices();
    const warnings = Array.from({ length: 90 }, (_, i) => `class '${i}' has no test samples`);
    n.notifyAll('warning', 'abalone.csv', warnings);
    expect(n.list).toHaveLength(1);
    expect(n.list[0]).toMatchObject({ message: "class '0' has no test samples" });
    expect(n.list[0]!.more).toHaveLength(89);
    expect(n.notifyAll('warning', 'clean.csv', [])).toBeNull();
    expect(n.list).toHaveLength(1);
  });

  it('caps the stack, giving way with the least serious and oldest first', () => {
    const n = new Notices();
    n.notify('error', 'E1');
    for (let i = 0; i < 10; i++) n.notify(i % 2 ? 'info' : 'warning', `N${i}`);
    expect(n.list).toHaveLength(MAX_NOTICES);
    expect(n.list[0]!.title).toBe('E1');
    expect(n.list.at(-1)!.title).toBe('N9');
    n.clear();
    expect(n.list).toEqual([]);
  });

  it('closes info, success and warnings by themselves; errors stay until dismissed', () => {
    const clock = manualClock();
    const n = new Notices(() => false, clock.schedule);
    n.notify('success', 'Model saved');
    n.notify('warning', 'Labels needed');
    const error = n.notify('error', 'Could not load');
    clock.advance(NOTICE_LIFETIME_MS - 1);
    expect(n.list).toHaveLength(3);
    clock.advance(1);
    expect(n.list.map((x) => x.level)).toEqual(['warning', 'error']);
    clock.advance(WARNING_LIFETIME_MS);
    expect(n.list.map((x) => x.level)).toEqual(['error']);
    clock.advance(10 * WARNING_LIFETIME_MS);
    n.dismiss(error);
    expect(n.list).toEqual([]);
  });

  it("reports a failure with the engine's message, and a not-running engine as 'try again'", () => {
    let down = false;
    const n = new Notices(() => down);
    n.fail('Could not start training', new EngineError('BAD_SPEC', 'field layers: bad'));
    expect(n.list.at(-1)).toMatchObject({ level: 'error', message: 'field layers: bad' });
    down = true;
    n.fail('Could not pause', new EngineError('NOT_READY', 'The engine is not running.'));
    expect(n.list.at(-1)).toMatchObject({ level: 'warning', message: 'The engine is not running right now; try again in a moment.' });
  });
});
