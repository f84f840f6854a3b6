import { afterEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../../core/host/host.js';
import { hostOnChannel } from './host-port.js';
import type { EngineEvent, EventOf } from '../../../core/protocol/messages.js';
import { EngineClient, EngineError, type EnginePort } from '../../../renderer/src/lib/engine-client.js';
import { EngineLink } from '../../../renderer/src/lib/engine-link.js';
import type { NetworkSpec, TrainingConfig } from '../../../core/spec.js';

/**
 * The renderer's engine client and link against the real engine host over a
 * real MessageChannel (as in a Web Worker), and against a port that misbehaves.
 */

const SPEC: NetworkSpec = { inputSize: 2, layers: [{ kind: 'affine', units: 8 }, { kind: 'tanh' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };
const TRAINING: TrainingConfig = { optimizer: 'adam', learningRate: 0.03, batchSize: 20, epochs: 2, seed: 4, init: 'xavier', momentum: 0.9, beta1: 0.9, beta2: 0.999, decay: 0.99 };
const SPIRAL = { kind: 'spiral', count: 120, noise: 0.1, seed: 2, classes: 3 } as const;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A port with no engine behind it: the test delivers what "the engine" sends (one event or a batch). */
function silentPort(): { port: EnginePort; deliver: (data: unknown) => void } {
  let listener: ((ev: MessageEvent) => void) | null = null;
  const port: EnginePort = {
    postMessage: () => undefined,
    addEventListener: (_t, l) => (listener = l),
    removeEventListener: () => undefined,
  };
  return { port, deliver: (data) => listener!({ data } as MessageEvent) };
}

function engine(): { port: EnginePort; host: EngineHost } {
  return hostOnChannel(cleanups);
}

describe('EngineClient over a real engine host', () => {
  it('answers each command with its result event, and events reach listeners too', async () => {
    const { port } = engine();
    const client = new EngineClient(port);
    const seen: string[] = [];
    client.subscribe((ev) => seen.push(ev.type));
    await client.next('ready');
    const configured = await client.send({ type: 'configure', spec: SPEC, training: TRAINING });
    expect(configured?.type).toBe('configured');
    expect(configured?.totalParams).toBe(2 * 8 + 8 + 8 * 3 + 3);
    const data = await client.send({ type: 'loadBuiltin', dataset: SPIRAL, options: { testSplit: 0.25 } });
    expect(data?.trainCount).toBe(90);
    expect(data?.classNames.length).toBe(3);
    expect(await client.send({ type: 'step', count: 3 })).toBeUndefined();
    const inspected = await client.send({ type: 'inspect', layer: 'fc2' });
    expect(inspected?.wShape).toEqual([8, 3]);
    expect(inspected?.dW).toBeInstanceOf(Float32Array);
    expect(seen).toEqual(expect.arrayContaining(['ready', 'configured', 'dataLoaded', 'progress', 'layerStats', 'inspectResult']));
    // Acks are the client's business, not the listeners'.
    expect(seen).not.toContain('ack');
  });

  it("rejects with the engine's code and one-line message, and keeps working", async () => {
    const { port } = engine();
    const client = new EngineClient(port);
    await client.next('ready');
    const err = await client.send({ type: 'start' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('NOT_READY');
    expect((err as EngineError).message).toMatch(/no network configured/);
    expect((err as EngineError).command).toBe('start');
    await expect(client.send({ type: 'configure', spec: SPEC, training: TRAINING })).resolves.toBeDefined();
  });

  it('turns a malformed event into an error event for the listeners instead of throwing', () => {
    const { port, deliver } = silentPort();
    const client = new EngineClient(port);
    const got: EngineEvent[] = [];
    client.subscribe((ev) => got.push(ev));
    deliver({ type: 'progress', iteration: 'many' });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: 'error', code: 'INTERNAL' });
    expect((got[0] as EventOf<'error'>).message).toMatch(/invalid 'progress' event/);
  });

  it('handles a batch (one message of several events) in order, an answer included, and refuses only its bad event', async () => {
    const { port, deliver } = silentPort();
    const client = new EngineClient(port);
    const got: string[] = [];
    client.subscribe((ev) => got.push(ev.type === 'error' ? `error: ${ev.message}` : ev.type));
    const answered = client.send({ type: 'evaluate' });
    const evaluation = { type: 'evaluation', id: 1, trainLoss: 0.5, trainAccuracy: 0.75, testLoss: null, testAccuracy: null };
    deliver([
      { type: 'status', state: 'idle', hasNetwork: true, hasData: true, iteration: 4, epoch: 1 },
      { type: 'progress', iteration: 'many' },
      evaluation,
      { type: 'ack', id: 1 },
    ]);
    await expect(answered).resolves.toMatchObject({ type: 'evaluation', trainAccuracy: 0.75 });
    expect(got).toEqual(['status', expect.stringMatching(/^error: .*invalid 'progress' event/), 'evaluation']);
  });

  it('fails the commands still waiting when the port is closed (a crashed engine)', async () => {
    const client = new EngineClient(silentPort().port);
    const pending = client.send({ type: 'evaluate' });
    client.close('The engine stopped: test');
    await expect(pending).rejects.toThrow('The engine stopped: test');
    await expect(client.send({ type: 'evaluate' })).rejects.toThrow(/not running/);
  });
});

describe('EngineLink restores a restarted engine', () => {
  it('replays network and data, then the last epoch checkpoint: same weights, same counters', async () => {
    const link = new EngineLink();
    const events: EngineEvent[] = [];
    link.subscribe((ev) => events.push(ev));
    const first = engine();
    const ready = new Promise<void>((r) => link.on('ready', () => r()));
    link.attach(first.port);
    await ready;
    await link.send({ type: 'loadBuiltin', dataset: SPIRAL, options: { testSplit: 0.25 } });
    await link.send({ type: 'configure', spec: SPEC, training: TRAINING });
    // One full epoch (90 samples / 20 = 5 batches) makes a checkpoint, then two more batches.
    await link.send({ type: 'step', count: 7 });
    const checkpoint = events.filter((e): e is EventOf<'checkpoint'> => e.type === 'checkpoint').pop();
    expect(checkpoint?.epoch).toBe(1);
    expect(checkpoint?.iteration).toBe(5);
    const before = await link.send({ type: 'inspect', layer: 'fc1' });
    expect(before?.iteration).toBe(7);

    // The engine dies; a fresh one takes its place.
    link.detach('The engine stopped: test');
    const second = engine();
    const ready2 = new Promise<void>((r) => link.on('ready', () => r()));
    link.attach(second.port);
    await ready2;
    const restored = await link.replay();
    expect(restored).toEqual({ network: true, data: expect.stringContaining('spiral'), checkpointEpoch: 1, runPaused: false, problems: [] });
    const after = await link.send({ type: 'inspect', layer: 'fc1' });
    expect(after?.iteration).toBe(5);

    // The restored weights are those of iteration 5 of the original run: a third engine that
    // trains 5 batches from scratch with the same seed holds the same numbers.
    const third = new EngineLink();
    const ready3 = new Promise<void>((r) => third.on('ready', () => r()));
    third.attach(engine().port);
    await ready3;
    await third.send({ type: 'loadBuiltin', dataset: SPIRAL, options: { testSplit: 0.25 } });
    await third.send({ type: 'configure', spec: SPEC, training: TRAINING });
    await third.send({ type: 'step', count: 5 });
    const reference = await third.send({ type: 'inspect', layer: 'fc1' });
    expect([...after!.W]).toEqual([...reference!.W]);
  });

  it('restores a checkpoint under the settings of its time, then puts back the settings changed since', async () => {
    const link = new EngineLink();
    const events: EngineEvent[] = [];
    link.subscribe((ev) => events.push(ev));
    const ready = new Promise<void>((r) => link.on('ready', () => r()));
    link.attach(engine().port);
    await ready;
    await link.send({ type: 'loadBuiltin', dataset: SPIRAL, options: { testSplit: 0.25 } });
    await link.send({ type: 'configure', spec: SPEC, training: TRAINING }); // Adam
    await link.send({ type: 'setTraining', training: { ...TRAINING, optimizer: 'sgd', learningRate: 0.5 } });
    await link.send({ type: 'step', count: 6 }); // checkpoint at epoch 1, taken under SGD
    const changed = await link.send({ type: 'setTraining', training: { ...TRAINING, optimizer: 'momentum', learningRate: 0.05 } });
    expect(changed?.optimizerStateKept).toBe(false);

    link.detach('The engine stopped: test');
    const ready2 = new Promise<void>((r) => link.on('ready', () => r()));
    link.attach(engine().port);
    await ready2;
    events.length = 0;
    const restored = await link.replay();
    expect(restored.problems).toEqual([]);
    expect(restored.checkpointEpoch).toBe(1);
    // configure (Adam) is replayed as sent; SGD goes back before the checkpoint, Momentum after it.
    const settings = events.filter((e): e is EventOf<'trainingChanged'> => e.type === 'trainingChanged').map((e) => e.training.optimizer);
    expect(settings).toEqual(['sgd', 'momentum']);
    expect((await link.send({ type: 'inspect', layer: 'fc1' }))?.iteration).toBe(5);
  });
});
