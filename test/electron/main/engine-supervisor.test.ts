// Engine lifecycle in main: fork, port hand-over, crash -> restart with the state
// restored, the retry limit, reload, and shutdown when the window closes. The
// utility process is a fake that emits 'exit' when told; time is a manual clock.
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeMessageChannelMain, FakePort, FakeUtilityProcess } from '../fake-electron.js';
import { EngineSupervisor, restartMessage } from '../../../electron/main/engine-supervisor.js';
import type { EngineRestartEvent } from '../../../contract/studio-api.js';

class ManualClock {
  now = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  setTimer = (fn: () => void, ms: number): (() => void) => {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  };
  /** Delays of the timers now pending, soonest first. */
  pendingDelays(): number[] {
    return this.timers.map((t) => t.at - this.now).sort((a, b) => a - b);
  }
  /** Advance to the next timer and run it. */
  runNext(): void {
    this.timers.sort((a, b) => a.at - b.at);
    const t = this.timers.shift();
    if (!t) throw new Error('no timer pending');
    this.now = t.at;
    t.fn();
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(options: ConstructorParameters<typeof EngineSupervisor>[1] = {}, onStateCommand?: (c: { type: string }) => void) {
  // The heartbeat has its own tests below; here its timers would interleave with the restart timers.
  options = { heartbeat: false, ...options };
  const clock = new ManualClock();
  const forks: FakeUtilityProcess[] = [];
  const rendererPorts: object[] = [];
  const events: EngineRestartEvent[] = [];
  const logs: string[] = [];
  let windowOpen = true;
  const sup = new EngineSupervisor(
    {
      fork: () => {
        const child = new FakeUtilityProcess('/dist/electron/engine-process.js');
        forks.push(child);
        return child;
      },
      createChannel: () => new FakeMessageChannelMain(),
      sendPortToRenderer: (port) => {
        if (!windowOpen) return false;
        rendererPorts.push(port);
        return true;
      },
      notifyRenderer: (e) => events.push(e),
      setTimer: clock.setTimer,
      now: () => clock.now,
      log: (m) => logs.push(m),
      onStateCommand,
    },
    options,
  );
  return {
    sup, clock, forks, rendererPorts, events, logs,
    closeWindow: () => {
      windowOpen = false;
    },
    last: () => forks[forks.length - 1]!,
  };
}

/** The engine reports what the renderer set up, as engine-tap.ts does. */
function reportState(child: FakeUtilityProcess) {
  child.emit('message', {
    type: 'state',
    command: { type: 'configure', id: 1, spec: { inputSize: 4, layers: [{ kind: 'affine', units: 3 }] }, training: { epochs: 3 } },
  });
  child.emit('message', { type: 'state', command: { type: 'loadData', id: 2, name: 'iris.csv', bytes: new Uint8Array([1, 2, 3]), options: {} } });
  child.emit('message', { type: 'checkpoint', epoch: 2, iteration: 40, endEpoch: 3, bytes: new Uint8Array([9, 9]).buffer });
}

/** Answer the run-commands request the new engine received, every command ok. */
function answerRestore(child: FakeUtilityProcess, fail: Record<string, string> = {}) {
  const req = child.postedOfType('run-commands').at(-1)!.message as { requestId: number; commands: { type: string; id: string }[] };
  child.emit('message', {
    type: 'commands-done',
    requestId: req.requestId,
    outcomes: req.commands.map((c) =>
      fail[c.type] ? { ok: false, type: c.type, code: 'BAD_DATA', message: fail[c.type] } : { ok: true, type: c.type },
    ),
  });
  return req.commands;
}

describe('EngineSupervisor', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('forks one engine and hands each end of a fresh channel to the engine and the renderer', () => {
    t.sup.start();
    t.sup.start();
    expect(t.forks).toHaveLength(1);
    expect(t.sup.connectRenderer()).toBe(true);
    const attach = t.last().postedOfType('attach-renderer');
    expect(attach).toHaveLength(1);
    const enginePort = attach[0]!.transfer[0] as FakePort;
    const rendererPort = t.rendererPorts[0] as FakePort;
    expect(enginePort).toBeInstanceOf(FakePort);
    expect(rendererPort).toBeInstanceOf(FakePort);
    expect(enginePort.id).not.toBe(rendererPort.id);
    // A page reload asks again: a new pair, the engine told to switch.
    t.sup.connectRenderer();
    expect(t.last().postedOfType('attach-renderer')).toHaveLength(2);
    expect(t.rendererPorts).toHaveLength(2);
  });

  it('restarts a crashed engine after a backoff and restores network, data and the last checkpoint, in order', async () => {
    t.sup.start();
    t.sup.connectRenderer();
    reportState(t.last());
    t.last().emit('exit', 134);

    expect(t.sup.state).toBe('restarting');
    expect(t.events[0]).toMatchObject({ phase: 'restarting', reason: 'crashed', exitCode: 134, attempt: 1, maxAttempts: 3 });
    expect(t.events[0]!.message).toMatch(/exit code 134.*attempt 1 of 3/);
    expect(t.clock.pendingDelays()).toEqual([500]);
    expect(t.forks).toHaveLength(1);

    t.clock.runNext();
    expect(t.forks).toHaveLength(2);
    const commands = answerRestore(t.last());
    expect(commands.map((c) => c.type)).toEqual(['configure', 'loadData', 'restoreCheckpoint']);
    expect(commands.every((c) => c.id.startsWith('__main:'))).toBe(true);
    expect(commands[0]).toMatchObject({ spec: { inputSize: 4 }, training: { epochs: 3 } });
    expect(commands[1]).toMatchObject({ name: 'iris.csv', bytes: new Uint8Array([1, 2, 3]) });
    expect(new Uint8Array((commands[2] as unknown as { bytes: ArrayBuffer }).bytes)).toEqual(new Uint8Array([9, 9]));
    expect(commands[2]).toMatchObject({ endEpoch: 3 });
    await flush();

    expect(t.sup.state).toBe('running');
    // The renderer gets a port to the new engine only once the state is back.
    expect(t.last().postedOfType('attach-renderer')).toHaveLength(1);
    expect(t.rendererPorts).toHaveLength(2);
    const restarted = t.events.at(-1)!;
    expect(restarted).toMatchObject({
      phase: 'restarted',
      reason: 'crashed',
      restored: { network: true, data: 'iris.csv', checkpointEpoch: 2, runPaused: true, problems: [] },
    });
    expect(restarted.message).toBe(
      'The engine was restarted after a crash. Restored the network, the data (iris.csv) and the weights of epoch 2. ' +
        'The run is paused there: Resume finishes it.',
    );
  });

  it('says which restore steps failed, and still reconnects the renderer', async () => {
    t.sup.start();
    reportState(t.last());
    t.last().emit('exit', 1);
    t.clock.runNext();
    answerRestore(t.last(), { loadData: 'iris.csv: line 3: not a number' });
    await flush();
    const restarted = t.events.at(-1)!;
    expect(restarted.restored.problems).toEqual(['loadData: iris.csv: line 3: not a number']);
    expect(restarted.message).toContain('Not restored: loadData: iris.csv: line 3: not a number.');
    expect(t.rendererPorts).toHaveLength(1);
  });

  it('gives up after maxRestarts crashes in a row and tells the renderer', async () => {
    t.sup.start();
    for (let attempt = 1; attempt <= 3; attempt++) {
      t.last().emit('exit', 139);
      expect(t.events.at(-1)).toMatchObject({ phase: 'restarting', attempt });
      expect(t.clock.pendingDelays()).toEqual([[500, 2000, 5000][attempt - 1]]);
      t.clock.runNext();
      await flush();
      expect(t.sup.state).toBe('running');
    }
    expect(t.forks).toHaveLength(4);
    t.last().emit('exit', 139);
    expect(t.sup.state).toBe('failed');
    expect(t.events.at(-1)).toMatchObject({ phase: 'failed', reason: 'crashed', exitCode: 139 });
    expect(t.events.at(-1)!.message).toMatch(/stopped 4 times in a row.*Reload Engine/);
    expect(t.clock.pendingDelays()).toEqual([]);
    expect(t.forks).toHaveLength(4);
    expect(t.sup.connectRenderer()).toBe(false);
  });

  it('an engine that ran steadily resets the crash count', async () => {
    t = setup({ maxRestarts: 1, stableAfterMs: 60_000 });
    t.sup.start();
    t.last().emit('exit', 1);
    t.clock.runNext();
    await flush();
    t.clock.now += 61_000;
    t.last().emit('exit', 1);
    expect(t.sup.state).toBe('restarting');
    expect(t.events.at(-1)).toMatchObject({ phase: 'restarting', attempt: 1 });
    t.clock.runNext();
    await flush();
    // Crashing again right away is the second in a row: over the limit of 1.
    t.last().emit('exit', 1);
    expect(t.sup.state).toBe('failed');
  });

  it('Reload Engine after giving up starts a fresh engine without the state that crashed it', async () => {
    t = setup({ maxRestarts: 0 });
    t.sup.start();
    reportState(t.last());
    t.last().emit('exit', 1);
    expect(t.sup.state).toBe('failed');
    t.sup.reload();
    await flush();
    expect(t.forks).toHaveLength(2);
    expect(t.last().postedOfType('run-commands')).toHaveLength(0);
    expect(t.sup.state).toBe('running');
    expect(t.events.at(-1)!.message).toMatch(/started empty/);
    expect(t.rendererPorts).toHaveLength(1);
  });

  it('Reload Engine while running kills the engine (no crash counted) and restores into the new one', async () => {
    t.sup.start();
    reportState(t.last());
    const first = t.last();
    t.sup.reload();
    expect(first.killed).toBe(true);
    await flush(); // the killed engine's 'exit' arrives: expected, so no restart is scheduled
    // The only timer is the restore's answer timeout, not a crash backoff.
    expect(t.clock.pendingDelays()).toEqual([120_000]);
    expect(t.forks).toHaveLength(2);
    answerRestore(t.last());
    await flush();
    expect(t.events.map((e) => `${e.phase}:${e.reason}`)).toEqual(['restarting:reload', 'restarted:reload']);
    expect(t.events.at(-1)!.restored.checkpointEpoch).toBe(2);
  });

  it('a crash during the restore is counted and handled like any crash', async () => {
    t.sup.start();
    reportState(t.last());
    t.last().emit('exit', 1);
    t.clock.runNext();
    const second = t.last();
    second.emit('exit', 1);
    await flush();
    expect(t.events.map((e) => e.phase)).toEqual(['restarting', 'restarting']);
    expect(t.events.at(-1)!.attempt).toBe(2);
    expect(t.rendererPorts).toHaveLength(0);
    t.clock.runNext();
    answerRestore(t.last());
    await flush();
    expect(t.events.at(-1)).toMatchObject({ phase: 'restarted', attempt: 2 });
  });

  it('closing the window ends the engine and nothing restarts it', async () => {
    t.sup.start();
    const child = t.last();
    t.closeWindow();
    t.sup.shutdown();
    expect(child.killed).toBe(true);
    expect(t.sup.state).toBe('stopped');
    await flush();
    child.emit('exit', 0);
    expect(t.clock.pendingDelays()).toEqual([]);
    expect(t.forks).toHaveLength(1);
    expect(t.events).toEqual([]);
    t.sup.reload();
    expect(t.forks).toHaveLength(1);
  });

  it('an engine that cannot even be forked fails clearly instead of throwing in main', async () => {
    let forks = 0;
    const events: EngineRestartEvent[] = [];
    const sup = new EngineSupervisor({
      fork: () => {
        forks++;
        throw new Error('ENOENT: engine-process.js');
      },
      createChannel: () => new FakeMessageChannelMain(),
      sendPortToRenderer: () => true,
      notifyRenderer: (e) => events.push(e),
      setTimer: () => () => {},
      now: () => 0,
      log: () => {},
    });
    sup.start();
    expect(sup.state).toBe('failed');
    expect(events.at(-1)).toMatchObject({ phase: 'failed' });
    expect(events.at(-1)!.message).toBe('The engine could not be started (ENOENT: engine-process.js). Choose Engine > Reload Engine to try again.');
    sup.reload();
    await flush();
    expect(forks).toBe(2);
    expect(sup.state).toBe('failed');
  });

  it('shutdown during the backoff cancels the pending restart', () => {
    t.sup.start();
    t.last().emit('exit', 1);
    expect(t.clock.pendingDelays()).toEqual([500]);
    t.sup.shutdown();
    expect(t.clock.pendingDelays()).toEqual([]);
  });

  it('tells main about each acknowledged state command as it is recorded', () => {
    const seen: string[] = [];
    const u = setup({}, (c) => seen.push(c.type));
    u.sup.start();
    reportState(u.last());
    expect(seen).toEqual(['configure', 'loadData']);
  });

  it('ignores malformed messages from the engine and never records them', async () => {
    t.sup.start();
    t.last().emit('message', { type: 'state' });
    t.last().emit('message', { type: 'checkpoint', epoch: -1, iteration: 0, endEpoch: null, bytes: 'x' });
    t.last().emit('message', 'garbage');
    t.last().emit('message', { type: 'state', command: { type: 'configure', id: 1, spec: {}, training: {} }, extra: 1 });
    expect(t.logs.filter((l) => l.startsWith('message from the engine'))).toHaveLength(4);
    expect(t.sup.plan.isEmpty).toBe(true);
  });

  it('exportModel asks the engine itself and returns the bytes', async () => {
    t.sup.start();
    const pending = t.sup.exportModel();
    const req = t.last().postedOfType('run-commands')[0]!.message as { requestId: number; commands: { type: string }[] };
    expect(req.commands.map((c) => c.type)).toEqual(['exportModel']);
    t.last().emit('message', {
      type: 'commands-done',
      requestId: req.requestId,
      outcomes: [{ ok: true, type: 'exportModel', result: { type: 'modelExported', id: 'x', bytes: new Uint8Array([7, 8]).buffer } }],
    });
    expect(await pending).toEqual(new Uint8Array([7, 8]));
  });

  it('exportModel fails clearly when the engine refuses, times out or dies', async () => {
    t.sup.start();
    const refused = t.sup.exportModel();
    const req = t.last().postedOfType('run-commands')[0]!.message as { requestId: number };
    t.last().emit('message', {
      type: 'commands-done',
      requestId: req.requestId,
      outcomes: [{ ok: false, type: 'exportModel', code: 'NOT_READY', message: 'no network to export' }],
    });
    await expect(refused).rejects.toThrow('no network to export');

    const timedOut = t.sup.exportModel();
    t.clock.runNext();
    await expect(timedOut).rejects.toThrow(/did not answer within 120 s/);

    const died = t.sup.exportModel();
    t.last().emit('exit', 9);
    await expect(died).rejects.toThrow('the engine stopped');
    t.sup.shutdown();
    await expect(t.sup.exportModel()).rejects.toThrow(/not running/);
  });
});

describe('restartMessage', () => {
  it('reads naturally for every mix of restored parts', () => {
    const none = { network: false, data: null, checkpointEpoch: null, runPaused: false, problems: [] };
    expect(restartMessage('reload', none, false)).toBe('The engine was reloaded. There was nothing to restore.');
    expect(restartMessage('crashed', { ...none, network: true }, false)).toBe(
      'The engine was restarted after a crash. Restored the network.',
    );
    expect(restartMessage('crashed', { ...none, network: true, data: 'a.csv' }, false)).toBe(
      'The engine was restarted after a crash. Restored the network and the data (a.csv).',
    );
  });
});

describe('EngineSupervisor heartbeat: a stuck engine is restarted, a busy one is not (issue 14, item 12)', () => {
  const HEARTBEAT = { intervalMs: 2_000, answerWithinMs: 10_000, longCommandMs: 300_000 };

  /** Run timers until the clock reaches `ms`, letting `each` answer after every one. */
  function runUntil(t: ReturnType<typeof setup>, ms: number, each: () => void = () => {}): void {
    while (t.clock.pendingDelays().length > 0 && t.clock.now + t.clock.pendingDelays()[0]! <= ms) {
      t.clock.runNext();
      each();
    }
  }

  it('an engine that stops answering is ended, restarted and restored, and the user is told it hung', async () => {
    const t = setup({ heartbeat: HEARTBEAT });
    t.sup.start();
    t.sup.connectRenderer();
    reportState(t.last());
    const hung = t.last();
    runUntil(t, 8_000);
    // Asked every 2 s, never answered; not yet given up.
    expect(hung.postedOfType('ping')).toHaveLength(4);
    expect(hung.killed).toBe(false);
    runUntil(t, 10_000);
    expect(hung.killed).toBe(true);
    expect(t.events[0]).toMatchObject({ phase: 'restarting', reason: 'unresponsive', exitCode: null, attempt: 1 });
    expect(t.events[0]!.message).toMatch(/stopped answering.*attempt 1 of 3/);
    // Its own exit event after the kill is not a second crash.
    await flush();
    expect(t.events).toHaveLength(1);
    t.clock.runNext(); // the backoff
    expect(t.forks).toHaveLength(2);
    expect(answerRestore(t.last()).map((c) => c.type)).toEqual(['configure', 'loadData', 'restoreCheckpoint']);
    await flush();
    expect(t.events[1]).toMatchObject({ phase: 'restarted', reason: 'unresponsive', restored: { checkpointEpoch: 2 } });
    expect(t.events[1]!.message).toMatch(/stopped answering/);
  });

  it('an engine that answers every ping is never ended, however long it trains', () => {
    const t = setup({ heartbeat: HEARTBEAT });
    t.sup.start();
    const child = t.last();
    let answered = 0;
    runUntil(t, 600_000, () => {
      while (answered < child.postedOfType('ping').length) {
        answered++;
        child.emit('message', { type: 'pong' });
      }
    });
    expect(answered).toBe(300);
    expect(child.killed).toBe(false);
    expect(t.events).toEqual([]);
  });

  it('while a command the host runs in one piece is in flight, silence is allowed minutes, then the same rule', () => {
    const t = setup({ heartbeat: HEARTBEAT });
    t.sup.start();
    const child = t.last();
    child.emit('message', { type: 'busy', longCommands: 1 }); // parsing a large file
    runUntil(t, 120_000);
    expect(child.killed).toBe(false);
    child.emit('message', { type: 'busy', longCommands: 0 }); // done: it answers again
    runUntil(t, 128_000);
    expect(child.killed).toBe(false);
    runUntil(t, 130_000);
    expect(child.killed).toBe(true);
  });

  it('shutdown stops the heartbeat', () => {
    const t = setup({ heartbeat: HEARTBEAT });
    t.sup.start();
    t.sup.shutdown();
    expect(t.clock.pendingDelays()).toEqual([]);
  });
});
