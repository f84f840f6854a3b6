import { afterEach, describe, expect, it } from 'vitest';
import { hostOnChannel } from '../lib/host-port.js';
import { EngineLink } from '../../../renderer/src/lib/engine-link.js';
import { Session } from '../../../renderer/src/lib/session.svelte.js';
import { FakePlatform } from './fakes.js';
import type { EnginePort } from '../../../renderer/src/lib/engine-client.js';
import { SYNC_DELAY_MS } from '../../../renderer/src/lib/state/run.svelte.js';
import { buildNetwork } from '../../../core/network.js';
import { exportModelBytes } from '../../../core/host/model-io.js';
import { createReferenceOps } from '../../../core/ops/reference.js';
import { trainingConfigSchema, type NetworkSpec } from '../../../core/spec.js';

/**
 * The Session wires the state objects to a real engine host over a real
 * MessageChannel (as a Web Worker would carry it): what a user sees when the
 * studio opens and trains, without a browser.
 */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

class EnginePlatform extends FakePlatform {
  override startEngine(link: EngineLink): void {
    link.attach(hostOnChannel(cleanups).port);
  }
}

/**
 * An engine whose answers to importModel come late (a big model, a slow disk): while one
 * is open, every message from the engine is held for `holdMs`, in order.
 */
class SlowImportPlatform extends EnginePlatform {
  constructor(private readonly holdMs: number) {
    super();
  }
  override startEngine(link: EngineLink): void {
    const inner = hostOnChannel(cleanups).port;
    const holdMs = this.holdMs;
    let importing = 0;
    let due = 0; // messages held so far keep their order
    const wrapped = new Map<(ev: MessageEvent) => void, (ev: MessageEvent) => void>();
    const port: EnginePort = {
      postMessage(message, transfer) {
        if ((message as { type?: string }).type === 'importModel') importing++;
        inner.postMessage(message, transfer);
      },
      addEventListener(type, listener) {
        const late = (ev: MessageEvent): void => {
          const text = JSON.stringify(ev.data, (_k, v: unknown) => (ArrayBuffer.isView(v) ? null : v));
          if (importing === 0 && Date.now() >= due) return listener(ev);
          due = Math.max(due, Date.now() + holdMs);
          setTimeout(() => listener(ev), due - Date.now());
          if (text.includes('"modelImported"')) importing--;
        };
        wrapped.set(listener, late);
        inner.addEventListener(type, late);
      },
      removeEventListener(type, listener) {
        inner.removeEventListener(type, wrapped.get(listener) ?? listener);
      },
      start: () => inner.start?.(),
    };
    link.attach(port);
  }
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Session', () => {
  it('opens with the spiral and its network built, trains, and reports the finished run', async () => {
    const session = new Session(new EnginePlatform());
    session.start();
    await until('the default network', () => session.model.engineNet !== null);
    expect(session.status.health).toBe('ready');
    expect(session.data.loaded?.classNames).toHaveLength(3);
    expect(session.model.engineNet?.spec).toEqual(session.draft.snapshot().spec);
    expect(session.run.trainBlocker).toBeNull();

    session.draft.setTraining({ epochs: 2 });
    await session.run.train();
    await until('the run to end', () => session.history.lastDone !== null);
    expect(session.run.runState).toBe('idle');
    expect(session.history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(session.history.loss.length).toBe(session.history.iteration);
    expect(session.notices.list.at(-1)?.title).toBe('Training finished');
    expect(session.model.dirty).toBe(true);
  });

  it('continues the charts over new data for the same weights, and the window title says unsaved', async () => {
    const platform = new EnginePlatform();
    const session = new Session(platform);
    session.start();
    await until('the default network', () => session.model.engineNet !== null);
    await session.run.step(5);
    expect(session.history.iteration).toBe(5);
    await session.data.setSettings({ testSplit: 0.3 });
    await session.run.step(2);
    expect(session.history.iteration).toBe(7);
    expect(session.history.loss.iterations.at(-1)).toBe(7);
    expect(platform.documents.at(-1)).toEqual({ title: 'Untitled model', unsaved: true });
  });

  it('asks before another data set would replace unsaved weights: Cancel changes nothing, Discard starts an Untitled model', async () => {
    const session = new Session(new EnginePlatform());
    session.start();
    await until('the default network', () => session.model.engineNet !== null);
    await session.run.step(5);
    session.model.name = 'spiral.safetensors';
    const rows = ['a,b,c,d,kind', ...Array.from({ length: 60 }, (_, i) => `${i % 7},${i % 5},${i % 3},${i % 2},${i % 2 ? 'x' : 'y'}`)];
    const file = { name: 'four.csv', bytes: new TextEncoder().encode(rows.join('\n')) };

    const cancelled = session.data.openFiles([file]);
    await until('the question', () => session.dialogs.confirmRequest !== null);
    expect(session.data.loaded?.features).toBe(2); // asked before anything changed
    session.dialogs.confirmRequest!.resolve('cancel');
    await cancelled;
    expect(session.data.source?.kind).toBe('synthetic');
    expect(session.history.iteration).toBe(5);

    const discarded = session.data.openFiles([file]);
    await until('the question', () => session.dialogs.confirmRequest !== null);
    session.dialogs.confirmRequest!.resolve('confirm');
    await discarded;
    await until('the rebuilt network', () => session.model.engineNet?.spec.inputSize === 4);
    expect(session.dialogs.confirmRequest).toBeNull(); // asked once
    expect(session.model.title).toBe('Untitled model');
    expect(session.history.iteration).toBe(0);
  });

  it('a model opened while an edit waits to be built keeps its weights: the build does not land after it', async () => {
    // A 2-input, 3-class model for the spiral with weights drawn from its own seed.
    const ops = createReferenceOps();
    const spec: NetworkSpec = { inputSize: 2, layers: [{ kind: 'affine', units: 7 }, { kind: 'tanh' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };
    const training = trainingConfigSchema.parse({ optimizer: 'sgd', learningRate: 0.1, batchSize: 10, epochs: 1, seed: 42, init: 'xavier' });
    const network = buildNetwork(spec, { ops, init: 'xavier', seed: 42 });
    const fileW = Array.from(network.namedParams().find((p) => p.layer === 'fc1' && p.name === 'weight')!.param.value.data);
    const bytes = new Uint8Array(exportModelBytes({ network, training, normalization: null, classNames: ['arm 1', 'arm 2', 'arm 3'], featureNames: null }));

    const session = new Session(new SlowImportPlatform(SYNC_DELAY_MS * 3));
    session.start();
    await until('the default network', () => session.model.engineNet !== null);
    session.draft.setTraining({ learningRate: 0.3 }); // an edit: built SYNC_DELAY_MS from now
    await session.model.openFile({ name: 'spiral-model.safetensors', bytes }, true);
    await new Promise((r) => setTimeout(r, SYNC_DELAY_MS * 2)); // anything still due has happened
    expect(session.model.title).toBe('spiral-model.safetensors');
    expect(session.model.engineNet?.spec.layers).toEqual(spec.layers);
    const fc1 = await session.run.inspect('fc1');
    expect(Array.from(fc1!.W)).toEqual(fileW);
  });

  it('New model: fresh weights for the data loaded, under no file name', async () => {
    const session = new Session(new EnginePlatform());
    session.start();
    await until('the default network', () => session.model.engineNet !== null);
    session.draft.addHiddenLayer(5);
    await session.run.step(3);
    session.model.name = 'mine.safetensors';
    const version = session.model.netVersion;
    const fresh = session.newModel();
    await until('the question', () => session.dialogs.confirmRequest !== null);
    session.dialogs.confirmRequest!.resolve('confirm');
    await fresh;
    expect(session.model.netVersion).toBeGreaterThan(version);
    expect(session.model.title).toBe('Untitled model');
    expect(session.draft.layers).toHaveLength(5);
    expect(session.history.iteration).toBe(0);
  });
});
