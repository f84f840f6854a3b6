import { describe, expect, it } from 'vitest';
import type { DataShape } from '../../../renderer/src/lib/network.js';
import { presetById } from '../../../renderer/src/lib/presets.js';
import { NetworkDraft } from '../../../renderer/src/lib/state/draft.svelte.js';

function draft(shape?: DataShape) {
  const state = { shape, locked: false, changes: 0 };
  const d = new NetworkDraft({ dataShape: () => state.shape, locked: () => state.locked, changed: () => state.changes++ });
  return { d, state };
}

const units = (d: NetworkDraft) => d.layers.flatMap((l) => (l.kind === 'affine' ? [l.units] : []));

describe('NetworkDraft', () => {
  it('starts as the small 2-D preset for three classes', () => {
    const { d } = draft();
    expect(d.layers).toEqual(presetById('small-2d').layers(3));
    expect(d.spec.inputSize).toBe(2);
  });

  it('inserts a hidden layer before the output layer and reports each edit', () => {
    const { d, state } = draft({ features: 2, classes: 3 });
    const before = units(d);
    d.addHiddenLayer(7, 'tanh');
    expect(units(d)).toEqual([...before.slice(0, -1), 7, 3]);
    expect(d.layers.slice(-3, -1)).toEqual([{ kind: 'affine', units: 7 }, { kind: 'tanh' }]);
    expect(state.changes).toBe(2);
  });

  it('refuses edits while a run is under way', () => {
    const { d, state } = draft({ features: 2, classes: 3 });
    state.locked = true;
    const before = JSON.stringify(d.layers);
    d.removeLayer(0);
    d.applyPreset('two-layer');
    expect(JSON.stringify(d.layers)).toBe(before);
    expect(state.changes).toBe(0);
  });

  it('analyses the network against the loaded data', () => {
    const { d, state } = draft({ features: 2, classes: 3 });
    expect(d.analysis.problem).toBeUndefined();
    state.shape = { features: 4, classes: 3 };
    const d2 = new NetworkDraft({ dataShape: () => state.shape, locked: () => false, changed: () => {} });
    expect(d2.analysis.problem).toMatch(/input/i);
  });

  it('fits input and output to new data, switching an untouched preset to the one that suits images', () => {
    const { d, state } = draft({ features: 784, classes: 10, imageShape: [28, 28] });
    expect(d.fits(784, 10)).toBe(false);
    d.adaptNetwork(true);
    expect(d.inputSize).toBe(784);
    expect(d.fits(784, 10)).toBe(true);
    expect(d.layers).toEqual(presetById('two-layer').layers(10));
    // A customised network keeps its hidden layers; only the output is resized.
    d.setUnits(0, 64);
    state.shape = { features: 784, classes: 5 };
    d.adaptNetwork(true);
    expect(units(d)).toEqual([64, 5]);
  });
});
