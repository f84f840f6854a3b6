import { afterEach, describe, expect, it } from 'vitest';
import { hostOnChannel } from '../lib/host-port.js';
import { EngineLink } from '../../../renderer/src/lib/engine-link.js';
import { Session } from '../../../renderer/src/lib/session.svelte.js';
import { FakePlatform } from './fakes.js';

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
