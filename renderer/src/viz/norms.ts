/**
 * Norms of weights and gradients over training, from the engine's `layerStats`
 * events, shaped for log-scale line charts: vanishing gradients show as a
 * ‖dW‖ line sinking by orders of magnitude (often only in the layers nearest the
 * input), exploding ones as a line shooting up.
 */
import type { EventOf } from '../../../core/protocol/messages.js';

/** One `layerStats` event (its `type` field is not needed here). */
export type LayerStatsSnapshot = Pick<EventOf<'layerStats'>, 'iteration' | 'layers'>;
export type LayerStatsEntry = LayerStatsSnapshot['layers'][number];

export type TensorKey = 'W' | 'b' | 'dW' | 'db';

export interface Point {
  x: number;
  /** null where a log axis cannot show the value (0, negative, NaN, ∞): a gap in the line. */
  y: number | null;
}

/** The layers present in a history, in the order the engine lists them. */
export function layersIn(history: readonly LayerStatsSnapshot[]): string[] {
  const seen: string[] = [];
  for (const snap of history) for (const l of snap.layers) if (!seen.includes(l.layer)) seen.push(l.layer);
  return seen;
}

/** The norm of one tensor of one layer against the iteration. */
export function normSeries(history: readonly LayerStatsSnapshot[], layer: string, key: TensorKey): Point[] {
  const out: Point[] = [];
  for (const snap of history) {
    const entry = snap.layers.find((l) => l.layer === layer);
    if (!entry) continue;
    const v = entry[key].norm;
    out.push({ x: snap.iteration, y: Number.isFinite(v) && v > 0 ? v : null });
  }
  return out;
}

/**
 * A shared log-axis range (powers of ten) covering every positive finite norm of
 * every layer, so the small charts of all layers compare at a glance.
 */
export function logRange(history: readonly LayerStatsSnapshot[], keys: readonly TensorKey[] = ['W', 'dW']): { min: number; max: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const snap of history) {
    for (const l of snap.layers) {
      for (const k of keys) {
        const v = l[k].norm;
        if (Number.isFinite(v) && v > 0) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
  }
  if (!(hi >= lo)) return null;
  let min = Math.pow(10, Math.floor(Math.log10(lo)));
  let max = Math.pow(10, Math.ceil(Math.log10(hi)));
  if (max <= min) max = min * 10;
  // Keep the picture readable when a run has diverged to 1e30: at most 16 decades.
  if (Math.log10(max / min) > 16) min = max / 1e16;
  return { min, max };
}

/**
 * Powers of ten from min to max for a log axis, every k-th decade so that at
 * most `maxTicks` remain (k chosen smallest; the decades kept are multiples of k).
 */
export function decadeTicks(min: number, max: number, maxTicks = 5): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  const multiples = (k: number) => Math.floor(hi / k) - Math.ceil(lo / k) + 1;
  let k = 1;
  while (multiples(k) > Math.max(1, maxTicks)) k++;
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) if (((e % k) + k) % k === 0) out.push(Number(`1e${e}`));
  return out;
}

/** Keep at most `maxPoints` snapshots, evenly thinned, always keeping the latest. */
export function thin<T>(items: readonly T[], maxPoints: number): T[] {
  if (items.length <= maxPoints || maxPoints < 2) return items.slice();
  const out: T[] = [];
  const step = (items.length - 1) / (maxPoints - 1);
  for (let i = 0; i < maxPoints; i++) out.push(items[Math.round(i * step)]!);
  return out;
}

export type GradientVerdict =
  | { kind: 'none' }
  | { kind: 'ok'; spread: number }
  | { kind: 'non-finite'; layers: string[] }
  | { kind: 'vanishing'; spread: number; from: string; to: string }
  | { kind: 'exploding'; spread: number; from: string; to: string };

/**
 * A plain-words reading of the latest snapshot: gradient norms that are NaN/∞,
 * or that shrink (vanishing) or grow (exploding) by more than `factor` from the
 * output layer back to the input layer. `spread` = ‖dW‖ at the output / ‖dW‖ at
 * the input. A heuristic that points at what the charts show, not a diagnosis.
 */
export function gradientVerdict(snapshot: LayerStatsSnapshot | undefined, factor = 1e3): GradientVerdict {
  if (!snapshot || snapshot.layers.length === 0) return { kind: 'none' };
  const bad = snapshot.layers.filter((l) => !Number.isFinite(l.dW.norm) || !Number.isFinite(l.W.norm)).map((l) => l.layer);
  if (bad.length > 0) return { kind: 'non-finite', layers: bad };
  const first = snapshot.layers[0]!;
  const last = snapshot.layers[snapshot.layers.length - 1]!;
  if (snapshot.layers.length < 2 || (first.dW.norm === 0 && last.dW.norm === 0)) return { kind: 'ok', spread: 1 };
  const spread = last.dW.norm / first.dW.norm;
  if (spread > factor) return { kind: 'vanishing', spread, from: last.layer, to: first.layer };
  if (spread < 1 / factor) return { kind: 'exploding', spread, from: last.layer, to: first.layer };
  return { kind: 'ok', spread };
}
