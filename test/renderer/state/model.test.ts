import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../../core/protocol/messages.js';
import type { NetworkSpec, TrainingConfig } from '../../../core/spec.js';
import { DataState } from '../../../renderer/src/lib/state/data.svelte.js';
import { Dialogs } from '../../../renderer/src/lib/state/dialogs.svelte.js';
import { defaultTraining, NetworkDraft } from '../../../renderer/src/lib/state/draft.svelte.js';
import { EngineStatus } from '../../../renderer/src/lib/state/engine-status.svelte.js';
import { RunHistory } from '../../../renderer/src/lib/state/history.svelte.js';
import { ModelDocument, suggestModelName } from '../../../renderer/src/lib/state/model.svelte.js';
import { Notices } from '../../../renderer/src/lib/state/notices.svelte.js';
import { EngineError } from '../../../renderer/src/lib/engine-client.js';
import { FakeEngine, FakePlatform, settle } from './fakes.js';

const SPEC: NetworkSpec = { inputSize: 2, layers: [{ kind: 'affine', units: 16 }, { kind: 'tanh' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };

function configured(training: TrainingConfig = defaultTraining()): EventOf<'configured'> {
  return { type: 'configured', spec: SPEC, training, totalParams: 99 } as unknown as EventOf<'configured'>;
}

function setup(kind: 'browser' | 'electron' = 'browser') {
  const engine = new FakeEngine();
  const platform = new FakePlatform(kind);
  const notices = new Notices();
  const dialogs = new Dialogs();
  const history = new RunHistory();
  const status = new EngineStatus();
  const draft = new NetworkDraft({ dataShape: () => undefined, locked: () => false, changed: () => {} });
  const data = new DataState({ link: engine, status, notices, platform, mnist: async () => ({ images: new Uint8Array(), labels: new Uint8Array(), count: 0 }), loaded: () => {} });
  const syncs = { cancelled: 0, scheduled: 0 };
  const model = new ModelDocument({
    link: engine, platform, status, notices, dialogs, history, draft, data, evaluate: async () => {},
    cancelPendingSync: () => void syncs.cancelled++,
    scheduleSync: () => void syncs.scheduled++,
  });
  engine.answer('exportModel', () => ({ type: 'modelExported', bytes: new Uint8Array([1, 2, 3]) }));
  return { engine, platform, notices, dialogs, history, model, draft, syncs };
}

describe('ModelDocument', () => {
  it('names a new model after its data and widths', () => {
    expect(suggestModelName('Two spirals.csv', SPEC)).toBe('two-spirals-2-16-3.safetensors');
    expect(suggestModelName(undefined, SPEC)).toBe('model-2-16-3.safetensors');
  });

  it('is unsaved once trained, saved after Save, unsaved again after more training', async () => {
    const { model, history, platform, dialogs } = setup();
    model.onConfigured(configured(), false);
    expect(model.dirty).toBe(false);
    history.setCounters(5, 1);
    expect(model.dirty).toBe(true);
    const saving = model.save(false);
    await settle();
    // The browser asks for a name the first time.
    expect(dialogs.promptRequest?.value).toBe('model-2-16-3.safetensors');
    dialogs.promptRequest!.resolve('spiral');
    expect(await saving).toBe(true);
    expect(platform.saves[0]?.suggestedName).toBe('spiral.safetensors');
    expect(model.title).toBe('spiral.safetensors');
    expect(model.dirty).toBe(false);
    history.setCounters(6, 1);
    expect(model.dirty).toBe(true);
    model.updateDocument();
    expect(platform.documents.at(-1)).toEqual({ title: 'spiral.safetensors', unsaved: true });
  });

  it('asks before discarding unsaved weights: Cancel keeps them, Save first saves', async () => {
    const { model, history, dialogs } = setup();
    model.onConfigured(configured(), false);
    history.setCounters(3, 0);
    const cancelled = model.confirmDiscard('Opening x');
    expect(dialogs.confirmRequest?.message).toBe('Untitled model has unsaved changes (trained weights). Opening x will discard them.');
    dialogs.confirmRequest!.resolve('cancel');
    expect(await cancelled).toBe(false);
    const saved = model.confirmDiscard('Opening x');
    dialogs.confirmRequest!.resolve('extra');
    await settle();
    dialogs.promptRequest!.resolve('keep');
    expect(await saved).toBe(true);
    expect(model.dirty).toBe(false);
  });

  it('uses the desktop\'s own question when it has one', async () => {
    const { model, history, platform, dialogs } = setup('electron');
    const asked: string[] = [];
    platform.confirmDiscard = async (detail) => (asked.push(detail), false);
    model.onConfigured(configured(), false);
    history.setCounters(3, 0);
    expect(await model.confirmDiscard('Resetting the weights')).toBe(false);
    expect(asked).toHaveLength(1);
    expect(dialogs.open).toBe(false);
  });

  it('opens a model file: the draft becomes its network, and it counts as saved', async () => {
    const { model, engine, draft, notices } = setup();
    const training = { ...defaultTraining(), learningRate: 0.5 };
    engine.answer('importModel', () => {
      model.onConfigured(configured(training), false);
      return { type: 'modelImported', spec: { ...SPEC, inputSize: 4 }, training, classNames: ['a', 'b', 'c'] };
    });
    await model.openFile({ name: '/home/ada/iris-4-16-3.safetensors', bytes: new Uint8Array(8) });
    expect(engine.sent[0]).toMatchObject({ type: 'importModel', name: 'iris-4-16-3.safetensors' });
    expect(draft.inputSize).toBe(4);
    expect(draft.training.learningRate).toBe(0.5);
    expect(model.title).toBe('iris-4-16-3.safetensors');
    expect(model.dirty).toBe(false);
    expect(model.weightsWorthKeeping).toBe(true);
    expect(notices.list.at(-1)?.title).toBe('Opened iris-4-16-3.safetensors');
  });

  it('holds back waiting edits while a model opens, and applies them after all when it fails to open', async () => {
    const { model, engine, notices, syncs } = setup();
    let openingWhileSent = false;
    engine.answer('importModel', () => {
      openingWhileSent = model.opening;
      throw new EngineError('BAD_MODEL', 'not a model');
    });
    await model.openFile({ name: 'junk.safetensors', bytes: new Uint8Array(8) });
    expect(syncs.cancelled).toBe(1); // before the model was sent
    expect(openingWhileSent).toBe(true);
    expect(model.opening).toBe(false);
    expect(syncs.scheduled).toBe(1);
    expect(notices.list.at(-1)?.title).toBe('Could not open junk.safetensors');
  });
});
