import type { FloatArray } from './matrix.js';
import type { Dataset } from './data/dataset.js';
import { Rng, type RngState } from './rng.js';
import { scopedOps, type ScopedOps } from './ops/scoped-ops.js';
import { StudioError } from './errors.js';
import { describeZodError, trainingConfigSchema, type NetworkSpec, type TrainingConfig } from './spec.js';
import type { Network } from './network.js';
import { createOptimizer, type Optimizer, type OptimizerState } from './optimizers.js';
import { IndexBuffers, RowBuffers } from './layers/buffers.js';
import { checkDataset, confusionMatrix, evaluateDataset, predictDataset, type Evaluation } from './evaluation.js';

export interface TrainerOptions {
  network: Network;
  train: Dataset;
  test?: Dataset;
  config: TrainingConfig;
}

/** One mini-batch. `epoch` and `batchInEpoch` are 1-based; `iteration` counts batches since the start. */
export interface StepResult {
  iteration: number;
  epoch: number;
  batchInEpoch: number;
  /** Loss of this batch before the update. */
  loss: number;
  /** Rows in this batch (the last batch of an epoch may be smaller). */
  samples: number;
  /** This was the last batch of the epoch: call finishEpoch() next. */
  epochEnded: boolean;
  /** The loss was NaN or infinite: no update was made and the run is over. */
  diverged: boolean;
}

export interface EpochResult {
  /** 1-based number of the epoch just finished. */
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  /** Training time of the epoch in seconds, evaluation excluded. */
  seconds: number;
}

/** Everything needed to continue a run exactly where it was; plain data and typed arrays (structured-cloneable). */
export interface TrainerCheckpoint {
  version: 1;
  spec: NetworkSpec;
  config: TrainingConfig;
  /** fc1.weight, fc1.bias, … in namedParams() order; values copied at the network's precision. */
  params: { name: string; shape: [number, number]; data: FloatArray }[];
  /** bn1.running_mean, … in namedBuffers() order (absent in checkpoints of networks without any). */
  buffers?: { name: string; data: FloatArray }[];
  /** The network's Dropout stream (absent: taken before Dropout existed; the stream restarts). */
  networkRng?: RngState;
  optimizer: OptimizerState;
  rng: RngState;
  /** Epochs completed. */
  epoch: number;
  iteration: number;
  /** Samples of the current epoch already trained on (the next batch starts at order[position]). */
  position: number;
  batchInEpoch: number;
  /** This epoch's sample order, or null between epochs. */
  order: Int32Array | null;
  awaitingFinish: boolean;
  diverged: boolean;
  epochSeconds: number;
  trainCount: number;
}

export interface RunCallbacks {
  onStep?(step: StepResult): void;
  onEpoch?(epoch: EpochResult): void;
}

export interface RunResult {
  reason: 'finished' | 'diverged';
  epochs: EpochResult[];
  iterations: number;
  /** Loss of the last batch trained (NaN if none). */
  lastLoss: number;
}

/** The shuffle draws from its own stream, so the weight initializer's stream (same seed) stays independent. */
const SHUFFLE_STREAM = 0x5eed5eed;

/** The seed of a run's shuffle stream (exported for bench/torch-replay, which replays a run's batch order). */
export function shuffleStreamSeed(seed: number): number {
  return (seed ^ SHUFFLE_STREAM) >>> 0;
}

/**
 * Mini-batch training, one step at a time so a host can interleave it with
 * pause and stop messages. Every epoch visits each training sample once in an
 * order shuffled by the seeded Rng; batches are gathered from the data set's
 * compact storage (bytes for images) into one reused matrix.
 *
 * Same network weights, data, config and seed: the same run, bit for bit; and
 * checkpoint()/restore() resume a run exactly where it was.
 */
export class Trainer {
  readonly network: Network;
  readonly train: Dataset;
  readonly test: Dataset | undefined;
  readonly config: TrainingConfig;
  readonly optimizer: Optimizer;
  readonly iterationsPerEpoch: number;

  private readonly rng: Rng;
  private readonly ops: ScopedOps;
  private readonly batchX: RowBuffers;
  private readonly batchLabels = new IndexBuffers();

  private epochsDone = 0;
  private iterations = 0;
  private position = 0;
  private batchIndex = 0;
  private order: Int32Array | null = null;
  private awaitingFinish = false;
  private hasDiverged = false;
  private epochSeconds = 0;
  private lastLoss = Number.NaN;

  constructor(opts: TrainerOptions) {
    const parsed = trainingConfigSchema.safeParse(opts.config);
    if (!parsed.success) throw new StudioError('BAD_SPEC', describeZodError(parsed.error, 'training config'));
    this.config = parsed.data;
    this.network = opts.network;
    this.train = opts.train;
    this.test = opts.test;
    checkDataset(this.network, this.train, 'training set', true);
    if (this.test) checkDataset(this.network, this.test, 'test set', true);
    // The trainer's own memory (optimizer state, the batch) in a scope of its own: a new trainer
    // for the same network (new data, new settings) gives the old one's back with dispose().
    this.ops = scopedOps(this.network.ops);
    this.optimizer = createOptimizer(this.config, this.ops);
    this.rng = new Rng(shuffleStreamSeed(this.config.seed));
    this.iterationsPerEpoch = Math.ceil(this.train.count / this.config.batchSize);
    this.batchX = new RowBuffers(this.ops, this.network.inputSize);
  }

  /** Give the optimizer state and batch memory back to the backend; the network stays. Do not use the trainer afterwards. */
  dispose(): void {
    this.ops.releaseAll();
  }

  /** Epochs completed (finishEpoch called). */
  get epoch(): number {
    return this.epochsDone;
  }
  /** Batches trained since the start. */
  get iteration(): number {
    return this.iterations;
  }
  get diverged(): boolean {
    return this.hasDiverged;
  }
  get isFinished(): boolean {
    return this.hasDiverged || this.epochsDone >= this.config.epochs;
  }
  /** True after the last batch of an epoch until finishEpoch() is called. */
  get epochPending(): boolean {
    return this.awaitingFinish;
  }

  /** Train on one mini-batch: forward, backward, update. */
  step(): StepResult {
    if (this.hasDiverged) throw new StudioError('NOT_READY', 'the run diverged (loss was NaN or infinite); build a new network to train again');
    if (this.awaitingFinish) {
      throw new StudioError('NOT_READY', `epoch ${this.epochsDone + 1} has ended: call finishEpoch() before the next step`);
    }
    if (this.isFinished) throw new StudioError('NOT_READY', `training is finished (${this.config.epochs} epochs)`);

    const start = performance.now();
    const ds = this.train;
    if (this.position === 0) {
      this.order = this.config.shuffle === false ? Int32Array.from({ length: ds.count }, (_, i) => i) : this.rng.permutation(ds.count);
    }
    const order = this.order!;
    const end = Math.min(this.position + this.config.batchSize, ds.count);
    const indices = order.subarray(this.position, end);
    const rows = end - this.position;

    const x = this.batchX.get(rows);
    this.network.ops.gatherRows(ds.x, ds.features, indices, ds.scale, x);
    const labels = this.batchLabels.get(rows);
    for (let r = 0; r < rows; r++) labels[r] = ds.labels[indices[r]!]!;

    const loss = this.network.gradient(x, labels, this.config.weightDecay ?? 0);
    const diverged = !Number.isFinite(loss);
    if (diverged) this.hasDiverged = true;
    else this.optimizer.step(this.network.params());

    this.iterations++;
    this.batchIndex++;
    this.position = end;
    this.lastLoss = loss;
    const epochEnded = !diverged && end === ds.count;
    if (epochEnded) this.awaitingFinish = true;
    this.epochSeconds += (performance.now() - start) / 1000;
    return {
      iteration: this.iterations,
      epoch: this.epochsDone + 1,
      batchInEpoch: this.batchIndex,
      loss,
      samples: rows,
      epochEnded,
      diverged,
    };
  }

  /** Close the epoch that just ended: loss and accuracy on the training set and the test set. */
  finishEpoch(): EpochResult {
    if (!this.awaitingFinish) {
      throw new StudioError('NOT_READY', `finishEpoch() called in the middle of epoch ${this.epochsDone + 1} (batch ${this.batchIndex} of ${this.iterationsPerEpoch})`);
    }
    const seconds = this.epochSeconds;
    const train = this.evaluate(this.train);
    const test = this.test ? this.evaluate(this.test) : undefined;
    this.epochsDone++;
    this.awaitingFinish = false;
    this.position = 0;
    this.batchIndex = 0;
    this.order = null;
    this.epochSeconds = 0;
    // Weights that overflow on the whole set are as diverged as a NaN batch loss.
    if (!Number.isFinite(train.loss) || (test && !Number.isFinite(test.loss))) this.hasDiverged = true;
    const result: EpochResult = { epoch: this.epochsDone, trainLoss: train.loss, trainAccuracy: train.accuracy, seconds };
    if (test) {
      result.testLoss = test.loss;
      result.testAccuracy = test.accuracy;
    }
    return result;
  }

  /**
   * The trainer's batch matrices, for other evaluations of this network to share: their
   * memory is already in use, where a fresh scratch of a chunk's size (31 MB for 10,000
   * MNIST rows) faults every page in on its first use.
   */
  get batchBuffers(): RowBuffers {
    return this.batchX;
  }

  /** Mean loss and accuracy over a whole data set, in chunks, without touching the weights. */
  evaluate(ds: Dataset): Evaluation {
    return evaluateDataset(this.network, ds, this.batchX);
  }

  /** counts[true * classes + predicted], classes = the network's outputs. */
  confusionMatrix(ds: Dataset): Int32Array {
    return confusionMatrix(this.network, ds, this.batchX);
  }

  /** count x outputs, row-major: softmax probabilities (or raw outputs for mse) of every sample. */
  predictDataset(ds: Dataset): Float32Array {
    return predictDataset(this.network, ds, this.batchX);
  }

  checkpoint(): TrainerCheckpoint {
    return {
      version: 1,
      spec: structuredClone(this.network.spec),
      config: { ...this.config },
      params: this.network.namedParams().map(({ layer, name, param }) => ({
        name: `${layer}.${name}`,
        shape: [param.value.rows, param.value.cols],
        data: param.value.data.slice(),
      })),
      buffers: this.network.namedBuffers().map(({ layer, buffer }) => ({ name: `${layer}.${buffer.name}`, data: buffer.data.slice() })),
      networkRng: this.network.getRngState(),
      optimizer: this.optimizer.getState(),
      rng: this.rng.getState(),
      epoch: this.epochsDone,
      iteration: this.iterations,
      position: this.position,
      batchInEpoch: this.batchIndex,
      order: this.order ? this.order.slice() : null,
      awaitingFinish: this.awaitingFinish,
      diverged: this.hasDiverged,
      epochSeconds: this.epochSeconds,
      trainCount: this.train.count,
    };
  }

  /** Put a checkpoint back (into this trainer or a fresh one over a network of the same spec and the same training set). */
  restore(cp: TrainerCheckpoint): void {
    if (cp.version !== 1) throw new StudioError('SHAPE_MISMATCH', `checkpoint version ${String(cp.version)} is not supported`);
    const mine = this.network.namedParams();
    const same =
      cp.params.length === mine.length &&
      mine.every((p, i) => {
        const c = cp.params[i]!;
        return c.name === `${p.layer}.${p.name}` && c.shape[0] === p.param.value.rows && c.shape[1] === p.param.value.cols && c.data.length === p.param.value.size;
      });
    if (!same) {
      const list = (xs: { name: string; shape: readonly number[] }[]): string => xs.map((x) => `${x.name}[${x.shape.join('x')}]`).join(', ');
      throw new StudioError(
        'SHAPE_MISMATCH',
        `checkpoint holds ${list(cp.params)}, the network has ${list(mine.map((p) => ({ name: `${p.layer}.${p.name}`, shape: [p.param.value.rows, p.param.value.cols] })))}`,
      );
    }
    if (cp.trainCount !== this.train.count) {
      throw new StudioError('SHAPE_MISMATCH', `checkpoint was taken on a training set of ${cp.trainCount} samples, this one has ${this.train.count}`);
    }
    if (cp.order && cp.order.length !== this.train.count) {
      throw new StudioError('SHAPE_MISMATCH', `checkpoint: sample order has ${cp.order.length} entries for ${this.train.count} samples`);
    }
    if (!Number.isInteger(cp.position) || cp.position < 0 || cp.position > this.train.count || (cp.position > 0 && !cp.order)) {
      throw new StudioError('SHAPE_MISMATCH', `checkpoint: position ${cp.position} in the epoch is not valid`);
    }
    const buffers = this.network.namedBuffers();
    const saved = cp.buffers ?? [];
    const buffersMatch =
      saved.length === buffers.length &&
      buffers.every((b, i) => saved[i]!.name === `${b.layer}.${b.buffer.name}` && saved[i]!.data.length === b.buffer.data.length);
    if (!buffersMatch) {
      throw new StudioError(
        'SHAPE_MISMATCH',
        `checkpoint holds buffers ${saved.map((b) => b.name).join(', ') || 'none'}, the network has ${buffers.map((b) => `${b.layer}.${b.buffer.name}`).join(', ') || 'none'}`,
      );
    }
    this.optimizer.setState(cp.optimizer);
    mine.forEach((p, i) => p.param.value.data.set(cp.params[i]!.data));
    buffers.forEach((b, i) => b.buffer.data.set(saved[i]!.data));
    if (cp.networkRng) this.network.setRngState(cp.networkRng);
    this.rng.setState(cp.rng);
    this.epochsDone = cp.epoch;
    this.iterations = cp.iteration;
    this.position = cp.position;
    this.batchIndex = cp.batchInEpoch;
    this.order = cp.order ? cp.order.slice() : null;
    this.awaitingFinish = cp.awaitingFinish;
    this.hasDiverged = cp.diverged;
    this.epochSeconds = cp.epochSeconds;
  }

  /** Train until the configured epochs are done or the loss diverges (the CLI's loop). */
  run(callbacks: RunCallbacks = {}): RunResult {
    const epochs: EpochResult[] = [];
    const closeEpoch = (): void => {
      const e = this.finishEpoch();
      epochs.push(e);
      callbacks.onEpoch?.(e);
    };
    if (this.awaitingFinish) closeEpoch();
    while (!this.isFinished) {
      const s = this.step();
      callbacks.onStep?.(s);
      if (s.epochEnded) closeEpoch();
    }
    return { reason: this.hasDiverged ? 'diverged' : 'finished', epochs, iterations: this.iterations, lastLoss: this.lastLoss };
  }
}
