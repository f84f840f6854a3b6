import { describe, expect, it } from 'vitest';
import { harnessPerTest, TRAINING, csvBytes } from './harness.js';
import { generate2D } from '../../../core/data/synthetic2d.js';
import type { EventOf } from '../../../core/protocol/messages.js';

/** predictGrid refuses bounds whose cells it cannot compute, instead of answering a grid of NaN. */

const harness = harnessPerTest();
const NET_2D = {
  inputSize: 2,
  layers: [{ kind: 'affine', units: 8 }, { kind: 'tanh' }, { kind: 'affine', units: 2 }],
  loss: 'softmax-cross-entropy',
};

async function trained(standardize: boolean, scale = 1) {
  const h = harness();
  await h.next('ready');
  await h.ok({ type: 'configure', spec: NET_2D, training: { ...TRAINING, epochs: 1 } });
  const c = generate2D({ kind: 'circles', count: 60, noise: 0.05, seed: 4 });
  const lines = ['x,y,ring'];
  for (let i = 0; i < c.count; i++) lines.push(`${c.x[2 * i]! * scale},${c.x[2 * i + 1]! * scale},${c.classNames[c.labels[i]!]}`);
  await h.ok({ type: 'loadData', name: 'c.csv', bytes: csvBytes(lines.join('\n')), options: { standardize } });
  const done = h.next('done');
  await h.ok({ type: 'start' });
  await done;
  return h;
}

describe('decision-region bounds', () => {
  it.each([
    [{ xMin: -1e308, xMax: 1e308, yMin: -1, yMax: 1 }, /too large to divide into cells/],
    [{ xMin: -1, xMax: 1, yMin: -1e308, yMax: 1e308 }, /too large to divide into cells/],
    [{ xMin: 1e39, xMax: 2e39, yMin: 0, yMax: 1 }, /outside what the network takes as input/],
  ])('%j is refused in one line naming the field', async (bounds, message) => {
    const h = await trained(false);
    const r = await h.request({ type: 'predictGrid', bounds, cols: 4, rows: 4 });
    expect(r.error).toMatchObject({ code: 'BAD_MESSAGE', message: expect.stringMatching(message) });
    expect(r.error!.message).toMatch(/^field bounds: decision regions: /);
  });

  it('bounds that standardization pushes beyond float32 are refused too', async () => {
    // Data on a scale of 1e-3: a bound of 1e36 is a float32, but (1e36 - mean) / std is not.
    const h = await trained(true, 1e-3);
    const r = await h.request({ type: 'predictGrid', bounds: { xMin: 0, xMax: 1e36, yMin: 0, yMax: 1 }, cols: 2, rows: 2 });
    expect(r.error?.message).toMatch(/outside what the network takes as input/);
  });

  it('ordinary bounds still answer a finite grid', async () => {
    const h = await trained(true);
    const [grid] = (await h.ok({ type: 'predictGrid', bounds: { xMin: -2, xMax: 2, yMin: -2, yMax: 2 }, cols: 5, rows: 5 })) as EventOf<'gridResult'>[];
    expect(Array.from(grid!.confidence).every(Number.isFinite)).toBe(true);
  });
});
