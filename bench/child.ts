/**
 * One measurement in its own process, so that its peak memory (maxRSS) is its own
 * and no JIT or heap state leaks from one measurement into the next. The parent
 * (main.ts) starts `node bench.mjs --child '<task json>'` and reads the last line,
 * `RESULT {json}`, as the NumPy anchors print theirs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildNetwork } from '../core/network.js';
import { Trainer } from '../core/trainer.js';
import { createReferenceOps } from '../core/ops/reference.js';
import type { Ops } from '../core/ops/types.js';
import type { WasmOps } from '../core/ops/wasm/wasm-ops.js';
import { createNodeWasmOps } from '../node/wasm-threads.js';
import { createNativeOps, type NativeOps } from '../node/native/native-ops.js';
import { loadIdxFolder } from './data.js';
import { GEMM_SHAPES, gemmFlops } from './gemm-shapes.js';
import { WORKLOADS, flopsPerSample, workloadConfig, workloadSpec } from './workloads.js';
import { SIMPLE_CONVNET, simpleConvnetConfig } from './convnet-spec.js';
import { spread } from './stats.js';

export type ChildTask =
  | { kind: 'workload'; impl: Impl; workload: 'W1' | 'W2'; threads: number; data: string; iterations?: number }
  | { kind: 'gemm'; impl: Impl; threads: number; budgetS: number }
  | { kind: 'host'; impl: Impl; mode: 'host' | 'cli'; threads: number; data: string }
  | { kind: 'convnet'; impl: Impl; threads: number; data: string; iterations: number; adaptive: boolean };

/** wasm: the WebAssembly kernels; native: products on ONNX Runtime (issue 15); ts: the plain TypeScript reference. */
export type Impl = 'wasm' | 'native' | 'ts';

export type ChildResult = Record<string, unknown>;

/** Time spent per key (a product's shape, an Ops method), printed on stderr when the child exits. */
class CallTimes {
  private readonly table = new Map<string, { ms: number; calls: number; flops: number }>();

  constructor(format: (key: string, e: { ms: number; calls: number; flops: number }) => string) {
    process.on('exit', () => {
      for (const [k, e] of [...this.table].sort((x, y) => y[1].ms - x[1].ms)) process.stderr.write(`${format(k, e)}\n`);
    });
  }

  /** Runs `call`, adding its time (and `flops`) to `key`. */
  time<T>(key: string, call: () => T, flops = 0): T {
    const t0 = performance.now();
    const result = call();
    const e = this.table.get(key) ?? { ms: 0, calls: 0, flops: 0 };
    e.ms += performance.now() - t0;
    e.calls++;
    e.flops += flops;
    this.table.set(key, e);
    return result;
  }
}

/** BENCH_GEMM_PROFILE=1: time every product by shape and print the table on stderr (a diagnosis aid). */
function profileProducts(ops: Ops): Ops {
  if (!process.env.BENCH_GEMM_PROFILE) return ops;
  const inner = ops.gemm.bind(ops);
  const times = new CallTimes((k, e) => `${k}: ${e.ms.toFixed(0)} ms, ${e.calls} calls, ${(e.flops / e.ms / 1e6).toFixed(1)} GFLOP/s`);
  ops.gemm = (a, tA, b, tB, out, acc) => {
    const K = tA ? a.rows : a.cols;
    const key = `${out.rows}x${out.cols}x${K}${tA ? ' tA' : ''}${tB ? ' tB' : ''}`;
    times.time(key, () => inner(a, tA, b, tB, out, acc), 2 * out.rows * out.cols * K);
  };
  return ops;
}

async function makeOps(impl: Impl, threads: number, adaptive = true): Promise<Ops> {
  return profileAll(profileProducts(await makeOpsUnprofiled(impl, threads, adaptive)));
}

/**
 * BENCH_OPS_PROFILE=1: time every Ops call by method and print the table on stderr (where a
 * step's time goes beyond the products: the gather, softmax, updates...). A diagnosis aid.
 */
function profileAll(ops: Ops): Ops {
  if (!process.env.BENCH_OPS_PROFILE) return ops;
  const times = new CallTimes((k, e) => `${k}: ${e.ms.toFixed(1)} ms, ${e.calls} calls, ${((e.ms * 1000) / e.calls).toFixed(1)} us a call`);
  const methods = ops as unknown as Record<string, unknown>;
  const skip = new Set(['alloc', 'free', 'allocIndices', 'freeIndices', 'dispose']);
  for (const name of new Set([...Object.keys(Object.getPrototypeOf(ops) ?? {}), ...Object.keys(ops)])) {
    const method = methods[name];
    if (typeof method !== 'function' || skip.has(name)) continue;
    const inner = (method as (...args: unknown[]) => unknown).bind(ops);
    methods[name] = (...args: unknown[]) => times.time(name, () => inner(...args));
  }
  return ops;
}

async function makeOpsUnprofiled(impl: Impl, threads: number, adaptive = true): Promise<Ops> {
  if (impl === 'native') return createNativeOps({ threads, ...(JSON.parse(process.env.BENCH_NATIVE_OPTS ?? '{}') as object) });
  return impl === 'wasm' ? createNodeWasmOps({ threads, adaptive }) : createReferenceOps('f32');
}

function describeOps(ops: Ops): ChildResult {
  const w = ops as Partial<WasmOps>;
  const n = ops as Partial<NativeOps>;
  return {
    ...(n.library ? { library: n.library, native_calls: n.nativeCalls, wasm_calls: n.wasmCalls, copy_remedy: n.copyRemedy } : {}),
    ops: ops.name,
    threads: w.threads ?? 1,
    split_calls: w.threadedCalls ?? 0,
    kept_single_calls: w.keptSingleCalls ?? 0,
    ...(w.variant ? { kernels: w.variant === 'relaxed' ? 'simd128+relaxed-fma' : 'simd128' } : {}),
    ...(w.threadNote ? { thread_note: w.threadNote } : {}),
  };
}

function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/** W1 or W2 through the engine's own Trainer: one timed iteration = trainer.step() (gather, forward, backward, update). */
async function runWorkload(task: Extract<ChildTask, { kind: 'workload' }>): Promise<ChildResult> {
  const w = WORKLOADS[task.workload];
  const ops = await makeOps(task.impl, task.threads);
  const { train, test } = loadIdxFolder(task.data);
  const network = buildNetwork(workloadSpec(w), { ops, init: w.init, seed: 1 });
  const trainer = new Trainer({ network, train, test, config: workloadConfig(w, train.count) });
  const iterations = task.iterations ?? w.iterations;
  let seconds = 0;
  let samples = 0;
  let lossFirst = NaN;
  let lossLast = NaN;
  let t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const s = trainer.step();
    samples += s.samples;
    if (i === 0) lossFirst = s.loss;
    lossLast = s.loss;
    if (s.epochEnded && i < iterations - 1) {
      // A data set smaller than the workload: close the epoch outside the timed span.
      seconds += performance.now() - t0;
      trainer.finishEpoch();
      t0 = performance.now();
    }
  }
  seconds = (seconds + performance.now() - t0) / 1000;
  const testAcc = trainer.evaluate(test).accuracy;
  const result: ChildResult = {
    impl: task.impl,
    workload: w.id,
    ...describeOps(ops),
    iterations,
    samples,
    train_s: round(seconds, 4),
    samples_per_s: round(samples / seconds, 1),
    gflops: round((samples * flopsPerSample(w)) / seconds / 1e9, 2),
    loss_first: round(lossFirst, 4),
    loss_last: round(lossLast, 4),
    test_acc: round(testAcc, 4),
    fallback_calls: (ops as Partial<WasmOps>).fallbackCalls ?? 0,
    peak_rss_mb: peakRssMb(),
  };
  await (ops as Partial<WasmOps>).dispose?.();
  return result;
}

/**
 * The book's SimpleConvNet (bench/convnet.ts) through the engine's own Trainer, Adam lr
 * 0.001, He init, batch 100, as torch_convnet.py and numpy_convnet.py run it; one timed
 * iteration = trainer.step(). Two untimed steps first (tier-up, buffers).
 */
async function runConvnet(task: Extract<ChildTask, { kind: 'convnet' }>): Promise<ChildResult> {
  const ops = await makeOps(task.impl, task.threads, task.adaptive);
  const { train, test } = loadIdxFolder(task.data);
  const network = buildNetwork(SIMPLE_CONVNET, { ops, init: 'he', seed: 1 });
  const trainer = new Trainer({ network, train, test, config: simpleConvnetConfig(task.iterations, train.count) });
  const lossFirst = trainer.step().loss;
  trainer.step();
  let lossLast = NaN, samples = 0;
  const t0 = performance.now();
  for (let i = 0; i < task.iterations; i++) {
    const s = trainer.step();
    samples += s.samples;
    lossLast = s.loss;
  }
  const seconds = (performance.now() - t0) / 1000;
  const result: ChildResult = {
    impl: task.impl, workload: 'SimpleConvNet', ...describeOps(ops), adaptive: task.adaptive,
    iterations: task.iterations, samples, train_s: round(seconds, 4), samples_per_s: round(samples / seconds, 1),
    loss_first: round(lossFirst, 4), loss_last: round(lossLast, 4),
    fallback_calls: (ops as Partial<WasmOps>).fallbackCalls ?? 0, peak_rss_mb: peakRssMb(),
  };
  await (ops as Partial<WasmOps>).dispose?.();
  return result;
}

/** GFLOP/s of every product in GEMM_SHAPES: repeated until `budgetS` per shape, median of the repetitions. */
async function runGemm(task: Extract<ChildTask, { kind: 'gemm' }>): Promise<ChildResult> {
  const ops = await makeOps(task.impl, task.threads);
  const shapes: ChildResult[] = [];
  for (const s of GEMM_SHAPES) {
    const a = s.transA ? ops.alloc(s.K, s.M) : ops.alloc(s.M, s.K);
    const b = s.transB ? ops.alloc(s.N, s.K) : ops.alloc(s.K, s.N);
    const c = ops.alloc(s.M, s.N);
    let seed = 1;
    const fill = (d: ArrayLike<number> & { [i: number]: number }): void => {
      for (let i = 0; i < d.length; i++) d[i] = ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 31) - 1;
    };
    fill(a.data);
    fill(b.data);
    const flops = gemmFlops(s);
    // Calls per sample: enough for ~20 ms, so the clock's resolution does not matter.
    const once = performance.now();
    ops.gemm(a, s.transA, b, s.transB, c);
    const firstMs = Math.max(performance.now() - once, 1e-3);
    const perSample = Math.max(1, Math.round(20 / firstMs));
    for (let i = 0; i < Math.min(perSample, 50); i++) ops.gemm(a, s.transA, b, s.transB, c); // warm up (tier-up)
    const times: number[] = [];
    const end = performance.now() + task.budgetS * 1000;
    do {
      const t = performance.now();
      for (let i = 0; i < perSample; i++) ops.gemm(a, s.transA, b, s.transB, c);
      times.push((performance.now() - t) / perSample);
    } while (performance.now() < end || times.length < 3);
    const sp = spread(times.map((ms) => flops / ms / 1e6))!;
    shapes.push({ name: s.name, M: s.M, N: s.N, K: s.K, gflops: round(sp.median, 2), best_gflops: round(sp.max, 2), samples: sp.n });
    ops.free(a);
    ops.free(b);
    ops.free(c);
  }
  const result = { impl: task.impl, ...describeOps(ops), shapes, peak_rss_mb: peakRssMb() };
  await (ops as Partial<WasmOps>).dispose?.();
  return result;
}

/**
 * Issue item 5: W1 (one epoch) trained by the engine host, with its live progress and
 * layer statistics going out over a real MessageChannel to a client that receives
 * them, against the same run the CLI makes (Trainer.run). Both wall times cover start
 * to finish, epoch-end evaluation included, as a user of either would see it.
 */
async function runHost(task: Extract<ChildTask, { kind: 'host' }>): Promise<ChildResult> {
  const w = WORKLOADS.W1;
  const ops = await makeOps(task.impl, task.threads);
  const spec = workloadSpec(w);
  const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  let result: ChildResult;
  if (task.mode === 'cli') {
    const { train, test } = loadIdxFolder(task.data);
    const network = buildNetwork(spec, { ops, init: w.init, seed: 1 });
    const trainer = new Trainer({ network, train, test, config: workloadConfig(w, train.count) });
    let steps = 0;
    const t0 = performance.now();
    const run = trainer.run({ onStep: () => void steps++ });
    const wall = (performance.now() - t0) / 1000;
    const epoch = run.epochs[0]!;
    result = { mode: 'cli', wall_s: round(wall, 4), train_s: round(epoch.seconds, 4), steps, test_acc: round(epoch.testAccuracy ?? NaN, 4) };
  } else {
    const { createHost } = await import('../core/host/host.js');
    const { fromEventTarget } = await import('../core/protocol/port.js');
    type Port = Parameters<typeof fromEventTarget>[0];
    const channel = new MessageChannel();
    const host = createHost(fromEventTarget(channel.port1 as unknown as Port), { ops });
    const counts: Record<string, number> = {};
    const waiters: ((e: { type: string; [k: string]: unknown }) => boolean)[] = [];
    channel.port2.addEventListener('message', (ev) => {
      const e = (ev as MessageEvent).data as { type: string; [k: string]: unknown };
      counts[e.type] = (counts[e.type] ?? 0) + 1;
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!(e)) waiters.splice(i, 1);
    });
    channel.port2.start();
    const until = (pred: (e: { type: string; [k: string]: unknown }) => boolean): Promise<{ type: string; [k: string]: unknown }> =>
      new Promise((resolve) => waiters.push((e) => (pred(e) ? (resolve(e), true) : false)));
    let id = 0;
    const request = async (cmd: Record<string, unknown>): Promise<void> => {
      const myId = ++id;
      const answer = until((e) => (e.type === 'ack' || e.type === 'error') && e.id === myId);
      channel.port2.postMessage({ ...cmd, id: myId });
      const a = await answer;
      if (a.type === 'error') throw new Error(`host ${String(cmd.type)}: ${String(a.message)}`);
    };
    await host.ready;
    const bytes = files.map((f) => new Uint8Array(readFileSync(join(task.data, f))));
    await request({ type: 'configure', spec, training: workloadConfig(w, 60_000) });
    await request({
      type: 'loadData',
      name: files[0],
      bytes: bytes[0],
      labels: { name: files[1], bytes: bytes[1] },
      test: { name: files[2], bytes: bytes[2], labels: { name: files[3], bytes: bytes[3] } },
      options: {},
    });
    const epochEvent = until((e) => e.type === 'epoch');
    const done = until((e) => e.type === 'done');
    const t0 = performance.now();
    await request({ type: 'start' });
    const end = await done;
    const wall = (performance.now() - t0) / 1000;
    const epoch = await epochEvent;
    host.dispose();
    channel.port1.close();
    channel.port2.close();
    result = {
      mode: 'host',
      wall_s: round(wall, 4),
      train_s: round(Number(epoch.seconds), 4),
      done: end.reason,
      progress_events: counts.progress ?? 0,
      layer_stats_events: counts.layerStats ?? 0,
      test_acc: round(Number(epoch.testAccuracy), 4),
    };
  }
  result = { ...result, ...describeOps(ops), peak_rss_mb: peakRssMb() };
  await (ops as Partial<WasmOps>).dispose?.();
  return result;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export async function runChild(json: string): Promise<void> {
  const task = JSON.parse(json) as ChildTask;
  const result = task.kind === 'workload' ? await runWorkload(task)
    : task.kind === 'gemm' ? await runGemm(task)
    : task.kind === 'convnet' ? await runConvnet(task)
    : await runHost(task);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}
