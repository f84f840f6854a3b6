// The engine process's tap between host, renderer and main, and the restore plan
// main builds from what the tap reports. The host is a scripted stand-in here;
// engine-restore.test.ts drives the real host.
import { describe, expect, it } from 'vitest';
import type { PortLike } from '../../../core/protocol/port.js';
import type { EngineToMain } from '../../../contract/engine-control.js';
import { EngineTap, MAX_QUEUED_FOR_RENDERER } from '../../../electron/engine/engine-tap.js';
import { RestorePlan } from '../../../core/host/restore-plan.js';

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
  const tap = new EngineTap((m) => toMain.push(m));
  const hostReceived: unknown[] = [];
  tap.hostPort.onMessage((d) => hostReceived.push(d));
  const host = (m: unknown) => tap.hostPort.postMessage(m);
  return { tap, toMain, hostReceived, host };
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

describe('RestorePlan', () => {
  const configure = (id: number, units: number) => ({ type: 'configure', id, spec: { units }, training: {} });
  const loadData = (id: number, name: string) => ({ type: 'loadData', id, name, bytes: new Uint8Array([1]) });

  it('keeps the latest network and data in the order they were set, then the weights', () => {
    const plan = new RestorePlan();
    plan.record(loadData(1, 'old.csv'));
    plan.record(configure(2, 10));
    plan.record(loadData(3, 'new.csv'));
    plan.recordCheckpoint(4, new Uint8Array([7]), 6);
    expect(plan.commands().map((c) => c.type)).toEqual(['configure', 'loadData', 'restoreCheckpoint']);
    // The run that was going on (to epoch 6) comes back paused.
    expect(plan.commands()[2]).toEqual({ type: 'restoreCheckpoint', bytes: new Uint8Array([7]), endEpoch: 6 });
    expect(plan.commands()[1]).toMatchObject({ name: 'new.csv' });
    expect(plan.commands().some((c) => 'id' in c)).toBe(false);
    expect(plan.summary()).toEqual({ network: true, data: 'new.csv', checkpointEpoch: 4, runPaused: true, problems: [] });
  });

  it('a new network drops the checkpoint of the old one; an imported model counts as a network', () => {
    const plan = new RestorePlan();
    plan.record(configure(1, 10));
    plan.recordCheckpoint(1, new Uint8Array([7]));
    plan.record({ type: 'importModel', id: 2, name: 'm.safetensors', bytes: new Uint8Array([1]) });
    expect(plan.commands().map((c) => c.type)).toEqual(['importModel']);
    expect(plan.summary().checkpointEpoch).toBeNull();
  });

  it('resetWeights replaces a checkpoint; weights without a network are not replayed', () => {
    const plan = new RestorePlan();
    plan.recordCheckpoint(2, new Uint8Array([7]));
    expect(plan.commands()).toEqual([]);
    plan.record(configure(1, 10));
    plan.recordCheckpoint(3, new Uint8Array([7]));
    plan.record({ type: 'resetWeights', id: 4, seed: 9 });
    expect(plan.commands()).toEqual([
      { type: 'configure', spec: { units: 10 }, training: {} },
      { type: 'resetWeights', seed: 9 },
    ]);
  });

  it('names built-in data sets and ignores commands that do not define state', () => {
    const plan = new RestorePlan();
    plan.record({ type: 'start', id: 1 });
    plan.record({ type: 'inspect', id: 2, layer: 0 });
    expect(plan.isEmpty).toBe(true);
    plan.record({ type: 'loadBuiltin', id: 3, dataset: { kind: 'spiral' } });
    expect(plan.summary().data).toBe('built-in spiral');
    plan.clear();
    expect(plan.isEmpty).toBe(true);
  });
});
