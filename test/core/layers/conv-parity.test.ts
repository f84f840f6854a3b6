import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createReferenceOps } from '../../../core/ops/reference.js';
import { ANCHOR, FIXTURE, compareFinal, fixture, maxRel, replay } from './conv-parity-replay.js';

/**
 * Parity with PyTorch (float64) on the layers of the book's chapters 6-7: the
 * fixture (../shared/anchors/make_conv_parity_fixture.py, conventions at its top)
 * trains two small CNNs with plain SGD: conv + BatchNorm2d + pool + Affine +
 * BatchNorm1d, and a strided convolution with an overlapping pool and weight decay.
 * From its initial weights and batches the engine must reproduce the loss before
 * every step within 1e-5 relative, the final weights and BatchNorm running
 * statistics within 1e-4 in float32 (1e-9 in float64), and the evaluation-mode scores.
 */

describe('parity with PyTorch on Convolution, Pooling, BatchNorm and weight decay', () => {
  it('the fixture holds the two documented problems', () => {
    expect(fixture.cases.map((c) => [c.name, c.steps, c.weightDecay])).toEqual([
      ['conv-bn-pool', 30, 0],
      ['strided-conv-overlapping-pool-decay', 30, 0.01],
    ]);
  });

  for (const c of fixture.cases) {
    it(`${c.name}: float32, every loss within 1e-5, final weights, running statistics and eval scores within 1e-4`, () => {
      const { network, losses, scores } = replay(c, createReferenceOps('f32'));
      expect(maxRel(losses, c.lossBeforeEachStep)).toBeLessThan(1e-5);
      expect(c.lossBeforeEachStep.at(-1)!).toBeLessThan(c.lossBeforeEachStep[0]!);
      compareFinal(network, c, 1e-4);
      expect(maxRel(scores.data, c.evalScores.flat())).toBeLessThan(1e-4);
    });

    it(`${c.name}: float64 takes the very same steps (within 1e-9)`, () => {
      const { network, losses, scores } = replay(c, createReferenceOps('f64'));
      expect(maxRel(losses, c.lossBeforeEachStep)).toBeLessThan(1e-9);
      compareFinal(network, c, 1e-9);
      expect(maxRel(scores.data, c.evalScores.flat())).toBeLessThan(1e-9);
    });
  }

  it('the in-repo copy is the anchor file (checked when ../shared/anchors is beside the clone)', (ctx) => {
    if (!existsSync(ANCHOR)) {
      console.log(`conv parity: ${ANCHOR} not found; using the in-repo copy ${FIXTURE} only`);
      ctx.skip();
    }
    expect(readFileSync(FIXTURE, 'utf8')).toBe(readFileSync(ANCHOR, 'utf8'));
  });
});
