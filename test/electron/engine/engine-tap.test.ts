// The engine process's tap between host, renderer and main. The host is a scripted
// stand-in here; test/electron/main/engine-restore.test.ts drives the real host, and
// test/core/host/restore-plan.test.ts the plan main builds from what the tap reports.
import { describe, expect, it } from 'vitest';
import type { PortLike } from '../../../core/protocol/port.js';
import type { EngineToMain } from '../../../contract/engine-control.js';
import { EngineTap, MAX_PENDING_STATE, MAX_QUEUED_FOR_RENDERER } from '../../../electron/engine/engine-tap.js';

/** A renderer-side port: what the tap posts, and a way to send into the tap. */
function fakeRendererPort() {
  const received: unknown[] = [];
  let handler: ((d: unknown) => void) | null = null;
  let closed = false;
  const port: PortLike = {
    postMessage: (m) => received.push(m),
    onMessage: (h) => {
      handler = h;
      return () => {
        handler = null;
      };
    },
  };
  return {
    port,
    received,
    send: (m: unknown) => handler!(m),
    close: () => {
      closed = true;
    },
    get closed() {
      return closed;
    },
    get listening() {
      return handler !== null;
    },
  };
}

/** Let queued promise callbacks run (the tap starts a request after the previous one settles). */
const tick = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const toMain: EngineToMain[] = [];
  /** `busy` reports (the heartbeat's business) apart from the rest. */
  const busy: number[] = [];
  const tap = new EngineTap((m) => (m.type === 'busy' ? busy.push(m.longCommands) : toMain.push(m)));
  const hostReceived: unknown[] = [];
  tap.hostPort.onMessage((d) => hostReceived.push(d));
  const host = (m: unknown) => tap.hostPort.postMessage(m);
  return { tap, toMain, busy, hostReceived, host };
}

describe('EngineTap', () => {
  it('passes renderer commands to the host and host events to the renderer', () => {
    const t = setup();
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    r.send({ type: 'start', id: 5 });
    expect(t.hostReceived).toEqual([{ type: 'start', id: 5 }]);
    t.host({ type: 'ack', id: 5 });
    t.host({ type: 'progress', iteration: 1 });
    expect(r.received).toEqual([{ type: 'ack', id: 5 }, { type: 'progress', iteration: 1 }]);
    expect(t.toMain).toEqual([]);
  });

  it('reports a state command to main only after the host acknowledges it, as a copy', () => {
    const t = setup();
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    const bytes = new Uint8Array([1, 2, 3]);
    r.send({ type: 'loadData', id: 1, name: 'a.csv', bytes, options: {} });
    r.send({ type: 'loadData', id: 2, name: 'bad.csv', bytes: new Uint8Array([0]), options: {} });
    r.send({ type: 'configure', id: 'c', spec: {}, training: {} });
    expect(t.toMain).toEqual([]);
    bytes[0] = 99; // the renderer (or host) reusing its buffer does not change the record
    t.host({ type: 'dataLoaded', id: 1, name: 'a.csv' });
    t.host({ type: 'ack', id: 1 });
    t.host({ type: 'error', id: 2, code: 'BAD_DATA', message: 'bad.csv: line 1: not a number' });
    t.host({ type: 'ack', id: 'c' });
    expect(t.toMain.map((m) => m.type === 'state' && m.command.type)).toEqual(['loadData', 'configure']);
    const recorded = t.toMain[0] as Extract<EngineToMain, { type: 'state' }>;
    expect(recorded.command).toMatchObject({ name: 'a.csv', bytes: new Uint8Array([1, 2, 3]) });
    // Ids 1 and "1" are different commands.
    r.send({ type: 'resetWeights', id: '1' });
    t.host({ type: 'ack', id: 1 });
    expect(t.toMain).toHaveLength(2);
    t.host({ type: 'ack', id: '1' });
    expect(t.toMain).toHaveLength(3);
  });

  it('copies checkpoints to main and still delivers them to the renderer', () => {
    const t = setup();
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    const bytes = new Uint8Array([4, 5]).buffer;
    t.host({ type: 'checkpoint', epoch: 3, iteration: 90, endEpoch: 5, bytes });
    t.host({ type: 'checkpoint', epoch: 4, iteration: 120, endEpoch: null, bytes });
    expect(t.toMain).toEqual([
      { type: 'checkpoint', epoch: 3, iteration: 90, endEpoch: 5, bytes },
      { type: 'checkpoint', epoch: 4, iteration: 120, endEpoch: null, bytes },
    ]);
    expect(r.received).toEqual([
      { type: 'checkpoint', epoch: 3, iteration: 90, endEpoch: 5, bytes },
      { type: 'checkpoint', epoch: 4, iteration: 120, endEpoch: null, bytes },
    ]);
  });

  it('runs main’s commands in order and routes their answers to main, results to the renderer', async () => {
    const t = setup();
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    const done = t.tap.runCommands(7, [
      { type: 'configure', id: '__main:1' },
      { type: 'exportModel', id: '__main:2' },
    ]);
    await tick();
    // One at a time: the second is sent only after the first is answered.
    expect(t.hostReceived).toEqual([{ type: 'configure', id: '__main:1' }]);
    t.host({ type: 'configured', id: '__main:1', layers: [] });
    t.host({ type: 'ack', id: '__main:1' });
    await tick();
    expect(t.hostReceived).toHaveLength(2);
    const model = new Uint8Array([1]).buffer;
    t.host({ type: 'modelExported', id: '__main:2', bytes: model });
    t.host({ type: 'ack', id: '__main:2' });
    await done;
    expect(t.toMain).toEqual([
      {
        type: 'commands-done',
        requestId: 7,
        outcomes: [
          { ok: true, type: 'configure' },
          { ok: true, type: 'exportModel', result: { type: 'modelExported', id: '__main:2', bytes: model } },
        ],
      },
    ]);
    // The renderer saw the restore's result (its view follows) but neither ack nor the exported model.
    expect(r.received).toEqual([{ type: 'configured', id: '__main:1', layers: [] }]);
  });

  it('reports a failed main command with the host’s code and message', async () => {
    const t = setup();
    const done = t.tap.runCommands(1, [{ type: 'restoreCheckpoint', id: '__main:9' }]);
    await tick();
    t.host({ type: 'error', id: '__main:9', code: 'SHAPE_MISMATCH', message: 'checkpoint is for another network' });
    await done;
    expect(t.toMain[0]).toEqual({
      type: 'commands-done',
      requestId: 1,
      outcomes: [{ ok: false, type: 'restoreCheckpoint', code: 'SHAPE_MISMATCH', message: 'checkpoint is for another network' }],
    });
  });

  it('refuses renderer commands that use main’s reserved ids', () => {
    const t = setup();
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    r.send({ type: 'exportModel', id: '__main:1' });
    expect(t.hostReceived).toEqual([]);
    expect(r.received).toEqual([
      { type: 'error', id: '__main:1', code: 'BAD_MESSAGE', message: 'command ids starting with __main: are reserved for the app' },
    ]);
  });

  it('holds host messages until a renderer attaches, within a bound', () => {
    const t = setup();
    t.host({ type: 'ready', protocol: 1, ops: 'ts-f32' });
    for (let i = 0; i < MAX_QUEUED_FOR_RENDERER + 5; i++) t.host({ type: 'progress', iteration: i });
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    expect(r.received).toHaveLength(MAX_QUEUED_FOR_RENDERER);
    // The oldest were dropped, the newest kept.
    expect(r.received.at(-1)).toEqual({ type: 'progress', iteration: MAX_QUEUED_FOR_RENDERER + 4 });
  });

  it('a new renderer port replaces the old one, which is closed and no longer heard', () => {
    const t = setup();
    const a = fakeRendererPort();
    const b = fakeRendererPort();
    t.tap.attachRenderer(a.port, a.close);
    t.tap.attachRenderer(b.port, b.close);
    expect(a.closed).toBe(true);
    expect(a.listening).toBe(false);
    t.host({ type: 'status' });
    expect(a.received).toEqual([]);
    expect(b.received).toEqual([{ type: 'status' }]);
  });
});

describe('EngineTap: nothing waits for an answer that cannot come (issue 14, item 5)', () => {
  it('does not record commands whose id the host will not echo, and releases every answered one', () => {
    const t = setup();
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    // Ids the protocol refuses: the host answers with an id-less error, so the tap must not wait for them.
    for (const id of [1.5, -1, '', 'x'.repeat(101), Number.NaN]) {
      r.send({ type: 'loadData', id, name: 'big.csv', bytes: new Uint8Array(1000) });
      t.host({ type: 'error', code: 'BAD_MESSAGE', message: 'command loadData: field id: invalid' });
    }
    expect(t.tap.pendingStateCommands).toBe(0);
    // Well-formed ids are kept until their one answer, ack or error alike.
    r.send({ type: 'loadData', id: 7, name: 'a.csv', bytes: new Uint8Array(1) });
    r.send({ type: 'configure', id: 8, spec: {}, training: {} });
    expect(t.tap.pendingStateCommands).toBe(2);
    t.host({ type: 'error', id: 7, code: 'BAD_DATA', message: 'a.csv: line 1: not a number' });
    t.host({ type: 'ack', id: 8 });
    expect(t.tap.pendingStateCommands).toBe(0);
    expect(t.toMain.map((m) => m.type === 'state' && m.command.type)).toEqual(['configure']);
  });

  it('the same id twice: each answer releases one copy, in order', () => {
    const t = setup();
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    r.send({ type: 'loadData', id: 3, name: 'first.csv', bytes: new Uint8Array(1) });
    r.send({ type: 'loadData', id: 3, name: 'second.csv', bytes: new Uint8Array(1) });
    t.host({ type: 'ack', id: 3 });
    t.host({ type: 'error', id: 3, code: 'BAD_DATA', message: 'second.csv: empty' });
    expect(t.tap.pendingStateCommands).toBe(0);
    expect(t.toMain).toMatchObject([{ type: 'state', command: { name: 'first.csv' } }]);
  });

  it('a flood of unanswered state commands keeps at most MAX_PENDING_STATE copies', () => {
    const t = setup();
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    for (let id = 0; id < MAX_PENDING_STATE * 3; id++) r.send({ type: 'resetWeights', id });
    expect(t.tap.pendingStateCommands).toBe(MAX_PENDING_STATE);
    // The newest are the ones kept.
    t.host({ type: 'ack', id: MAX_PENDING_STATE * 3 - 1 });
    expect(t.toMain).toHaveLength(1);
    t.host({ type: 'ack', id: 0 });
    expect(t.toMain).toHaveLength(1);
  });

  it('with no host listening, a command is answered NOT_READY at once and nothing is kept', () => {
    const toMain: EngineToMain[] = [];
    const tap = new EngineTap((m) => toMain.push(m));
    const r = fakeRendererPort();
    tap.attachRenderer(r.port);
    r.send({ type: 'configure', id: 1, spec: {}, training: {} });
    expect(r.received).toMatchObject([{ type: 'error', id: 1, code: 'NOT_READY' }]);
    expect(tap.pendingStateCommands).toBe(0);
  });
});

describe('EngineTap: what main’s heartbeat needs to know', () => {
  it('reports when commands the host runs in one piece are in flight, and when none are left', () => {
    const t = setup();
    const r = fakeRendererPort();
    t.tap.attachRenderer(r.port);
    r.send({ type: 'start', id: 1 });
    r.send({ type: 'ping', id: 2 });
    expect(t.busy).toEqual([]);
    r.send({ type: 'loadData', id: 3, name: 'big.csv', bytes: new Uint8Array(1) });
    r.send({ type: 'gradcheck', id: 4 });
    expect(t.busy).toEqual([1]);
    t.host({ type: 'ack', id: 3 });
    expect(t.busy).toEqual([1]);
    t.host({ type: 'error', id: 4, code: 'NOT_READY', message: 'no network' });
    expect(t.busy).toEqual([1, 0]);
  });
});
