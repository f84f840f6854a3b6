import { describe, expect, it } from 'vitest';
import { Matrix } from '../../core/matrix.js';
import { createReferenceOps } from '../../core/ops/reference.js';
import { createOptimizer } from '../../core/optimizers.js';
import { OPTIMIZERS, trainingConfigSchema, type TrainingConfig } from '../../core/spec.js';
import type { Param } from '../../core/layers/types.js';
import { StudioError } from '../../core/errors.js';

const ops = createReferenceOps('f64');

function config(over: Partial<TrainingConfig>): TrainingConfig {
  return trainingConfigSchema.parse(over);
}

function param(values: number[], grads: number[]): Param {
  return {
    name: 'weight',
    value: new Matrix(1, values.length, Float64Array.from(values)),
    grad: new Matrix(1, grads.length, Float64Array.from(grads)),
  };
}

describe('optimizers follow the book formulas', () => {
  it('SGD: w -= lr·g', () => {
    const p = param([1, 2], [0.5, -1]);
    createOptimizer(config({ optimizer: 'sgd', learningRate: 0.1 }), ops).step([p]);
    expect(Array.from(p.value.data)).toEqual([1 - 0.05, 2 + 0.1]);
  });

  it('Momentum: v = αv - lr·g; w += v', () => {
    const p = param([1], [2]);
    const opt = createOptimizer(config({ optimizer: 'momentum', learningRate: 0.1, momentum: 0.9 }), ops);
    opt.step([p]); // v = -0.2, w = 0.8
    expect(p.value.data[0]).toBeCloseTo(0.8, 15);
    opt.step([p]); // v = 0.9·-0.2 - 0.2 = -0.38, w = 0.42
    expect(p.value.data[0]).toBeCloseTo(0.42, 15);
  });

  it('AdaGrad: h += g²; w -= lr·g/(√h + 1e-7)', () => {
    const p = param([1], [2]);
    const opt = createOptimizer(config({ optimizer: 'adagrad', learningRate: 0.1 }), ops);
    opt.step([p]);
    expect(p.value.data[0]).toBeCloseTo(1 - (0.1 * 2) / (2 + 1e-7), 15);
    opt.step([p]); // h = 8
    expect(p.value.data[0]).toBeCloseTo(1 - (0.1 * 2) / (2 + 1e-7) - (0.1 * 2) / (Math.sqrt(8) + 1e-7), 15);
  });

  it('Nesterov: v = αv - lr·g; w += α²·v - (1 + α)·lr·g', () => {
    const p = param([1], [2]);
    const opt = createOptimizer(config({ optimizer: 'nesterov', learningRate: 0.1, momentum: 0.9 }), ops);
    opt.step([p]); // v = -0.2, w = 1 + 0.81·-0.2 - 1.9·0.1·2 = 0.458
    expect(p.value.data[0]).toBeCloseTo(0.458, 14);
    opt.step([p]); // v = 0.9·-0.2 - 0.2 = -0.38, w = 0.458 + 0.81·-0.38 - 0.38 = -0.2298
    expect(p.value.data[0]).toBeCloseTo(-0.2298, 14);
  });

  it('RMSprop: h = ρh + (1-ρ)g²; w -= lr·g/(√h + 1e-7), ρ = 0.99 by default', () => {
    const p = param([1], [2]);
    const cfg = config({ optimizer: 'rmsprop', learningRate: 0.1 });
    expect(cfg.decay).toBe(0.99);
    const opt = createOptimizer(cfg, ops);
    opt.step([p]); // h = 0.01·4 = 0.04, √h = 0.2
    expect(p.value.data[0]).toBeCloseTo(1 - 0.2 / (0.2 + 1e-7), 14);
    opt.step([p]); // h = 0.99·0.04 + 0.04 = 0.0796
    expect(p.value.data[0]).toBeCloseTo(1 - 0.2 / (0.2 + 1e-7) - 0.2 / (Math.sqrt(0.0796) + 1e-7), 14);
    expect(opt.getState().slots[0]![0]![0]).toBeCloseTo(0.0796, 15);
  });

  it('Nesterov and RMSprop repeat common/optimizer.py in float64 bit for bit', () => {
    // The book's statements, one NumPy operation each, in its order.
    const lr = 0.05, mom = 0.8, rho = 0.9;
    const grads = [[0.3, -2], [0.1, 0.5], [-0.7, 1.5], [0.2, 0.2]];
    const pn = param([0.5, -0.5], [0, 0]), pr = param([0.5, -0.5], [0, 0]);
    const nesterov = createOptimizer(config({ optimizer: 'nesterov', learningRate: lr, momentum: mom }), ops);
    const rmsprop = createOptimizer(config({ optimizer: 'rmsprop', learningRate: lr, decay: rho }), ops);
    const wn = [0.5, -0.5], v = [0, 0], wr = [0.5, -0.5], h = [0, 0];
    for (const g of grads) {
      pn.grad.data.set(g);
      pr.grad.data.set(g);
      nesterov.step([pn]);
      rmsprop.step([pr]);
      for (let i = 0; i < 2; i++) {
        v[i]! *= mom;
        v[i]! -= lr * g[i]!;
        wn[i]! += mom * mom * v[i]!;
        wn[i]! -= (1 + mom) * lr * g[i]!;
        h[i]! *= rho;
        h[i]! += (1 - rho) * g[i]! * g[i]!;
        wr[i]! -= (lr * g[i]!) / (Math.sqrt(h[i]!) + 1e-7);
      }
      expect(Array.from(pn.value.data)).toEqual(wn);
      expect(Array.from(pr.value.data)).toEqual(wr);
    }
  });

  it('Adam: the first step moves every weight by about lr against the sign of its gradient', () => {
    const p = param([1, 1, 1], [3, -0.001, 50]);
    createOptimizer(config({ optimizer: 'adam', learningRate: 0.01 }), ops).step([p]);
    expect(p.value.data[0]).toBeCloseTo(0.99, 6);
    expect(p.value.data[1]).toBeCloseTo(1.01, 4);
    expect(p.value.data[2]).toBeCloseTo(0.99, 6);
  });

  it('Adam matches a direct transcription of common/optimizer.py over several steps', () => {
    const lr = 0.05, b1 = 0.8, b2 = 0.95;
    const grads = [[0.3, -2], [0.1, 0.5], [-0.7, 1.5], [0.2, 0.2]];
    const p = param([0.5, -0.5], [0, 0]);
    const opt = createOptimizer(config({ optimizer: 'adam', learningRate: lr, beta1: b1, beta2: b2 }), ops);
    const w = [0.5, -0.5], m = [0, 0], v = [0, 0];
    grads.forEach((g, k) => {
      p.grad.data.set(g);
      opt.step([p]);
      const iter = k + 1;
      const lrT = (lr * Math.sqrt(1 - b2 ** iter)) / (1 - b1 ** iter);
      for (let i = 0; i < 2; i++) {
        m[i]! += (1 - b1) * (g[i]! - m[i]!);
        v[i]! += (1 - b2) * (g[i]! ** 2 - v[i]!);
        w[i]! -= (lrT * m[i]!) / (Math.sqrt(v[i]!) + 1e-7);
      }
      expect(p.value.data[0]).toBeCloseTo(w[0]!, 14);
      expect(p.value.data[1]).toBeCloseTo(w[1]!, 14);
    });
  });

  for (const kind of OPTIMIZERS) {
    it(`${kind} minimizes ½‖w - c‖²`, () => {
      const c = [3, -2, 0.5];
      const p = param([0, 0, 0], [0, 0, 0]);
      const opt = createOptimizer(config({ optimizer: kind, learningRate: kind === 'adagrad' ? 0.5 : 0.05 }), ops);
      for (let k = 0; k < 2000; k++) {
        for (let i = 0; i < 3; i++) p.grad.data[i] = p.value.data[i]! - c[i]!;
        opt.step([p]);
      }
      for (let i = 0; i < 3; i++) expect(p.value.data[i]).toBeCloseTo(c[i]!, 3);
    });
  }
});

describe('optimizer state', () => {
  for (const kind of OPTIMIZERS.filter((k) => k !== 'sgd')) {
    it(`${kind}: a saved state resumes bit for bit in a new optimizer`, () => {
      const cfg = config({ optimizer: kind, learningRate: 0.01 });
      const grads = (k: number) => [Math.sin(k), Math.cos(3 * k), 0.1 * k];
      const a = param([1, 2, 3], [0, 0, 0]);
      const optA = createOptimizer(cfg, ops);
      for (let k = 0; k < 5; k++) {
        a.grad.data.set(grads(k));
        optA.step([a]);
      }
      const saved = structuredClone(optA.getState());
      const b = param(Array.from(a.value.data), [0, 0, 0]);
      for (let k = 5; k < 9; k++) {
        a.grad.data.set(grads(k));
        optA.step([a]);
      }
      const optB = createOptimizer(cfg, ops);
      optB.setState(saved);
      for (let k = 5; k < 9; k++) {
        b.grad.data.set(grads(k));
        optB.step([b]);
      }
      expect(Array.from(b.value.data)).toEqual(Array.from(a.value.data));
      expect(saved.steps).toBe(5);
    });
  }

  it('getState is a copy, and setState refuses another kind', () => {
    const p = param([1], [1]);
    const opt = createOptimizer(config({ optimizer: 'momentum' }), ops);
    opt.step([p]);
    const s = opt.getState();
    s.slots[0]![0]![0] = 123;
    expect(opt.getState().slots[0]![0]![0]).not.toBe(123);
    const adam = createOptimizer(config({ optimizer: 'adam' }), ops);
    expect(() => adam.setState(s)).toThrow(/optimizer state is for momentum, this run uses adam/);
  });

  it('rejects a bad config with BAD_SPEC naming the field', () => {
    const bad = { ...config({}), learningRate: -1 };
    expect(() => createOptimizer(bad, ops)).toThrow(StudioError);
    expect(() => createOptimizer(bad, ops)).toThrow(/learningRate/);
  });
});
