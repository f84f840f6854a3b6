import { afterEach, describe, expect, it, vi } from 'vitest';
import { hostOnChannel } from './host-port.js';
import type { EngineEvent, EventOf } from '../../../core/protocol/messages.js';
import type { EnginePort } from '../../../renderer/src/lib/engine-client.js';
import { EngineLink } from '../../../renderer/src/lib/engine-link.js';
import type { NetworkSpec, TrainingConfig } from '../../../core/spec.js';

/**
 * Browser mode's engine link: the one restore plan (core/host/restore-plan.ts)
 * replayed into a new engine after a crash, and the heartbeat that finds a Worker
 * stuck in a loop. The "Worker" is the real engine host on a MessageChannel, or
 * a port that never answers; time is vitest's fake clock.
 */

const SPEC: NetworkSpec = { inputSize: 2, layers: [{ kind: 'affine', units: 8 }, { kind: 'tanh' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };
const SGD: TrainingConfig = { optimizer: 'sgd', learningRate: 0.1, batchSize: 20, epochs: 1, seed: 4, init: 'xavier', momentum: 0.9, beta1: 0.9, beta2: 0.999, decay: 0.99 };
const ADAM: TrainingConfig = { ...SGD, optimizer: 'adam', learningRate: 0.01 };
const SPIRAL = { kind: 'spiral', count: 120, noise: 0.1, seed: 2, classes: 3 } as const;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  vi.useRealTimers();
});

/** A fresh engine, as a new Web Worker would be. */
const worker = (): EnginePort => hostOnChannel(cleanups).port;

async function attachReady(link: EngineLink, port: EnginePort): Promise<void> {
  const ready = new Promise<void>((r) => {
    const off = link.on('ready', () => {
      off();
      r();
    });
  });
  link.attach(port);
  await ready;
}

describe('EngineLink replays the one restore plan (issue 9)', () => {
  it('configure with SGD, train, switch to Adam, train, crash: the trained weights come back', async () => {
    const link = new EngineLink();
    const events: EngineEvent[] = [];
    link.subscribe((ev) => events.push(ev));
    await attachReady(link, worker());
    await link.send({ type: 'configure', spec: SPEC, training: SGD });
    await link.send({ type: 'loadBuiltin', dataset: SPIRAL, options: {} });
    let done = new Promise<void>((r) => link.on('done', () => r()));
    await link.send({ type: 'start' });
    await done;
    await link.send({ type: 'setTraining', training: ADAM });
    done = new Promise<void>((r) => link.on('done', () => r()));
    await link.send({ type: 'start' });
    await done;
    const lastCheckpoint = events.filter((e): e is EventOf<'checkpoint'> => e.type === 'checkpoint').at(-1)!;
    expect(lastCheckpoint.epoch).toBe(2);
    const before = await link.send({ type: 'inspect', layer: 'fc1' });

    link.detach('The engine stopped: test');
    await attachReady(link, worker());
    const restored = await link.replay();
    expect(restored).toEqual({ network: true, data: 'built-in spiral', checkpointEpoch: 2, runPaused: false, problems: [] });
    const after = await link.send({ type: 'inspect', layer: 'fc1' });
    expect([...after!.W]).toEqual([...before!.W]);
    expect(after!.iteration).toBe(before!.iteration);
    // Training goes on with Adam, as it would have.
    const changed = events.filter((e): e is EventOf<'trainingChanged'> => e.type === 'trainingChanged').at(-1)!;
    expect(changed.training.optimizer).toBe('adam');
  });

  it('a command the engine refused is not replayed', async () => {
    const link = new EngineLink();
    await attachReady(link, worker());
    await link.send({ type: 'configure', spec: SPEC, training: SGD });
    await expect(link.send({ type: 'loadData', name: 'bad.csv', bytes: new TextEncoder().encode('a,b,c\n1,2\n3\n'), options: {} })).rejects.toThrow();
    expect(link.plan.commands().map((c) => c.type)).toEqual(['configure']);
  });
});

/** A Worker that takes messages and never answers (stuck in a loop), or answers only pings. */
function silentPort(answerPings = false): EnginePort & { posted: { type: string; id: number }[] } {
  const listeners = new Set<(ev: MessageEvent) => void>();
  const posted: { type: string; id: number }[] = [];
  return {
    posted,
    postMessage(message: unknown) {
      const m = message as { type: string; id: number };
      posted.push(m);
      if (answerPings && m.type === 'ping') {
        queueMicrotask(() => {
          for (const l of listeners) l(new MessageEvent('message', { data: { type: 'ack', id: m.id } }));
        });
      }
    },
    addEventListener: (_type, l) => listeners.add(l),
    removeEventListener: (_type, l) => listeners.delete(l),
  };
}

describe('EngineLink heartbeat in browser mode (issue 14, item 12)', () => {
  const HEARTBEAT = { intervalMs: 2_000, answerWithinMs: 10_000, longCommandMs: 300_000 };

  it('a Worker that stops answering is reported once, after 10 s of silence', async () => {
    vi.useFakeTimers();
    const link = new EngineLink();
    const stuck: string[] = [];
    const port = silentPort();
    link.attach(port, { onUnresponsive: (why) => stuck.push(why), heartbeat: HEARTBEAT });
    await vi.advanceTimersByTimeAsync(8_000);
    expect(port.posted.filter((m) => m.type === 'ping')).toHaveLength(4);
    expect(stuck).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(stuck).toEqual(['it stopped answering for 10 s']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stuck).toHaveLength(1);
  });

  it('a busy Worker that answers its pings is never reported', async () => {
    vi.useFakeTimers();
    const link = new EngineLink();
    const stuck: string[] = [];
    link.attach(silentPort(true), { onUnresponsive: (why) => stuck.push(why), heartbeat: HEARTBEAT });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(stuck).toEqual([]);
  });

  it('a long command in flight (a file being read) gets minutes, not seconds', async () => {
    vi.useFakeTimers();
    const link = new EngineLink();
    const stuck: string[] = [];
    link.attach(silentPort(), { onUnresponsive: (why) => stuck.push(why), heartbeat: HEARTBEAT });
    void link.send({ type: 'loadData', name: 'big.csv', bytes: new Uint8Array(1), options: {} }).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(stuck).toEqual([]);
    await vi.advanceTimersByTimeAsync(180_000);
    expect(stuck).toEqual(['it stopped answering for 300 s']);
  });

  it('without watch options (Electron: main watches) no ping is sent', async () => {
    vi.useFakeTimers();
    const link = new EngineLink();
    const port = silentPort();
    link.attach(port);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(port.posted).toEqual([]);
  });
});
