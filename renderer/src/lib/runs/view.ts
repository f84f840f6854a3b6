import type { NetworkSpec, TrainingConfig } from '../../../../core/spec.js';
import { runMetrics, type RunMetrics, type RunRecord } from './record.js';

/**
 * What the Runs view computes from records: sort order, colours, the settings
 * that differ between the selected runs, and the points of the overlaid curves.
 * Plain functions, so tests read them as the view's specification.
 */

/** Ten colours that stay apart on light and dark backgrounds (Tableau 10). */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** A run's colour: by its place among all runs, so it keeps it when the selection changes. */
export function runColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

export type RunSortKey = keyof RunMetrics | 'name' | 'createdAt' | 'wallSeconds' | 'samplesPerSecond' | 'iterations' | 'learningRate' | 'optimizer' | 'group';

function sortValue(r: RunRecord, m: RunMetrics, key: RunSortKey): number | string | null {
  switch (key) {
    case 'name':
      return r.name.toLowerCase();
    case 'group':
      return r.group?.label.toLowerCase() ?? '';
    case 'optimizer':
      return r.training.optimizer;
    case 'learningRate':
      return r.training.learningRate;
    case 'createdAt':
    case 'wallSeconds':
    case 'samplesPerSecond':
    case 'iterations':
      return r[key];
    default:
      return m[key];
  }
}

/** Sorted copy; runs without the value (no test set…) always go last. */
export function sortRuns(runs: readonly RunRecord[], key: RunSortKey, descending: boolean): RunRecord[] {
  const keyed = runs.map((r) => ({ r, v: sortValue(r, runMetrics(r), key) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === null ? (b.v === null ? 0 : 1) : -1;
    const c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    return descending ? -c : c;
  });
  return keyed.map((k) => k.r);
}

/** "784 → affine 100 → relu → affine 10": the network in one line. */
export function describeNetwork(spec: NetworkSpec): string {
  return [String(spec.inputSize), ...spec.layers.map((l) => ('units' in l ? `${l.kind} ${String(l.units)}` : 'rate' in l ? `${l.kind} ${String(l.rate)}` : l.kind))].join(' → ');
}

/** The training settings that mean something for this optimizer (momentum only for momentum methods…). */
function trainingRows(t: TrainingConfig): [string, string][] {
  const rows: [string, string][] = [
    ['optimizer', t.optimizer],
    ['learning rate', String(t.learningRate)],
    ['batch size', String(t.batchSize)],
    ['epochs', String(t.epochs)],
    ['init', t.init],
    ['seed', String(t.seed)],
  ];
  if (t.optimizer === 'momentum' || t.optimizer === 'nesterov') rows.push(['momentum', String(t.momentum)]);
  if (t.optimizer === 'adam') rows.push(['beta1', String(t.beta1)], ['beta2', String(t.beta2)]);
  const extra = t as TrainingConfig & { decay?: number; weightDecay?: number };
  if (t.optimizer === 'rmsprop' && extra.decay !== undefined) rows.push(['decay', String(extra.decay)]);
  rows.push(['weight decay', String(extra.weightDecay ?? 0)]);
  rows.push(['validation split', String(t.validationSplit ?? 0)]);
  rows.push(['training samples', t.trainLimit !== undefined ? String(t.trainLimit) : 'all']);
  rows.push(['early stopping', t.earlyStopping ? `patience ${t.earlyStopping.patience} on ${t.earlyStopping.monitor} loss` : 'off']);
  return rows;
}

export interface SettingRow {
  setting: string;
  /** One value per run, in the runs' order ('–' where a run lacks it). */
  values: string[];
  differs: boolean;
}

/** Every setting of the runs side by side, the differing ones marked. */
export function settingRows(runs: readonly RunRecord[]): SettingRow[] {
  const per = runs.map((r) => new Map<string, string>([['network', describeNetwork(r.spec)], ['data', `${r.data.name} (${r.data.trainCount} train, ${r.data.testCount} test)`], ...trainingRows(r.training)]));
  const names: string[] = [];
  for (const m of per) for (const k of m.keys()) if (!names.includes(k)) names.push(k);
  return names.map((setting) => {
    const values = per.map((m) => m.get(setting) ?? '–');
    return { setting, values, differs: new Set(values).size > 1 };
  });
}

export type XAxis = 'iteration' | 'epoch' | 'time';
export type Point = { x: number; y: number | null };

/** Iterations per epoch of a run (from its epochs; null before the first one ended). */
function iterationsPerEpoch(r: RunRecord): number | null {
  const e = r.epochs[0];
  return e && e.iteration > 0 ? e.iteration / e.epoch : null;
}

/** Loss per iteration of a run against the chosen x (epochs are fractional between epoch ends). */
export function lossPoints(r: RunRecord, x: XAxis): Point[] {
  const per = iterationsPerEpoch(r) ?? Math.max(1, r.iterations);
  return r.curve.iterations.map((it, i) => ({
    x: x === 'iteration' ? it : x === 'epoch' ? it / per : r.curve.seconds[i]!,
    y: r.curve.losses[i] ?? null,
  }));
}

export type EpochMetric = 'testAccuracy' | 'trainAccuracy' | 'validationAccuracy' | 'testLoss' | 'trainLoss' | 'validationLoss';

/** A per-epoch metric of a run against the chosen x. */
export function epochPoints(r: RunRecord, metric: EpochMetric, x: XAxis): Point[] {
  return r.epochs.flatMap((e) => {
    const v = e[metric];
    if (v === undefined) return [];
    return [{ x: x === 'iteration' ? e.iteration : x === 'epoch' ? e.epoch : e.seconds, y: v }];
  });
}

/** Smoothed copy of a curve (exponential moving average, the TensorBoard slider). */
export function smooth(points: Point[], weight: number): Point[] {
  if (weight <= 0) return points;
  let last: number | null = null;
  return points.map((p) => {
    if (p.y === null) return p;
    last = last === null ? p.y : last * weight + (1 - weight) * p.y;
    return { x: p.x, y: last };
  });
}
