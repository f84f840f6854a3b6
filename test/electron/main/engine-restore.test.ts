// Crash and restore end to end, without Electron: the real EngineSupervisor forks
// "engine processes" that are the real engine service (EngineTap + createHost)
// running in this process, joined by real MessageChannels and structured clones
// at the process boundary. A renderer-side client trains a network, the engine
// "crashes", and the new engine must hold the same network, data and weights.
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent, EventOf } from '../../../core/protocol/messages.js';
import { eventSchema } from '../../../core/protocol/messages.js';
import { eventsOf } from '../../../core/protocol/batching-port.js';
import { EngineSupervisor, type EngineChild } from '../../../electron/main/engine-supervisor.js';
import { startEngineService, type EngineService, type ParentPortLike } from '../../../electron/engine/engine-service.js';
import type { EngineRestartEvent } from '../../../contract/studio-api.js';
import { csvBytes, makeCsv, SPEC, TRAINING } from '../../core/host/harness.js';

/** Electron's MessagePortMain as the engine process sees it, over a Node MessagePort. */
function asPortMain(port: MessagePort) {
  const listeners = new Map<(e: { data: unknown }) => void, (data: unknown) => void>();
  return {
    on(_event: 'message', listener: (e: { data: unknown }) => void) {
      const wrapped = (data: unknown) => listener({ data });
      listeners.set(listener, wrapped);
      port.on('message', wrapped);
    },
    off(_event: 'message', listener: (e: { data: unknown }) => void) {
      const wrapped = listeners.get(listener);
      if (wrapped) port.off('message', wrapped);
    },
    postMessage: (message: unknown) => port.postMessage(message),
    start: () => port.start(),
    close: () => port.close(),
  };
}

/** A utility process stand-in: the engine service, with a clone at every crossing like a real process boundary. */
class InProcessEngine extends EventEmitter implements EngineChild {
  readonly service: EngineService;
  private parentListener: ((e: { data: unknown; ports: ReturnType<typeof asPortMain>[] }) => void) | null = null;
  private dead = false;

  constructor() {
    super();
    const parent: ParentPortLike = {
      on: (_event, listener) => {
        this.parentListener = listener;
      },
      postMessage: (message) => {
        if (this.dead) return;
        const copy = structuredClone(message);
        setImmediate(() => !this.dead && this.emit('message', copy));
      },
    };
    this.service = startEngineService(parent, {});
  }

  postMessage(message: unknown, transfer: unknown[] = []): void {
    if (this.dead) return;
    const copy = structuredClone(message);
    const ports = (transfer as MessagePort[]).map(asPortMain);
    setImmediate(() => this.parentListener?.({ data: copy, ports }));
  }

  kill(): boolean {
    this.end(0);
    return true;
  }

  /** The process dies on its own (what a segfault or an OOM kill looks like to main). */
  crash(code: number): void {
    this.end(code);
  }

  private end(code: number): void {
    if (this.dead) return;
    this.dead = true;
    this.service.host.dispose();
    this.service.tap.detachRenderer();
    setImmediate(() => this.emit('exit', code));
  }
}

/** The renderer's end: follows new ports, sends commands, collects (schema-checked) events. */
class Client {
  events: EngineEvent[] = [];
  private port: MessagePort | null = null;
  private nextId = 1;
  private waiters: { pred: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];

  attach(port: MessagePort): void {
    this.port?.close();
    this.port = port;
    // One message is one event or the batch of one engine task (core/protocol/batching-port.ts).
    port.on('message', (data: unknown) => {
      for (const raw of eventsOf(data)) {
        const parsed = eventSchema.safeParse(raw);
        if (!parsed.success) throw new Error(`invalid event: ${JSON.stringify(raw).slice(0, 200)}`);
        this.events.push(parsed.data);
        this.waiters = this.waiters.filter((w) => (w.pred(parsed.data) ? (w.resolve(parsed.data), false) : true));
      }
    });
  }

  waitFor<T extends EngineEvent>(pred: (e: EngineEvent) => boolean): Promise<T> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve: resolve as (e: EngineEvent) => void }));
  }

  async ok(cmd: { type: string; [k: string]: unknown }): Promise<EngineEvent[]> {
    const id = this.nextId++;
    const from = this.events.length;
    const end = this.waitFor((e) => (e.type === 'ack' || e.type === 'error') && 'id' in e && e.id === id);
    this.port!.postMessage({ ...cmd, id });
    const last = await end;
    if (last.type === 'error') throw new Error(`${cmd.type}: ${last.message}`);
    return this.events.slice(from).filter((e) => 'id' in e && e.id === id && e.type !== 'ack');
  }

  async inspect(): Promise<EventOf<'inspectResult'>> {
    return (await this.ok({ type: 'inspect', layer: 0 }))[0] as EventOf<'inspectResult'>;
  }
}

/** Let messages cross the fake process boundary until `done()` holds (bounded, no clock involved). */
async function settle(done: () => boolean, rounds = 2000): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await new Promise((r) => setImmediate(r));
  if (!done()) throw new Error('the condition never held');
}

let supervisor: EngineSupervisor | null = null;
afterEach(() => supervisor?.shutdown());

function setup() {
  const engines: InProcessEngine[] = [];
  const client = new Client();
  const notices: EngineRestartEvent[] = [];
  supervisor = new EngineSupervisor(
    {
      fork: () => {
        const e = new InProcessEngine();
        engines.push(e);
        return e;
      },
      createChannel: () => new MessageChannel(),
      sendPortToRenderer: (port) => {
        client.attach(port as MessagePort);
        return true;
      },
      notifyRenderer: (e) => notices.push(e),
      setTimer: (fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
      now: () => 0,
      log: () => {},
    },
    { backoffMs: [0] },
  );
  return { sup: supervisor, engines, client, notices };
}

describe('engine crash and restore, real host', () => {
  it('a crashed engine comes back with the network, the data and the last epoch’s weights', async () => {
    const { sup, engines, client, notices } = setup();
    sup.start();
    sup.connectRenderer();
    await client.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, epochs: 2 } });
    await client.ok({ type: 'loadData', name: 'blobs.csv', bytes: csvBytes(makeCsv()), options: { testSplit: 0.25 } });
    const finished = client.waitFor<EventOf<'done'>>((e) => e.type === 'done');
    await client.ok({ type: 'start' });
    expect((await finished).reason).toBe('finished');
    await settle(() => sup.plan.summary().checkpointEpoch === 2);
    const before = await client.inspect();

    engines[0]!.crash(139);
    await settle(() => notices.some((n) => n.phase === 'restarted'));
    expect(engines).toHaveLength(2);
    const restarted = notices.find((n) => n.phase === 'restarted')!;
    expect(restarted.restored).toEqual({ network: true, data: 'blobs.csv', checkpointEpoch: 2, runPaused: false, problems: [] });

    // The renderer, on its new port, sees the same network with the same weights.
    const after = await client.inspect();
    expect(after.wShape).toEqual(before.wShape);
    expect(after.W).toEqual(before.W);
    expect(after.b).toEqual(before.b);
    expect(after.iteration).toBe(before.iteration);
    // The restore's results reached the renderer too, so its view follows.
    expect(client.events.some((e) => e.type === 'dataLoaded' && e.name === 'blobs.csv')).toBe(true);

    // And training goes on from there.
    const again = client.waitFor<EventOf<'done'>>((e) => e.type === 'done');
    await client.ok({ type: 'start' });
    expect((await again).reason).toBe('finished');
    expect((await client.inspect()).iteration).toBeGreaterThan(before.iteration);
  });

  /** A started studio with a network trained one epoch with SGD on blobs.csv. */
  async function trainedWithSgd(): Promise<ReturnType<typeof setup>> {
    const studio = setup();
    studio.sup.start();
    studio.sup.connectRenderer();
    await studio.client.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, optimizer: 'sgd', epochs: 1 } });
    await studio.client.ok({ type: 'loadData', name: 'blobs.csv', bytes: csvBytes(makeCsv()), options: {} });
    await trainOneRun(studio.client);
    return studio;
  }

  async function trainOneRun(client: Client): Promise<void> {
    const finished = client.waitFor<EventOf<'done'>>((e) => e.type === 'done');
    await client.ok({ type: 'start' });
    expect((await finished).reason).toBe('finished');
  }

  it('configure with SGD, train, switch to Adam (setTraining), train, crash: the Adam-trained weights come back', async () => {
    const { sup, engines, client, notices } = await trainedWithSgd();
    await client.ok({ type: 'setTraining', training: { ...TRAINING, optimizer: 'adam', learningRate: 0.01, epochs: 1 } });
    await trainOneRun(client);
    await settle(() => sup.plan.summary().checkpointEpoch === 2);
    const before = await client.inspect();

    engines[0]!.crash(139);
    await settle(() => notices.some((n) => n.phase === 'restarted'));
    const restarted = notices.find((n) => n.phase === 'restarted')!;
    expect(restarted.restored).toEqual({ network: true, data: 'blobs.csv', checkpointEpoch: 2, runPaused: false, problems: [] });
    const after = await client.inspect();
    expect(after.W).toEqual(before.W);
    expect(after.iteration).toBe(before.iteration);
    // The engine trains on with Adam, the settings in force when it crashed.
    const changed = client.events.filter((e): e is EventOf<'trainingChanged'> => e.type === 'trainingChanged');
    expect(changed.at(-1)!.training.optimizer).toBe('adam');
  });

  it('a switch to Adam after the last checkpoint comes back as it went: the SGD weights, then Adam', async () => {
    const { sup, engines, client, notices } = await trainedWithSgd();
    await settle(() => sup.plan.summary().checkpointEpoch === 1);
    const before = await client.inspect();
    await client.ok({ type: 'setTraining', training: { ...TRAINING, optimizer: 'adam', epochs: 1 } });
    await settle(() => sup.plan.commands().some((c) => c.type === 'setTraining'));

    engines[0]!.crash(139);
    await settle(() => notices.some((n) => n.phase === 'restarted'));
    expect(notices.find((n) => n.phase === 'restarted')!.restored).toMatchObject({ checkpointEpoch: 1, problems: [] });
    expect((await client.inspect()).W).toEqual(before.W);
    const changed = client.events.filter((e): e is EventOf<'trainingChanged'> => e.type === 'trainingChanged');
    expect(changed.at(-1)!.training.optimizer).toBe('adam');
  });

  it('a crash in the middle of a run brings the run back paused at its last epoch end; Resume continues it', async () => {
    const { sup, engines, client, notices } = setup();
    sup.start();
    sup.connectRenderer();
    // So many epochs that the run is surely still going when the pause arrives.
    const EPOCHS = 100_000;
    await client.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, epochs: EPOCHS } });
    await client.ok({ type: 'loadData', name: 'blobs.csv', bytes: csvBytes(makeCsv()), options: {} });
    const firstEpoch = client.waitFor((e) => e.type === 'checkpoint');
    await client.ok({ type: 'start' });
    await firstEpoch;
    await client.ok({ type: 'pause' });
    const lastCheckpoint = client.events.filter((e): e is EventOf<'checkpoint'> => e.type === 'checkpoint').at(-1)!;
    expect(lastCheckpoint.endEpoch).toBe(EPOCHS);
    await settle(() => sup.plan.summary().checkpointEpoch === lastCheckpoint.epoch);

    engines[0]!.crash(137);
    await settle(() => notices.some((n) => n.phase === 'restarted'));
    const restarted = notices.find((n) => n.phase === 'restarted')!;
    expect(restarted.restored).toMatchObject({ checkpointEpoch: lastCheckpoint.epoch, runPaused: true });
    expect(restarted.message).toContain('Resume finishes it');
    // The new engine's status reaches the renderer's new port: paused exactly at the checkpoint.
    const lastStatus = () => client.events.filter((e): e is EventOf<'status'> => e.type === 'status').at(-1)!;
    await settle(() => lastStatus().iteration === lastCheckpoint.iteration);
    expect(lastStatus()).toMatchObject({ state: 'paused', epoch: lastCheckpoint.epoch });

    // Resume continues the same run: more epochs than the checkpoint had, towards the same end.
    const nextEpoch = client.waitFor<EventOf<'checkpoint'>>((e) => e.type === 'checkpoint');
    await client.ok({ type: 'resume' });
    expect(await nextEpoch).toMatchObject({ epoch: lastCheckpoint.epoch + 1, endEpoch: EPOCHS });
    const done = client.waitFor<EventOf<'done'>>((e) => e.type === 'done');
    await client.ok({ type: 'stop' });
    expect((await done).reason).toBe('stopped');
  });

  it('a corrupt file the engine refused is not what comes back after a crash', async () => {
    const { sup, engines, client, notices } = setup();
    sup.start();
    sup.connectRenderer();
    await client.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    await client.ok({ type: 'loadData', name: 'good.csv', bytes: csvBytes(makeCsv()), options: {} });
    await expect(client.ok({ type: 'loadData', name: 'bad.csv', bytes: csvBytes('a,b,c\n1,oops,x\n2,3,y\n'), options: {} })).rejects.toThrow(/bad.csv/);
    await settle(() => sup.plan.summary().data === 'good.csv');
    engines[0]!.crash(1);
    await settle(() => notices.some((n) => n.phase === 'restarted'));
    expect(notices.at(-1)!.restored).toMatchObject({ network: true, data: 'good.csv', problems: [] });
  });

  it('main can export the model from the engine itself (save on close)', async () => {
    const { sup, client } = setup();
    sup.start();
    sup.connectRenderer();
    await client.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    const bytes = await sup.exportModel();
    // safetensors: 8-byte little-endian header length, then the JSON header.
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(Object.keys(header)).toEqual(expect.arrayContaining(['fc1.weight', 'fc1.bias', '__metadata__']));
    // The renderer never saw main's command or its answer.
    expect(client.events.some((e) => e.type === 'modelExported')).toBe(false);
  });
});
