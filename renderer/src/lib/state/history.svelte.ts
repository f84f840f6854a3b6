import type { EventOf } from '../../../../core/protocol/messages.js';

/**
 * What training on the current weights has produced: the counters shown as
 * "iteration 1,240 · epoch 12", the loss per iteration, the per-epoch metrics,
 * layer norms, the latest confusion matrix, evaluation and gradient check.
 *
 * The engine counts from 0 again whenever it makes a new trainer for the same
 * weights (new data, a restore). The charts continue instead: shown = base +
 * the engine's count.
 */

export type LayerStatsSnapshot = Pick<EventOf<'layerStats'>, 'iteration' | 'layers'>;

/** Loss per iteration as sampled by the engine's progress events. */
export class LossHistory {
  readonly iterations: number[] = [];
  readonly values: number[] = [];
  push(iteration: number, loss: number): boolean {
    const last = this.iterations[this.iterations.length - 1];
    if (last !== undefined && iteration <= last) return false;
    this.iterations.push(iteration);
    this.values.push(loss);
    return true;
  }
  /** Drop points after `iteration` (a checkpoint restore went back in time). */
  truncate(iteration: number): void {
    let n = this.iterations.length;
    while (n > 0 && this.iterations[n - 1]! > iteration) n--;
    this.iterations.length = n;
    this.values.length = n;
  }
  clear(): void {
    this.iterations.length = 0;
    this.values.length = 0;
  }
  get length(): number {
    return this.iterations.length;
  }
}

/**
 * Norm history kept for the inspector's charts: beyond this many snapshots the
 * older half is thinned to every other one (a log-scale trend needs no more), so
 * an hours-long run neither grows memory nor slows the charts.
 */
export const MAX_STATS = 4000;

function thinOlderHalf<T>(items: T[]): void {
  const half = Math.floor(items.length / 2);
  const kept = items.slice(0, half).filter((_, i) => i % 2 === 0);
  items.splice(0, half, ...kept);
}

export class RunHistory {
  /** Iterations and epochs trained on the current weights, as the charts count them. */
  iteration = $state(0);
  epoch = $state(0);
  progress = $state.raw<EventOf<'progress'> | null>(null);
  /** Samples per second measured while a run was going (a lone step is too short to measure honestly). */
  runSpeed = $state<number | null>(null);
  /** Epoch at which the current run ends (for "epoch 3 of 10"). */
  runEndEpoch = $state<number | null>(null);
  epochs = $state.raw<EventOf<'epoch'>[]>([]);
  readonly loss = new LossHistory();
  readonly layerStats: LayerStatsSnapshot[] = [];
  /** Bumped when `loss` or `layerStats` change (they are plain arrays for speed). */
  version = $state(0);
  confusion = $state.raw<EventOf<'confusion'> | null>(null);
  evaluation = $state.raw<EventOf<'evaluation'> | null>(null);
  /** Iteration at which `evaluation` was taken. */
  evaluatedAt = $state(0);
  lastDone = $state.raw<EventOf<'done'> | null>(null);
  /** Epochs up to this one were measured on data since replaced: their figures no longer apply. */
  staleThrough = $state(0);
  /** The epochs measured on the data loaded now (metric cards and "best" read these). */
  currentEpochs = $derived(this.epochs.filter((e) => e.epoch > this.staleThrough));
  gradcheck = $state.raw<EventOf<'gradcheckResult'> | null>(null);

  private base = { iteration: 0, epoch: 0 };
  private engineCount = { iteration: 0, epoch: 0 };

  /**
   * The engine's counters changed (progress, status). `restarting`: a restarted
   * engine is being given its state back and its counters pass through 0; keep
   * the history until it is done.
   */
  setCounters(iteration: number, epoch: number, restarting = false): void {
    this.engineCount = { iteration, epoch };
    const shownIteration = this.base.iteration + iteration;
    const shownEpoch = this.base.epoch + epoch;
    if (shownIteration < this.iteration && !restarting) this.truncate(shownIteration, shownEpoch);
    this.iteration = shownIteration;
    this.epoch = shownEpoch;
  }

  onProgress(ev: EventOf<'progress'>, restarting = false): void {
    this.progress = ev;
    // A run's progress carries its fraction (a run that ends within one slice sends only its final,
    // idle event); a lone step has none: its few milliseconds make no honest rate ("146k/s").
    const ofRun = ev.state === 'running' || ev.fraction > 0;
    if (ofRun && ev.samplesPerSecond > 0) this.runSpeed = ev.samplesPerSecond;
    this.setCounters(ev.iteration, ev.epoch, restarting);
    // At the engine's iteration 0 no batch of this trainer has run: a loss there is a leftover.
    if (ev.iteration > 0 && this.pushLosses(ev)) this.version++;
  }

  onEpoch(ev: EventOf<'epoch'>): void {
    const shown = { ...ev, epoch: this.base.epoch + ev.epoch, iteration: this.base.iteration + ev.iteration };
    this.epochs = [...this.epochs.filter((e) => e.epoch < shown.epoch), shown];
  }

  onLayerStats(ev: EventOf<'layerStats'>): void {
    const iteration = this.base.iteration + ev.iteration;
    const last = this.layerStats[this.layerStats.length - 1];
    if (last && last.iteration === iteration) this.layerStats[this.layerStats.length - 1] = { iteration, layers: ev.layers };
    else this.layerStats.push({ iteration, layers: ev.layers });
    if (this.layerStats.length > MAX_STATS) thinOlderHalf(this.layerStats);
    this.version++;
  }

  /** New data for the same weights: results measured on the old data no longer apply; the timeline goes on. */
  onDataChanged(restarting = false): void {
    this.confusion = null;
    this.evaluation = null;
    if (restarting) return;
    this.rebase();
    this.staleThrough = this.epoch;
  }

  /** Weights were put back to an earlier point (checkpoint restore): forget what came after. */
  truncate(iteration = this.iteration, epoch = this.epoch): void {
    this.loss.truncate(iteration);
    while (this.layerStats.length > 0 && this.layerStats[this.layerStats.length - 1]!.iteration > iteration) this.layerStats.pop();
    this.epochs = this.epochs.filter((e) => e.epoch <= epoch);
    this.version++;
  }

  /** New weights: everything from 0. */
  reset(): void {
    this.loss.clear();
    this.layerStats.length = 0;
    this.epochs = [];
    this.confusion = null;
    this.evaluation = null;
    this.lastDone = null;
    this.gradcheck = null;
    this.progress = null;
    this.runSpeed = null;
    this.runEndEpoch = null;
    this.staleThrough = 0;
    this.version++;
    this.base = { iteration: 0, epoch: 0 };
    this.engineCount = { iteration: 0, epoch: 0 };
    this.iteration = 0;
    this.epoch = 0;
  }

  /** The engine restarts its counts for the same weights: continue the timeline from here. */
  private rebase(): void {
    this.base = { iteration: this.base.iteration + this.engineCount.iteration, epoch: this.base.epoch + this.engineCount.epoch };
    this.engineCount = { iteration: 0, epoch: 0 };
  }

  /**
   * The batch losses a progress event carries (every iteration since the last event),
   * or just its last loss from an engine that sends none. True when the history grew.
   */
  private pushLosses(ev: EventOf<'progress'>): boolean {
    const end = this.base.iteration + ev.iteration;
    const losses = ev.batchLosses;
    if (!losses || losses.length === 0) return ev.loss !== null && this.loss.push(end, ev.loss);
    let grew = false;
    const first = end - losses.length + 1;
    for (let i = 0; i < losses.length; i++) if (this.loss.push(first + i, losses[i]!)) grew = true;
    return grew;
  }
}
