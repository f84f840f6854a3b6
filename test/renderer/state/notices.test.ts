import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../renderer/src/lib/engine-client.js';
import { NOTICE_LIFETIME_MS, Notices } from '../../../renderer/src/lib/state/notices.svelte.js';

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
  it('shows a repeated message once, as the newest', () => {
    const n = new Notices();
    n.notify('warning', 'iris.csv', 'constant column');
    n.notify('error', 'Other', 'x');
    n.notify('warning', 'iris.csv', 'constant column');
    expect(n.list.map((x) => x.title)).toEqual(['Other', 'iris.csv']);
  });

  it('closes info and success by themselves; warnings and errors stay until dismissed', () => {
    const clock = manualClock();
    const n = new Notices(() => false, clock.schedule);
    n.notify('success', 'Model saved');
    const warning = n.notify('warning', 'Labels needed');
    n.notify('error', 'Could not load');
    clock.advance(NOTICE_LIFETIME_MS - 1);
    expect(n.list).toHaveLength(3);
    clock.advance(1);
    expect(n.list.map((x) => x.level)).toEqual(['warning', 'error']);
    n.dismiss(warning);
    expect(n.list.map((x) => x.title)).toEqual(['Could not load']);
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
