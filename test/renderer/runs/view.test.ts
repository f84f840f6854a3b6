import { describe, expect, it } from 'vitest';
import { epochPoints, lossPoints, runColor, settingRows, smooth, sortRuns } from '../../../renderer/src/lib/runs/view.js';
import { sampleRun } from './fixtures.js';

describe('the Runs view computations', () => {
  it('sorts by any metric both ways, runs without the value last', () => {
    const a = sampleRun({ id: 'a', name: 'a' });
    const b = sampleRun({ id: 'b', name: 'b', epochs: [{ ...sampleRun().epochs[1]!, testAccuracy: 0.9 }] });
    const c = sampleRun({ id: 'c', name: 'c', epochs: [] });
    expect(sortRuns([a, b, c], 'finalTestAccuracy', true).map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(sortRuns([a, b, c], 'finalTestAccuracy', false).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(sortRuns([b, a], 'name', false).map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('marks the settings that differ between runs', () => {
    const a = sampleRun();
    const b = sampleRun({ training: { ...sampleRun().training, optimizer: 'adam', learningRate: 0.001 } });
    const rows = settingRows([a, b]);
    const differing = rows.filter((r) => r.differs).map((r) => r.setting);
    expect(differing).toEqual(['optimizer', 'learning rate', 'beta1', 'beta2']);
    expect(rows.find((r) => r.setting === 'beta1')!.values).toEqual(['–', '0.9']);
    expect(rows.find((r) => r.setting === 'network')).toMatchObject({ values: ['2 → affine 3', '2 → affine 3'], differs: false });
  });

  it('puts the loss against iterations, fractional epochs or wall time, and accuracy per epoch', () => {
    const r = sampleRun();
    expect(lossPoints(r, 'iteration').map((p) => p.x)).toEqual([1, 2, 3]);
    expect(lossPoints(r, 'epoch').map((p) => p.x)).toEqual([0.1, 0.2, 0.3]);
    expect(lossPoints(r, 'time').map((p) => p.x)).toEqual([0.1, 0.2, 0.3]);
    expect(lossPoints(r, 'iteration')[2]!.y).toBeNull();
    expect(epochPoints(r, 'testAccuracy', 'epoch')).toEqual([{ x: 1, y: 0.45 }, { x: 2, y: 0.55 }]);
    expect(epochPoints(r, 'testAccuracy', 'iteration').map((p) => p.x)).toEqual([10, 20]);
    expect(epochPoints(r, 'validationAccuracy', 'epoch')).toEqual([]);
  });

  it('smooths like TensorBoard and gives each run a lasting colour', () => {
    expect(smooth([{ x: 1, y: 1 }, { x: 2, y: 0 }, { x: 3, y: null }], 0.5)).toEqual([{ x: 1, y: 1 }, { x: 2, y: 0.5 }, { x: 3, y: null }]);
    expect(runColor(0)).not.toBe(runColor(1));
    expect(runColor(10)).toBe(runColor(0));
  });
});
