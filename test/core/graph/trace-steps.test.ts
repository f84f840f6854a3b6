import { describe, expect, it } from 'vitest';
import { gradShown, nodeBackwardDone, stepCount, stepForKey, traceStep, valueShown } from '../../../core/graph/trace-steps.js';

// x → fc1 → relu1 → fc2 → loss → L: 5 edges (x, h1, h2, scores, L), 6 nodes.
const E = 5;

describe('stepping through a trace: forward node by node, then backward from dL/dL = 1', () => {
  it('has one forward step per edge value and one backward step per edge gradient', () => {
    expect(stepCount(E)).toBe(10);
    expect(traceStep(0, E)).toEqual({ phase: 'ready', active: null, direction: null, edge: null });
  });

  it('forward: step p reveals edge p − 1, made by node p − 1', () => {
    expect(traceStep(1, E)).toMatchObject({ active: 0, direction: 'forward', edge: 0 });
    expect(traceStep(3, E)).toMatchObject({ active: 2, edge: 2 });
    expect([0, 1, 2, 3, 4].map((e) => valueShown(e, 3, E))).toEqual([true, true, true, false, false]);
    // Step E: the loss node computes L; backward is next.
    expect(traceStep(E, E)).toMatchObject({ phase: 'backward', active: 4, edge: 4 });
    expect([0, 1, 2, 3, 4].some((e) => gradShown(e, E, E))).toBe(false);
  });

  it('backward: the first step is dL/dL = 1 at L, the last is dx at the first layer with its dW and db', () => {
    expect(traceStep(E + 1, E)).toMatchObject({ active: 5, direction: 'backward', edge: 4 });
    expect([0, 1, 2, 3, 4].map((e) => gradShown(e, E + 1, E))).toEqual([false, false, false, false, true]);
    expect(traceStep(E + 2, E)).toMatchObject({ active: 4, edge: 3 }); // the loss: (y − t)/N
    expect(nodeBackwardDone(3, E + 2, E)).toBe(false); // fc2 not yet
    expect(nodeBackwardDone(3, E + 3, E)).toBe(true); // fc2's dW, db after its step
    expect(traceStep(2 * E, E)).toEqual({ phase: 'done', active: 1, direction: 'backward', edge: 0 });
    expect(nodeBackwardDone(1, 2 * E, E)).toBe(true);
  });

  it('keys: Right and Left step, Home and End jump, and nothing leaves the range', () => {
    expect(stepForKey('ArrowRight', 0, E)).toBe(1);
    expect(stepForKey('ArrowLeft', 0, E)).toBe(0);
    expect(stepForKey('ArrowRight', 10, E)).toBe(10);
    expect(stepForKey('End', 3, E)).toBe(10);
    expect(stepForKey('Home', 7, E)).toBe(0);
    expect(stepForKey('a', 7, E)).toBeNull();
  });
});
