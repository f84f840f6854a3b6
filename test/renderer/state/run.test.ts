import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../../core/protocol/messages.js';
import { DataState } from '../../../renderer/src/lib/state/data.svelte.js';
import { Dialogs } from '../../../renderer/src/lib/state/dialogs.svelte.js';
import { NetworkDraft } from '../../../renderer/src/lib/state/draft.svelte.js';
import { EngineStatus } from '../../../renderer/src/lib/state/engine-status.svelte.js';
import { RunHistory } from '../../../renderer/src/lib/state/history.svelte.js';
import { ModelDocument } from '../../../renderer/src/lib/state/model.svelte.js';
import { Notices } from '../../../renderer/src/lib/state/notices.svelte.js';
import { RunControl, sentence } from '../../../renderer/src/lib/state/run.svelte.js';
import { dataLoaded, FakeEngine, FakePlatform, settle } from './fakes.js';

function done(reason: EventOf<'done'>['reason'], message: string, stoppedBy?: EventOf<'done'>['stoppedBy']): EventOf<'done'> {
  return { type: 'done', reason, epoch: 3, iteration: 30, message, ...(stoppedBy ? { stoppedBy } : {}) };
}

/** The pieces RunControl works with, wired as the Session wires them, over a fake engine. */
function setup(queue = { busy: false }) {
  const engine = new FakeEngine();
  const platform = new FakePlatform();
  const notices = new Notices();
  const dialogs = new Dialogs();
  const history = new RunHistory();
  const status = new EngineStatus();
  const parts: { run?: RunControl } = {};
  const data = new DataState({ link: engine, status, notices, platform, mnist: async () => ({ images: new Uint8Array(), labels: new Uint8Array(), count: 0 }), loaded: () => {} });
  const draft = new NetworkDraft({ dataShape: () => data.shape, locked: () => parts.run!.editorLocked, changed: () => {} });
  const model = new ModelDocument({ link: engine, platform, status, notices, dialogs, history, draft, data, evaluate: async () => {}, cancelPendingSync: () => {}, scheduleSync: () => {} });
  const run = new RunControl({ link: engine, status, notices, history, draft, data, model, queueBusy: () => queue.busy });
  parts.run = run;
  engine.answer('configure', (body) => {
    const b = body as unknown as { spec: never; training: never };
    model.onConfigured({ type: 'configured', spec: b.spec, training: b.training, totalParams: 1 } as unknown as EventOf<'configured'>, false);
    history.reset();
    return undefined;
  });
  engine.answer('start', () => {
    run.runState = 'running';
    return undefined;
  });
  status.health = 'ready';
  data.onLoaded(dataLoaded());
  return { engine, notices, dialogs, history, run, draft, model };
}

describe('RunControl', () => {
  it('builds the network on Train, then starts, and knows the epoch the run ends at', async () => {
    const { engine, run, history, draft } = setup();
    expect(run.trainBlocker).toBeNull();
    await run.train();
    expect(engine.types).toEqual(['configure', 'start']);
    expect(history.runEndEpoch).toBe(draft.training.epochs);
    expect(run.editorLocked).toBe(true);
  });

  it('builds no network of its own while a model opens or a comparison queue runs (it would land in between)', async () => {
    const queue = { busy: false };
    const { engine, run, model } = setup(queue);
    model.opening = true;
    expect(await run.sync('auto')).toBe(false);
    model.opening = false;
    queue.busy = true;
    expect(await run.sync('auto')).toBe(false);
    expect(await run.sync('train')).toBe(false);
    expect(engine.types).toEqual([]);
    queue.busy = false;
    expect(await run.sync('auto')).toBe(true);
    expect(engine.types).toEqual(['configure']);
  });

  it('says why Train cannot be pressed', () => {
    const { run, draft } = setup();
    draft.setUnits(draft.layers.length - 1, 5);
    expect(run.trainBlocker).toMatch(/5/);
  });

  it('never rebuilds over unsaved trained weights on its own; Train asks first', async () => {
    const { engine, run, history, draft, dialogs } = setup();
    await run.sync('auto');
    history.setCounters(40, 4); // trained, not saved
    draft.addHiddenLayer(8);
    expect(run.networkPending).toBe(true);
    expect(await run.sync('auto')).toBe(false);
    expect(engine.types).toEqual(['configure']);
    const training = run.train();
    await settle();
    expect(dialogs.confirmRequest?.title).toBe('Discard unsaved changes?');
    dialogs.confirmRequest!.resolve('cancel');
    await training;
    expect(engine.types).toEqual(['configure']);
  });

  it('changes training settings on the same weights with setTraining', async () => {
    const { engine, run, history, draft } = setup();
    await run.sync('auto');
    history.setCounters(10, 1);
    draft.setTraining({ learningRate: 0.001 });
    expect(run.trainingChanged).toBe(true);
    expect(await run.sync('auto')).toBe(true);
    expect(engine.sent.at(-1)).toMatchObject({ type: 'setTraining', training: { learningRate: 0.001 } });
  });

  it('tells how a run ended by its codes: nothing for a stop the user asked for', () => {
    const { run, notices, history } = setup();
    run.runState = 'running';
    run.onDone(done('stopped', 'stopped by the user', 'user'));
    expect(run.runState).toBe('idle');
    expect(history.lastDone?.reason).toBe('stopped');
    expect(notices.list).toEqual([]);
    run.onDone(done('stopped', 'stopped: new data loaded', 'interrupted'));
    expect(notices.list.map((n) => [n.level, n.title, n.message])).toEqual([['info', 'Training stopped', 'New data loaded.']]);
  });

  it('offers a lower learning rate when training diverged', async () => {
    const { run, notices, draft, engine } = setup();
    await run.sync('auto');
    draft.setTraining({ learningRate: 0.5 });
    await run.sync('auto');
    run.onDone(done('diverged', 'diverged: the loss became NaN at iteration 4'));
    const n = notices.list.at(-1)!;
    expect([n.level, n.message, n.action?.label]).toEqual(['error', 'The loss became NaN at iteration 4.', 'Reset with learning rate 0.05']);
    n.action!.run();
    await settle(10);
    // New settings: fresh weights are built with them (no question: diverged weights are worth nothing).
    expect(draft.training.learningRate).toBe(0.05);
    expect(engine.types.at(-1)).toBe('configure');
  });

  it('writes engine messages as sentences', () => {
    expect(sentence('finished: 3 epochs')).toBe('3 epochs.');
    expect(sentence('Done!')).toBe('Done!');
  });
});
