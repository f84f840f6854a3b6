import { afterEach, describe, expect, it } from 'vitest';
import { createHost } from '../../../core/host/host.js';
import { fromEventTarget, type EventTargetPort } from '../../../core/protocol/port.js';
import type { EventOf, EventType } from '../../../core/protocol/messages.js';
import type { NetworkSpec, TrainingConfig } from '../../../core/spec.js';
import type { EnginePort } from '../../../renderer/src/lib/engine-client.js';
import { EngineLink } from '../../../renderer/src/lib/engine-link.js';
import { RunsState } from '../../../renderer/src/lib/runs/runs.svelte.js';
import { MemoryRunStore } from '../../../renderer/src/lib/runs/store.js';
import { trialResults } from '../../../renderer/src/lib/runs/search.js';
import type { RunRecord } from '../../../renderer/src/lib/runs/record.js';

/**
 * The Runs view's state against the real engine host over a MessageChannel:
 * runs started by hand are recorded, a comparison and a search run one after
 * another, a stopped search keeps what it did, and everything is in the store.
 */

const SPEC: NetworkSpec = { inputSize: 2, layers: [{ kind: 'affine', units: 16 }, { kind: 'tanh' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };
const TRAINING: TrainingConfig = { optimizer: 'adam', learningRate: 0.03, batchSize: 30, epochs: 2, seed: 4, init: 'xavier', momentum: 0.9, beta1: 0.9, beta2: 0.999, decay: 0.99 };
const SPIRAL = { kind: 'spiral', count: 300, noise: 0.1, seed: 2, classes: 3 } as const;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function next<T extends EventType>(link: EngineLink, type: T): Promise<EventOf<T>> {
  return new Promise((resolve) => {
    const off = link.on(type, (ev) => {
      off();
      resolve(ev);
    });
  });
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

async function setUp(): Promise<{ link: EngineLink; state: RunsState; store: MemoryRunStore; notices: string[] }> {
  const channel = new MessageChannel();
  const host = createHost(fromEventTarget(channel.port1 as unknown as EventTargetPort));
  const link = new EngineLink();
  const ready = next(link, 'ready');
  link.attach(channel.port2 as unknown as EnginePort);
  cleanups.push(() => {
    host.dispose();
    link.detach('test over');
    channel.port1.close();
    channel.port2.close();
  });
  await ready;
  const store = new MemoryRunStore();
  const notices: string[] = [];
  const state = new RunsState({
    link,
    store,
    notify: (level, title, message) => notices.push(`${level}: ${title}${message ? ` — ${message}` : ''}`),
    download: () => undefined,
    draft: () => ({ spec: SPEC, training: TRAINING }),
    dataShape: () => ({ features: 2, classes: 3 }),
    confirmDiscard: async () => true,
    reopen: async () => undefined,
  });
  await state.load();
  // After the state exists, as in the app: the recorder learns the network and data from these events.
  await link.send({ type: 'configure', spec: SPEC, training: TRAINING });
  await link.send({ type: 'loadBuiltin', dataset: SPIRAL, options: { testSplit: 0.2 } });
  return { link, state, store, notices };
}

async function stored(store: MemoryRunStore): Promise<RunRecord[]> {
  return (await store.list()).runs;
}

describe('RunsState with the engine host', () => {
  it('records every run started by hand: settings, curve, epochs, speed', async () => {
    const { link, state, store } = await setUp();
    for (let i = 0; i < 2; i++) {
      const done = next(link, 'done');
      await link.send({ type: 'start' });
      await done;
    }
    await until(() => state.runs.length === 2);
    const runs = await stored(store);
    expect(runs).toHaveLength(2);
    const [a, b] = runs as [RunRecord, RunRecord];
    // 240 training samples in batches of 30: 8 iterations per epoch, counted from each run's start.
    expect(a.iterations).toBe(16);
    expect(b.iterations).toBe(16);
    expect(a.curve.iterations).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(a.epochs.map((e) => [e.epoch, e.iteration])).toEqual([[1, 8], [2, 16]]);
    expect(a.training.optimizer).toBe('adam');
    expect(a.data).toEqual({ name: expect.stringMatching(/spiral/i) as unknown as string, trainCount: 240, testCount: 60, features: 2, classes: 3 });
    expect(a.status).toBe('finished');
    expect(a.samplesPerSecond).toBeGreaterThan(0);
    expect(a.name).toBe('Run 1 · adam lr 0.03');
    expect(b.name).toBe('Run 2 · adam lr 0.03');
    // The second run continued training the same weights: it starts lower.
    expect(b.epochs[0]!.trainLoss!).toBeLessThan(a.epochs[0]!.trainLoss!);
  });

  it('runs the weight-init comparison one run after another and selects its runs', async () => {
    const { state, store, notices } = await setUp();
    await state.compare('init', 2);
    const runs = await stored(store);
    expect(runs.map((r) => r.name)).toEqual(['std 0.01', 'Xavier', 'He']);
    expect(runs.map((r) => r.training.init)).toEqual(['std', 'xavier', 'he']);
    expect(new Set(runs.map((r) => r.group?.id)).size).toBe(1);
    expect(runs[0]!.group?.label).toBe('Weight initialization');
    expect(runs.every((r) => r.spec.layers.filter((l) => l.kind === 'affine').length === 5)).toBe(true);
    expect(state.selected).toEqual(runs.map((r) => r.id));
    expect(notices.at(-1)).toMatch(/^success: Weight initialization done/);
    expect(state.queue.state).toBe('idle');
  });

  it('a search trains its trials on a validation split and ranks them by validation accuracy', async () => {
    const { state, store } = await setUp();
    await state.search({ trials: 3, epochsPerTrial: 1, validationSplit: 0.25, space: { learningRate: { min: 1e-3, max: 1e-1 } }, seed: 5 });
    const runs = await stored(store);
    expect(runs).toHaveLength(3);
    for (const r of runs) {
      expect(r.training.validationSplit).toBe(0.25);
      expect(r.training.learningRate).toBeGreaterThanOrEqual(1e-3);
      expect(r.epochs[0]!.validationAccuracy).not.toBeUndefined();
      // 240 samples less a quarter held out: 180 in batches of 30.
      expect(r.iterations).toBe(6);
    }
    const results = trialResults(state.runs, state.searchGroup!);
    expect(results).toHaveLength(3);
    const accs = results.map((t) => t.validationAccuracy!);
    expect(accs).toEqual([...accs].sort((x, y) => y - x));
  });

  it('stopping a search keeps the trials already run and drops the rest', async () => {
    const { link, state, store, notices } = await setUp();
    let dones = 0;
    link.on('done', () => {
      if (++dones === 2) void state.stop();
    });
    await state.search({ trials: 6, epochsPerTrial: 3, validationSplit: 0.2, space: { learningRate: { min: 1e-3, max: 1e-2 } }, seed: 1 });
    const runs = await stored(store);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThan(6);
    expect(notices.at(-1)).toMatch(/stopped/);
  });
});
