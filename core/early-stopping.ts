import { z } from 'zod';
import type { FloatArray } from './matrix.js';

/**
 * Early stopping: end a run when the watched loss has not improved for
 * `patience` epochs, and hand back the weights of the best epoch (Keras'
 * EarlyStopping with restore_best_weights). The loss watched is the validation
 * set's (held out from the training data, see core/training-split.ts) or the
 * test set's; the book's §6.5 warns that tuning on the test set overfits it, so
 * validation is the default.
 */

export const EARLY_STOPPING_MONITORS = ['validation', 'test'] as const;
export type EarlyStoppingMonitor = (typeof EARLY_STOPPING_MONITORS)[number];

export const earlyStoppingSchema = z
  .object({
    /** Epochs without improvement before the run ends. */
    patience: z.number().int().min(1).max(10_000),
    monitor: z.enum(EARLY_STOPPING_MONITORS).default('validation'),
    /** An epoch counts as better only when it beats the best loss by more than this. */
    minDelta: z.number().min(0).max(1e6).default(0),
  })
  .strict();
export type EarlyStoppingSettings = z.infer<typeof earlyStoppingSchema>;

/** What the watcher needs of a parameter: its values, which it copies and writes back. */
export interface WeightsHolder {
  readonly value: { readonly data: FloatArray };
}

export class EarlyStopping {
  private bestLoss = Number.POSITIVE_INFINITY;
  private bestAt: number | null = null;
  private lastAt: number | null = null;
  private stale = 0;
  private saved: FloatArray[] | null = null;

  constructor(readonly settings: EarlyStoppingSettings) {}

  /** Epoch of the lowest loss seen so far (null before the first epoch). */
  get bestEpoch(): number | null {
    return this.bestAt;
  }
  get bestValue(): number {
    return this.bestLoss;
  }
  /** Epochs since the best one. */
  get epochsWithoutImprovement(): number {
    return this.stale;
  }

  /**
   * One finished epoch: its number, the watched loss and the network's parameters.
   * The weights are copied when the epoch is the best so far. Returns true when the
   * run should end here. A NaN loss never counts as an improvement.
   */
  observe(epoch: number, loss: number, params: readonly WeightsHolder[]): boolean {
    this.lastAt = epoch;
    if (Number.isFinite(loss) && loss < this.bestLoss - this.settings.minDelta) {
      this.bestLoss = loss;
      this.bestAt = epoch;
      this.stale = 0;
      this.saved = params.map((p) => p.value.data.slice());
      return false;
    }
    this.stale++;
    return this.stale >= this.settings.patience;
  }

  /**
   * Write the best epoch's weights back into `params` (the same network). Returns
   * that epoch, or null when there is nothing to do: the last epoch was the best,
   * or no epoch had a finite loss.
   */
  restoreBest(params: readonly WeightsHolder[]): number | null {
    if (!this.saved || this.bestAt === null || this.bestAt === this.lastAt) return null;
    if (params.length !== this.saved.length) throw new Error(`early stopping saved ${this.saved.length} tensors, the network has ${params.length}`);
    params.forEach((p, i) => p.value.data.set(this.saved![i]!));
    this.lastAt = this.bestAt;
    return this.bestAt;
  }
}
