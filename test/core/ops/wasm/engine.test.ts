import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../../core/data/dataset.js';
import { gradientCheckNetwork } from '../../../../core/gradcheck.js';
import { Matrix } from '../../../../core/matrix.js';
import { buildNetwork, type Network } from '../../../../core/network.js';
import { createReferenceOps } from '../../../../core/ops/reference.js';
import type { Ops } from '../../../../core/ops/types.js';
import type { WasmOps } from '../../../../core/ops/wasm/wasm-ops.js';
import { OPTIMIZERS, trainingConfigSchema, type NetworkSpec, type OptimizerKind } from '../../../../core/spec.js';
import { Trainer } from '../../../../core/trainer.js';
import { createNodeWasmOps } from '../../../../node/wasm-threads.js';
import { Rng, buildKernels } from './wasm-test-helpers.js';
import { loadParityFixture, maxRelError, replay } from '../../parity-replay.js';

// The engine's own checks (issue 2) with the fast kernels on: the NumPy parity
// fixture, gradients against a float64 network that the gradient check vouches for,
// and whole training runs, which must be the same on every run with the same
// thread count (and here, by construction, with any thread count).

const fixture = loadParityFixture(new URL('../../../fixtures/parity-fixture.json', import.meta.url));

let one: WasmOps;
let two: WasmOps;
beforeAll(async () => {
  buildKernels();
  one = await createNodeWasmOps({ threads: 1 });
  two = await createNodeWasmOps({ threads: 2, adaptive: false });
}, 180_000);
afterAll(async () => {
  await Promise.all([one?.dispose(), two?.dispose()]);
});

describe('the NumPy parity fixture on the WebAssembly kernels', () => {
  for (const c of fixture.cases) {
    for (const threads of [1, 2]) {
      it(`${c.name}, ${threads} thread(s): every loss of 100 SGD steps and the final weights within 1e-4 relative`, () => {
        const ops = threads === 1 ? one : two;
        const before = ops.fallbackCalls;
        const { network, losses } = replay(c, ops);
        expect(maxRelError(losses, c.lossBeforeEachStep)).toBeLessThan(1e-4);
        network.affineLayers().forEach((fc, i) => {
          expect(maxRelError(fc.W.data, c.final[i]!.W.flat()), `${fc.name}.weight`).toBeLessThan(1e-4);
          expect(maxRelError(fc.b.data, c.final[i]!.b), `${fc.name}.bias`).toBeLessThan(1e-4);
        });
        expect(ops.fallbackCalls - before, 'every kernel ran in WebAssembly').toBe(0);
      });
    }
  }
});

describe('gradients of networks built on the WebAssembly kernels', () => {
  const specs: [string, NetworkSpec][] = [
    ['784-50-10 ReLU', { inputSize: 784, layers: [{ kind: 'affine', units: 50 }, { kind: 'relu' }, { kind: 'affine', units: 10 }], loss: 'softmax-cross-entropy' }],
    ['deep mixed', {
      inputSize: 7,
      layers: [{ kind: 'affine', units: 9 }, { kind: 'tanh' }, { kind: 'affine', units: 8 }, { kind: 'relu' }, { kind: 'affine', units: 6 }, { kind: 'sigmoid' }, { kind: 'affine', units: 5 }],
      loss: 'softmax-cross-entropy',
    }],
    ['tanh regression (mse)', { inputSize: 4, layers: [{ kind: 'affine', units: 6 }, { kind: 'tanh' }, { kind: 'affine', units: 2 }], loss: 'mse' }],
  ];
  for (const [label, spec] of specs) {
    it(`${label}: float32 WebAssembly gradients equal the checked float64 ones to float32 precision`, () => {
      const rng = new Rng(17);
      const rows = 5;
      const x = Matrix.zeros(rows, spec.inputSize);
      for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
      const outputs = (spec.layers.filter((l) => l.kind === 'affine').at(-1) as { units: number }).units;
      const t = Int32Array.from({ length: rows }, () => rng.int(outputs));
      const fast = buildNetwork(spec, { ops: one, init: 'xavier', seed: 9 });
      const exact = buildNetwork(spec, { ops: createReferenceOps('f64'), init: 'xavier', seed: 9 });
      exact.copyParamsFrom(fast);
      const xw = one.alloc(rows, spec.inputSize);
      xw.data.set(x.data);
      const x64 = Matrix.zeros64(rows, spec.inputSize);
      x64.data.set(x.data);
      const lossFast = fast.gradient(xw, t);
      const lossExact = exact.gradient(x64, t);
      expect(Math.abs(lossFast - lossExact)).toBeLessThan(1e-5 * Math.abs(lossExact) + 1e-6);
      fast.params().forEach((p, i) => {
        const g = p.grad.data, e = exact.params()[i]!.grad.data;
        let diff = 0, norm = 0;
        for (let k = 0; k < e.length; k++) {
          diff += (g[k]! - e[k]!) ** 2;
          norm += e[k]! ** 2;
        }
        expect(Math.sqrt(diff / Math.max(norm, 1e-30)), `param ${i}`).toBeLessThan(1e-4);
      });
      // And the float64 twin the studio's gradient check builds from this network passes it.
      for (const r of gradientCheckNetwork(fast, xw, t, { maxElements: 200 })) expect(r.ok, r.name).toBe(true);
      expect(one.fallbackCalls).toBe(0);
    });
  }
});

/** A small MNIST-like set: bytes with a class-dependent bright stripe, scale 1/255. */
function stripes(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const side = 12, features = side * side;
  const x = new Uint8Array(count * features);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = rng.int(4);
    labels[i] = c;
    for (let p = 0; p < features; p++) {
      const onStripe = Math.floor(p / side) % 4 === c;
      x[i * features + p] = Math.max(0, Math.min(255, Math.round((onStripe ? 180 : 30) + 40 * rng.normal())));
    }
  }
  return { count, features, x, scale: 1 / 255, labels, classNames: ['0', '1', '2', '3'], imageShape: [side, side] };
}

function trainRun(ops: Ops, optimizer: OptimizerKind): { net: Network; losses: number[]; accuracy: number } {
  const train = stripes(600, 1), test = stripes(200, 2);
  const spec: NetworkSpec = { inputSize: 144, layers: [{ kind: 'affine', units: 32 }, { kind: 'relu' }, { kind: 'affine', units: 16 }, { kind: 'sigmoid' }, { kind: 'affine', units: 4 }], loss: 'softmax-cross-entropy' };
  const config = trainingConfigSchema.parse({ optimizer, learningRate: optimizer === 'sgd' ? 0.5 : optimizer === 'adam' || optimizer === 'rmsprop' ? 0.01 : 0.05, batchSize: 32, epochs: 2, seed: 5, init: 'he' });
  const net = buildNetwork(spec, { ops, init: config.init, seed: config.seed });
  const trainer = new Trainer({ network: net, train, test, config });
  const losses: number[] = [];
  const run = trainer.run({ onStep: (s) => losses.push(s.loss) });
  return { net, losses, accuracy: run.epochs.at(-1)!.testAccuracy! };
}

describe('training with the Trainer on the WebAssembly kernels', () => {
  for (const optimizer of OPTIMIZERS) {
    it(`${optimizer}: learns, stays close to the TypeScript reference, and repeats bit for bit (1 and 2 threads)`, () => {
      const a = trainRun(one, optimizer);
      const b = trainRun(one, optimizer);
      const c = trainRun(two, optimizer);
      const ref = trainRun(createReferenceOps('f32'), optimizer);
      expect(a.accuracy).toBeGreaterThan(0.9);
      expect(a.losses).toEqual(b.losses);
      expect(c.losses).toEqual(a.losses);
      a.net.params().forEach((p, i) => {
        expect(Array.from(b.net.params()[i]!.value.data)).toEqual(Array.from(p.value.data));
        expect(Array.from(c.net.params()[i]!.value.data)).toEqual(Array.from(p.value.data));
      });
      // Float32 sums in another order: the same run to a few parts in 10^4 after 38 steps.
      for (let s = 0; s < ref.losses.length; s++) {
        expect(Math.abs(a.losses[s]! - ref.losses[s]!), `step ${s}`).toBeLessThan(2e-3 * Math.abs(ref.losses[s]!) + 1e-5);
      }
      expect([one.fallbackCalls, two.fallbackCalls]).toEqual([0, 0]);
    });
  }
});

describe('a W2-sized run split across threads', () => {
  it('gives bit-identical losses and weights on 1 and 2 threads, run after run', () => {
    const rng = new Rng(3);
    const count = 512, features = 784;
    const x = Uint8Array.from({ length: count * features }, () => rng.int(256));
    const labels = Int32Array.from({ length: count }, () => rng.int(10));
    const data: Dataset = { count, features, x, scale: 1 / 255, labels, classNames: [...'0123456789'] };
    const spec: NetworkSpec = {
      inputSize: 784,
      layers: [{ kind: 'affine', units: 512 }, { kind: 'relu' }, { kind: 'affine', units: 512 }, { kind: 'relu' }, { kind: 'affine', units: 10 }],
      loss: 'softmax-cross-entropy',
    };
    const config = trainingConfigSchema.parse({ optimizer: 'momentum', learningRate: 0.05, batchSize: 128, epochs: 1, seed: 2, init: 'he' });
    const run = (ops: WasmOps) => {
      const net = buildNetwork(spec, { ops, init: config.init, seed: config.seed });
      const trainer = new Trainer({ network: net, train: data, config });
      const losses = [0, 1, 2, 3].map(() => trainer.step().loss);
      return { losses, weights: net.params().map((p) => Float32Array.from(p.value.data)) };
    };
    const threadedBefore = two.threadedCalls;
    const [a, b, c] = [run(two), run(two), run(one)];
    expect(two.threadedCalls - threadedBefore).toBeGreaterThan(8 * 4);
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).toEqual(a.losses);
    a.weights.forEach((w, i) => {
      expect(Buffer.from(b.weights[i]!.buffer).equals(Buffer.from(w.buffer)), `param ${i}, run 2`).toBe(true);
      expect(Buffer.from(c.weights[i]!.buffer).equals(Buffer.from(w.buffer)), `param ${i}, 1 thread`).toBe(true);
    });
  });
});
