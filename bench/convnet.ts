/**
 * The convnet section of `npm run bench`: the book's SimpleConvNet (conv 30x5x5, ReLU,
 * pool 2, fc100, ReLU, fc10; Adam lr 0.001, batch 100, He init) in the engine, in PyTorch
 * (../shared/anchors/torch_convnet.py, Debian's python3-torch) and in the book-style NumPy
 * (numpy_convnet.py), on 1 and all threads, in one run, alternating.
 * Targets (issue 10): engine >= 0.35x PyTorch on all threads, >= 2x the NumPy book version,
 * peak memory <= PyTorch's. With --busy (cores kept busy by spinning processes), also the
 * engine splitting every call (adaptive: false), and issue 14 item 11's target: the default
 * thread count no more than 10% slower than one thread.
 */
import { join } from 'node:path';
import type { ChildTask, Impl } from './child.js';
import { convnetAnchorArgs } from './convnet-spec.js';
import { runPython } from './numpy.js';
import { Series, fmt, fmtRatio, fmtSpread, table, type Json } from './report.js';
import { ratio, type Spread } from './stats.js';

export interface ConvnetOptions {
  runs: number;
  /** The "all cores" thread count. */
  threads: number;
  data: string;
  anchors: string;
  /** Python with PyTorch (default /usr/bin/python3), or null when not found. */
  torchPython: string | null;
  /** Python with NumPy, or null. */
  numpyPython: string | null;
  /** Timed iterations of the engine and PyTorch (NumPy runs a fifth as many, at least 10). */
  iterations: number;
  /** Cores kept busy by --busy (0: none). */
  busy: number;
  /** Engine backends to time (wasm, native). */
  impls: Impl[];
  attempt: (s: Series, what: () => Promise<Json>) => Promise<unknown>;
  child: (task: ChildTask) => Promise<Json>;
  log: (s: string) => void;
}

export interface Target {
  name: string;
  value: number | null;
  goal: number;
  higherIsBetter: boolean;
}

export async function convnetSection(o: ConvnetOptions): Promise<{ json: Json; targets: Target[] }> {
  const T = o.threads;
  const threadSet = T > 1 ? [1, T] : [1];
  const numpyIters = Math.max(10, Math.round(o.iterations / 5));
  o.log(`\nSimpleConvNet (book ch. 7): conv 30x5x5 - ReLU - pool 2 - fc100 - ReLU - fc10 on 1x28x28, Adam lr 0.001, batch 100, He init; ${o.iterations} iterations (NumPy ${numpyIters})${o.busy ? `; ${o.busy} core(s) kept busy` : ''}`);
  const rows: { key: string; s: Series; run: () => Promise<Json> }[] = [];
  const engine = (impl: Impl, t: number, adaptive: boolean): (() => Promise<Json>) => () => o.child({ kind: 'convnet', impl, threads: t, data: o.data, iterations: o.iterations, adaptive });
  const wasm = o.impls.includes('wasm'), native = o.impls.includes('native');
  for (const t of threadSet) {
    const threads = `${t} thread${t > 1 ? 's' : ''}`;
    if (wasm) rows.push({ key: `engine_${t}t`, s: new Series(`engine (wasm) ${threads}`), run: engine('wasm', t, true) });
    if (native) rows.push({ key: `native_${t}t`, s: new Series(`engine (native) ${threads}`), run: engine('native', t, true) });
    if (t > 1 && o.busy && wasm) rows.push({ key: `engine_${t}t_always_split`, s: new Series(`engine (wasm) ${t} threads, every call split`), run: engine('wasm', t, false) });
    if (o.torchPython) {
      const py = o.torchPython;
      rows.push({
        key: `torch_${t}t`, s: new Series(`PyTorch ${t} thread${t > 1 ? 's' : ''}`),
        run: () => runPython(py, [join(o.anchors, 'torch_convnet.py'), ...convnetAnchorArgs(o.data, o.iterations, t)], t, o.anchors),
      });
    }
  }
  if (o.numpyPython) {
    const py = o.numpyPython;
    rows.push({
      key: `numpy_${T}t`, s: new Series(`NumPy book version, ${T} thread${T > 1 ? 's' : ''}`),
      run: () => runPython(py, [join(o.anchors, 'numpy_convnet.py'), ...convnetAnchorArgs(o.data, numpyIters, T)], T, o.anchors),
    });
  }
  for (let r = 0; r < o.runs; r++) for (const row of rows) await o.attempt(row.s, row.run);

  const out: Json = {};
  const printed = [['', 'samples/s', 'peak MB', 'loss first->last', 'calls split / kept on one thread']];
  for (const { key, s } of rows) {
    out[key] = s.summary(['samples_per_s', 'peak_rss_mb', 'train_s', 'split_calls', 'kept_single_calls']);
    const split = s.num('split_calls'), kept = s.num('kept_single_calls');
    printed.push([
      s.label,
      fmtSpread(s.num('samples_per_s'), 0),
      fmtSpread(s.num('peak_rss_mb'), 0),
      s.num('loss_first') ? `${fmt(s.num('loss_first')?.median, 3)}->${fmt(s.num('loss_last')?.median, 3)}` : '-',
      split && key.startsWith('engine') && key !== 'engine_1t' ? `${fmt(split.median, 0)} / ${fmt(kept?.median ?? 0, 0)}` : '',
    ]);
    const fb = s.num('fallback_calls');
    if (fb && fb.max > 0) o.log(`  note: ${s.label} ran ${fb.max} kernel calls on the TypeScript fallback`);
  }
  o.log(table(printed));
  const sps = (key: string): Spread | null => ((out[key] as Json | undefined)?.samples_per_s as Spread | null) ?? null;
  const vsTorch = ratio(sps(`engine_${T}t`), sps(`torch_${T}t`));
  const nativeVsTorch = ratio(sps(`native_${T}t`), sps(`torch_${T}t`));
  const vsNumpy = ratio(sps(`engine_${T}t`), sps(`numpy_${T}t`));
  const vsOne = T > 1 ? ratio(sps(`engine_${T}t`), sps('engine_1t')) : null;
  o.log(`  engine (wasm)/PyTorch, ${T} threads: ${fmtRatio(vsTorch)}; 1 thread: ${fmtRatio(ratio(sps('engine_1t'), sps('torch_1t')))}; engine ${T} threads/NumPy book: ${fmtRatio(vsNumpy)}; engine ${T} threads/1 thread: ${fmtRatio(vsOne)}`);
  if (native) o.log(`  engine (native)/PyTorch, ${T} threads: ${fmtRatio(nativeVsTorch)}; 1 thread: ${fmtRatio(ratio(sps('native_1t'), sps('torch_1t')))}; native/wasm ${T} threads: ${fmtRatio(ratio(sps(`native_${T}t`), sps(`engine_${T}t`)))}`);
  const peak = (key: string, pick: 'max' | 'min'): number | null => ((out[key] as Json | undefined)?.peak_rss_mb as Spread | null)?.[pick] ?? null;
  const eMem = peak(`engine_${T}t`, 'max'), tMem = peak(`torch_${T}t`, 'min');
  const targets: Target[] = [
    { name: `SimpleConvNet, ${T} threads: engine/PyTorch >= 0.35`, value: vsTorch, goal: 0.35, higherIsBetter: true },
    { name: `SimpleConvNet, ${T} threads: engine/NumPy book version >= 2`, value: vsNumpy, goal: 2, higherIsBetter: true },
    { name: `SimpleConvNet peak memory, ${T} threads: engine/PyTorch <= 1 (worst engine run vs best PyTorch run)`, value: eMem !== null && tMem !== null ? eMem / tMem : null, goal: 1, higherIsBetter: false },
  ];
  if (native) {
    const nMem = peak(`native_${T}t`, 'max');
    targets.push(
      { name: `SimpleConvNet, ${T} threads: engine (native)/PyTorch >= 0.8 (issue 15)`, value: nativeVsTorch, goal: 0.8, higherIsBetter: true },
      { name: `SimpleConvNet peak memory, ${T} threads: engine (native)/PyTorch <= 1`, value: nMem !== null && tMem !== null ? nMem / tMem : null, goal: 1, higherIsBetter: false },
    );
  }
  if (o.busy && vsOne !== null) {
    targets.push({ name: `SimpleConvNet with ${o.busy} core(s) busy: default ${T} threads / 1 thread >= 0.9`, value: vsOne, goal: 0.9, higherIsBetter: true });
  }
  out.ratios = { engine_vs_torch: vsTorch, native_vs_torch: nativeVsTorch, engine_vs_numpy: vsNumpy, threads_vs_one: vsOne };
  return { json: out, targets };
}
