import { z } from 'zod';
import { networkSpecSchema, trainingConfigSchema, type NetworkSpec, type TrainingConfig } from '../../../../core/spec.js';

/**
 * One training run as the studio keeps it: what was trained (network, data,
 * every training setting), how it went (loss per iteration, metrics per epoch)
 * and how fast. Records live in a RunStore (IndexedDB in browser mode, the user's
 * data folder in the desktop app) and are checked with this schema whenever they
 * are read back, so a damaged store costs a run, never the Runs view.
 */

export const RUN_RECORD_VERSION = 1;

/** Loss-per-iteration points kept per run; beyond it, neighbours are averaged in pairs. */
export const MAX_CURVE_POINTS = 4000;

const num = z.number().nullable(); // JSON has no NaN/Infinity: a diverged loss is stored as null

export const runEpochSchema = z
  .object({
    /** 1-based within the run. */
    epoch: z.number().int(),
    /** Iterations since the run started, at the end of this epoch. */
    iteration: z.number().int(),
    /** Seconds since the run started (pauses excluded). */
    seconds: z.number(),
    trainLoss: num,
    trainAccuracy: num,
    testLoss: num,
    testAccuracy: num,
    validationLoss: num.optional(),
    validationAccuracy: num.optional(),
  })
  .strict();
export type RunEpoch = z.infer<typeof runEpochSchema>;

export const RUN_STATUSES = ['finished', 'stopped', 'diverged'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const runGroupSchema = z
  .object({
    id: z.string().min(1).max(100),
    kind: z.enum(['comparison', 'search']),
    /** "Optimizers", "Search: learning rate and weight decay"… */
    label: z.string().max(200),
  })
  .strict();
export type RunGroup = z.infer<typeof runGroupSchema>;

export const runDataSchema = z
  .object({
    name: z.string().max(1024),
    trainCount: z.number().int(),
    testCount: z.number().int(),
    features: z.number().int(),
    classes: z.number().int(),
  })
  .strict();
export type RunData = z.infer<typeof runDataSchema>;

export const runRecordSchema = z
  .object({
    version: z.literal(RUN_RECORD_VERSION),
    id: z.string().min(1).max(100),
    name: z.string().max(200),
    /** ms since 1970. */
    createdAt: z.number(),
    group: runGroupSchema.optional(),
    spec: networkSpecSchema,
    training: trainingConfigSchema,
    data: runDataSchema,
    status: z.enum(RUN_STATUSES),
    /** The engine's words at the end ("finished 5 epochs", "finished early: …"). */
    message: z.string().max(2000),
    /** Loss per iteration: x = iterations since the start, the wall clock of each point, the loss. */
    curve: z
      .object({ iterations: z.array(z.number()), seconds: z.array(z.number()), losses: z.array(num) })
      .strict()
      .refine((c) => c.iterations.length === c.losses.length && c.seconds.length === c.losses.length, { message: 'curve arrays differ in length' }),
    epochs: z.array(runEpochSchema),
    iterations: z.number().int(),
    wallSeconds: z.number(),
    samplesPerSecond: z.number(),
    /** Set when early stopping watched the run: the epoch whose weights the network ended with. */
    bestEpoch: z.number().int().optional(),
    /** The trained weights are in the store (safetensors bytes). */
    hasWeights: z.boolean(),
  })
  .strict();
export type RunRecord = z.infer<typeof runRecordSchema>;

export function isTrainingConfig(v: unknown): v is TrainingConfig {
  return trainingConfigSchema.safeParse(v).success;
}
export function isNetworkSpec(v: unknown): v is NetworkSpec {
  return networkSpecSchema.safeParse(v).success;
}

/** A finite number, or null (what JSON can hold). */
export function finite(v: number | null | undefined): number | null {
  return v !== null && v !== undefined && Number.isFinite(v) ? v : null;
}

/**
 * The loss curve of a run being recorded. Every batch loss goes in; once there
 * are MAX_CURVE_POINTS, pairs of neighbours are averaged, and from then on every
 * point stands for twice as many batches: the shape survives, memory stays bounded
 * however long the run. The exact per-epoch values live in the epochs.
 */
export class CurveBuilder {
  readonly iterations: number[] = [];
  readonly seconds: number[] = [];
  readonly losses: (number | null)[] = [];
  /** Batches per stored point. */
  private stride = 1;
  private pending = { n: 0, sum: 0, bad: false, iteration: 0, seconds: 0 };

  push(iteration: number, seconds: number, loss: number): void {
    const p = this.pending;
    p.n++;
    if (Number.isFinite(loss)) p.sum += loss;
    else p.bad = true;
    p.iteration = iteration;
    p.seconds = seconds;
    if (p.n < this.stride) return;
    this.emit();
    if (this.losses.length >= MAX_CURVE_POINTS) this.halve();
  }

  private emit(): void {
    const p = this.pending;
    if (p.n === 0) return;
    this.iterations.push(p.iteration);
    this.seconds.push(p.seconds);
    this.losses.push(p.bad ? null : p.sum / p.n);
    this.pending = { n: 0, sum: 0, bad: false, iteration: 0, seconds: 0 };
  }

  private halve(): void {
    const n = Math.floor(this.losses.length / 2);
    for (let i = 0; i < n; i++) {
      const a = this.losses[2 * i]!;
      const b = this.losses[2 * i + 1]!;
      this.losses[i] = a === null || b === null ? null : (a + b) / 2;
      this.iterations[i] = this.iterations[2 * i + 1]!;
      this.seconds[i] = this.seconds[2 * i + 1]!;
    }
    this.losses.length = n;
    this.iterations.length = n;
    this.seconds.length = n;
    this.stride *= 2;
  }

  /** The curve so far, the batches not yet making a full point included. */
  snapshot(): RunRecord['curve'] {
    const out = { iterations: [...this.iterations], seconds: [...this.seconds], losses: [...this.losses] };
    const p = this.pending;
    if (p.n > 0) {
      out.iterations.push(p.iteration);
      out.seconds.push(p.seconds);
      out.losses.push(p.bad ? null : p.sum / p.n);
    }
    return out;
  }
}

/** The metrics the Runs table sorts by. */
export interface RunMetrics {
  finalTrainLoss: number | null;
  finalTrainAccuracy: number | null;
  finalTestLoss: number | null;
  finalTestAccuracy: number | null;
  bestTestAccuracy: number | null;
  finalValidationLoss: number | null;
  finalValidationAccuracy: number | null;
  bestValidationAccuracy: number | null;
  epochs: number;
}

const maxOf = (xs: (number | null | undefined)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null && x !== undefined);
  return v.length > 0 ? Math.max(...v) : null;
};

/**
 * Final metrics are those of the weights the run ended with: the best epoch's
 * when early stopping restored them, else the last epoch's.
 */
export function runMetrics(r: RunRecord): RunMetrics {
  const final = (r.bestEpoch !== undefined ? r.epochs.find((e) => e.epoch === r.bestEpoch) : undefined) ?? r.epochs[r.epochs.length - 1];
  return {
    finalTrainLoss: final?.trainLoss ?? null,
    finalTrainAccuracy: final?.trainAccuracy ?? null,
    finalTestLoss: final?.testLoss ?? null,
    finalTestAccuracy: final?.testAccuracy ?? null,
    bestTestAccuracy: maxOf(r.epochs.map((e) => e.testAccuracy)),
    finalValidationLoss: final?.validationLoss ?? null,
    finalValidationAccuracy: final?.validationAccuracy ?? null,
    bestValidationAccuracy: maxOf(r.epochs.map((e) => e.validationAccuracy)),
    epochs: r.epochs.length,
  };
}

/** A run id: time-ordered and unique enough for one user's store. */
export function newRunId(now = Date.now()): string {
  return `${now.toString(36)}-${Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0')}`;
}
