// The one restore plan (core/host/restore-plan.ts) of Electron main's supervisor and
// of browser mode's engine link: what it records from acknowledged commands and
// checkpoints, and the commands it replays into a restarted engine.
import { describe, expect, it } from 'vitest';
import { RestorePlan } from '../../../core/host/restore-plan.js';

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

  const sgd = { optimizer: 'sgd', learningRate: 0.1 };
  const adam = { optimizer: 'adam', learningRate: 0.01 };

  it('a checkpoint taken after a switch to Adam is replayed under Adam (the scenario of issue 9)', () => {
    const plan = new RestorePlan();
    plan.record({ type: 'configure', id: 1, spec: { units: 3 }, training: sgd });
    plan.record(loadData(2, 'iris.csv'));
    plan.recordCheckpoint(1, new Uint8Array([1]));
    plan.record({ type: 'setTraining', id: 3, training: adam });
    plan.recordCheckpoint(2, new Uint8Array([2]));
    expect(plan.commands()).toEqual([
      { type: 'configure', spec: { units: 3 }, training: sgd },
      { type: 'loadData', name: 'iris.csv', bytes: new Uint8Array([1]) },
      { type: 'setTraining', training: adam },
      { type: 'restoreCheckpoint', bytes: new Uint8Array([2]) },
    ]);
    expect(plan.summary().checkpointEpoch).toBe(2);
  });

  it('a switch after the last checkpoint: the weights under the settings of their time, then the settings now', () => {
    const plan = new RestorePlan();
    plan.record({ type: 'configure', id: 1, spec: {}, training: sgd });
    plan.recordCheckpoint(1, new Uint8Array([1]));
    plan.record({ type: 'setTraining', id: 2, training: adam });
    expect(plan.commands().map((c) => c.type)).toEqual(['configure', 'restoreCheckpoint', 'setTraining']);
    expect(plan.commands()[2]).toEqual({ type: 'setTraining', training: adam });
  });

  it('settings changed twice between checkpoints: each is sent once, none when they ended where they were', () => {
    const plan = new RestorePlan();
    plan.record({ type: 'configure', id: 1, spec: {}, training: sgd });
    plan.record({ type: 'setTraining', id: 2, training: adam });
    plan.recordCheckpoint(1, new Uint8Array([1]));
    plan.record({ type: 'setTraining', id: 3, training: { ...adam, learningRate: 0.5 } });
    plan.record({ type: 'setTraining', id: 4, training: adam });
    expect(plan.commands().map((c) => c.type)).toEqual(['configure', 'setTraining', 'restoreCheckpoint']);
  });

  it('resetWeights is replayed under the settings it was made with (the initializer is one of them)', () => {
    const plan = new RestorePlan();
    plan.record({ type: 'configure', id: 1, spec: {}, training: { ...sgd, init: 'he' } });
    plan.record({ type: 'setTraining', id: 2, training: { ...sgd, init: 'xavier' } });
    plan.record({ type: 'resetWeights', id: 3, seed: 5 });
    expect(plan.commands()).toEqual([
      { type: 'configure', spec: {}, training: { ...sgd, init: 'he' } },
      { type: 'setTraining', training: { ...sgd, init: 'xavier' } },
      { type: 'resetWeights', seed: 5 },
    ]);
  });

  it('a new network forgets the old network’s settings; a setTraining without a network is not replayed', () => {
    const plan = new RestorePlan();
    plan.record({ type: 'setTraining', id: 1, training: adam });
    expect(plan.isEmpty).toBe(true);
    plan.record({ type: 'configure', id: 2, spec: {}, training: sgd });
    plan.record({ type: 'setTraining', id: 3, training: adam });
    plan.record({ type: 'importModel', id: 4, name: 'm.safetensors', bytes: new Uint8Array([1]) });
    expect(plan.commands().map((c) => c.type)).toEqual(['importModel']);
  });

  it('a restoreCheckpoint the client sent itself is the weights to replay', () => {
    const plan = new RestorePlan();
    plan.record({ type: 'configure', id: 1, spec: {}, training: sgd });
    plan.record({ type: 'restoreCheckpoint', id: 2, bytes: new Uint8Array([4]) });
    expect(plan.commands().at(-1)).toEqual({ type: 'restoreCheckpoint', bytes: new Uint8Array([4]) });
    expect(plan.summary().checkpointEpoch).toBeNull();
  });
});
