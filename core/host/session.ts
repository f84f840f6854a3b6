import { StudioError } from '../errors.js';
import type { Ops } from '../ops/types.js';
import { disposeOnThrow } from '../disposable.js';
import { buildNetwork, type Network } from '../network.js';
import { Trainer } from '../trainer.js';
import { layerStats } from '../stats.js';
import { LIMITS, type NetworkSpec, type Normalization, type TrainingConfig } from '../spec.js';
import { planLayers } from '../layers/registry.js';
import { shapeSize } from '../layers/shape.js';
import type { Dataset } from '../data/dataset.js';
import type { Bytes, CommandId, CommandOf, EventOf } from '../protocol/messages.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.js';
import { evaluateWithConfusion } from './evaluate.js';
import { dataLoadedEvent, readBuiltinData, readFileData, type RawData } from './data-load.js';
import { exportModelBytes, importModelBytes } from './model-io.js';
import type { ProbeView } from './probes.js';
import { splitTraining } from '../training-split.js';
import { planData, type DataPlan, type OpenedModelData, type TrainedWith } from './data-plan.js';
import { sameList } from '../data/prepare.js';
import { decisionGrid, gradcheckEvent, inspectAffineLayer, samplesPage } from './looking-inside.js';
import type { Param } from '../layers/types.js';

/** Without a test set, the per-epoch confusion matrix is taken on the training set up to this size. */
const TRAIN_CONFUSION_MAX = 10_000;

/** The data as the page shows it (the reply to a load, or sent when an opened model lines it up). */
type DataEvent = Omit<EventOf<'dataLoaded'>, 'id'>;

/**
 * The state of one studio session: the network, the data and the trainer that
 * joins them. The host decides when things happen (commands, slices); the
 * session does them and returns the events to send. It knows nothing of ports.
 *
 * Where standardization statistics come from:
 *  - a model file that carries them wins (its weights were trained on them);
 *  - else the loaded data's own training set, when its options ask for it;
 *  - else none.
 * The raw (unstandardized) sets are kept so either can be applied at any time.
 */
export class Session {
  private spec: NetworkSpec | null = null;
  private training: TrainingConfig | null = null;
  private network: Network | null = null;
  /** The data file as read. */
  private asRead: RawData | null = null;
  /** The data as used: asRead lined up with the opened model's columns and classes (data-plan.ts). */
  private raw: RawData | null = null;
  private train: Dataset | null = null;
  private test: Dataset | null = null;
  private normalization: Normalization | null = null;
  /**
   * What an opened model says about its data: statistics, classes, column names. Data is
   * read its way while its network stays (stillReadAsModel: what is left after a new one).
   */
  private openedModel: OpenedModelData | null = null;
  private trainer: Trainer | null = null;
  /** Each Convolution's weights as the current network was built or opened (probes.ts ProbeView.startWeights). */
  private startWeights: ReadonlyMap<string, Float32Array> = new Map();
  /** Set by the first batch trained on the current weights: data loaded later is standardized the same way. */
  private trainedWith: TrainedWith | null = null;
  /**
   * The part of the training set the trainer trains on and the validation set held
   * out of it (training.validationSplit, trainLimit), drawn when the trainer is made.
   */
  private fitSet: Dataset | null = null;
  private validation: Dataset | null = null;
  /** Samples trained in the current epoch (the trainer keeps this to itself). */
  private samplesIntoEpoch = 0;
  /** Samples trained since the session began: speeds are differences of it. */
  private samplesSeen = 0;
  /** The test loss of the current trainer's network became NaN or infinite (the trainer only watches its own set). */
  private testDiverged = false;
  private predictions: { trainer: Trainer; iteration: number; probs: Float32Array } | null = null;

  constructor(readonly ops: Ops) {}

  // -------------------------------------------------------------------------
  // State queries (what the host needs between batches)
  // -------------------------------------------------------------------------

  hasNetwork(): boolean {
    return this.network !== null;
  }
  hasData(): boolean {
    return this.raw !== null;
  }
  epoch(): number {
    return this.trainer?.epoch ?? 0;
  }
  iteration(): number {
    return this.trainer?.iteration ?? 0;
  }
  /** Share of the current epoch already trained, 0..1. */
  epochFraction(): number {
    const n = this.trainCount();
    return n > 0 ? this.samplesIntoEpoch / n : 0;
  }
  /** Samples in one epoch (the training set less any validation split). */
  trainCount(): number {
    return (this.trainer ? this.fitSet : this.train)?.count ?? 0;
  }
  /** A validation set is held out (after the first batch or start made the trainer). */
  hasValidation(): boolean {
    return this.validation !== null;
  }
  hasTestSet(): boolean {
    return this.test !== null;
  }
  /** The network's parameters, for early stopping to copy and put back. */
  weights(): readonly Param[] {
    return this.needNetwork('read the weights').network.params();
  }
  samplesTrained(): number {
    return this.samplesSeen;
  }
  trainingConfig(): TrainingConfig | null {
    return this.training;
  }
  trainingEpochs(): number {
    return this.training?.epochs ?? 0;
  }

  // -------------------------------------------------------------------------
  // Network and data
  // -------------------------------------------------------------------------

  /*
   * Commands that replace the network or the data come in two steps: `prepare…`
   * does everything that can fail (parse, build, check) and changes nothing; the
   * function it returns puts the result in place and cannot fail. The host stops a
   * running run between the two, so a corrupt file opened mid-run is refused
   * without ending the run.
   */

  prepareConfigure(spec: NetworkSpec, training: TrainingConfig): () => { configured: Omit<EventOf<'configured'>, 'id'>; data: DataEvent | null } {
    const network = buildNetwork(spec, { ops: this.ops, init: training.init, seed: training.seed });
    const leavesModel = this.openedModel !== null;
    const readAs = this.stillReadAsModel(network);
    const data = disposeOnThrow(network, () => ((leavesModel || this.trainedWith) && this.asRead ? planData(this.asRead, readAs, null) : null));
    return () => {
      this.spec = network.spec;
      this.training = training;
      this.replaceNetwork(network);
      this.trainedWith = null;
      this.openedModel = readAs;
      const event = data ? this.commitData(data) : null;
      return { configured: this.configuredEvent(), data: event };
    };
  }

  /**
   * What of the opened model still applies to data once `network` replaces its network.
   * Its statistics go (fresh weights learn from the data's own). Its classes and columns
   * stay while the network has as many outputs and inputs: a wider hidden layer still
   * sorts the same three species, and the data keeps showing all three. A network with
   * another output count is the user's own problem: the data's own classes come back.
   */
  private stillReadAsModel(network: Network): OpenedModelData | null {
    const m = this.openedModel;
    if (!m || network.outputSize !== m.classNames.length || (m.featureNames && m.featureNames.length !== network.inputSize)) return null;
    return { ...m, normalization: null };
  }

  prepareLoadFile(cmd: CommandOf<'loadData'>): () => Omit<EventOf<'dataLoaded'>, 'id'> {
    return this.prepareLoad(readFileData(cmd));
  }

  prepareLoadBuiltin(cmd: CommandOf<'loadBuiltin'>): () => Omit<EventOf<'dataLoaded'>, 'id'> {
    return this.prepareLoad(readBuiltinData(cmd));
  }

  private prepareLoad(asRead: RawData): () => DataEvent {
    const plan = planData(asRead, this.openedModel, this.trainedWith);
    const event = dataEvent(plan);
    return () => {
      this.asRead = asRead;
      this.putData(plan);
      return event;
    };
  }

  /**
   * The same data read anew (a model opened, its network replaced, the weights reset):
   * put in place, and returned as the page should now show it when that changed (lined
   * up with the model, back to the file's own, standardized or no longer); null when
   * it looks the same.
   */
  private commitData(plan: DataPlan): DataEvent | null {
    return this.putData(plan) ? dataEvent(plan) : null;
  }

  /** Put a plan's data in place; true when its classes, columns or standardization differ from before. */
  private putData(plan: DataPlan): boolean {
    const before = this.raw;
    const changed =
      !before ||
      !sameList(plan.raw.train.classNames, before.train.classNames) ||
      !sameList(plan.raw.featureNames ?? [], before.featureNames ?? []) ||
      (plan.normalization === null) !== (this.normalization === null);
    this.raw = plan.raw;
    this.train = plan.train;
    this.test = plan.test;
    this.normalization = plan.normalization;
    this.dropTrainer();
    return changed;
  }

  /** Layer-by-layer output sizes and parameter counts of the current network. */
  private configuredEvent(): Omit<EventOf<'configured'>, 'id'> {
    const spec = this.spec!;
    const layers = planLayers(spec).map((p) => ({
      name: p.name, kind: p.spec.kind, inputSize: shapeSize(p.input), outputSize: shapeSize(p.output), params: p.params,
    }));
    return { type: 'configured', spec: structuredClone(spec), training: { ...this.training! }, layers, totalParams: this.network!.parameterCount };
  }

  /** Fresh weights; returns the data as the page should now show it when that changed (commitData). */
  resetWeights(seed?: number): DataEvent | null {
    const { spec, training } = this.needNetwork('reset the weights');
    if (seed !== undefined) this.training = { ...training, seed };
    this.replaceNetwork(buildNetwork(spec, { ops: this.ops, init: this.training!.init, seed: this.training!.seed }));
    if (!this.trainedWith) return null;
    // Fresh weights belong to no statistics yet: the data's own apply again.
    this.trainedWith = null;
    return this.asRead ? this.commitData(planData(this.asRead, this.openedModel)) : null;
  }

  // -------------------------------------------------------------------------
  // Training
  // -------------------------------------------------------------------------

  /** Throws a clear NOT_READY or SHAPE_MISMATCH when training cannot happen now. */
  assertTrainable(what: string): void {
    const t = this.ensureTrainer(what);
    if (t.diverged || this.testDiverged) {
      throw new StudioError('NOT_READY', `cannot ${what}: the run diverged (the loss became NaN or infinite); reset the weights or lower the learning rate`);
    }
  }

  trainBatch(): { loss: number; epochEnded: boolean } {
    const r = this.ensureTrainer('train').step();
    this.trainedWith ??= { normalization: this.normalization };
    if (!r.diverged) {
      this.samplesIntoEpoch += r.samples;
      this.samplesSeen += r.samples;
    }
    return { loss: r.loss, epochEnded: r.epochEnded };
  }

  /** New training settings for the same weights, counters and place in the epoch. */
  setTraining(training: TrainingConfig): Omit<EventOf<'trainingChanged'>, 'id'> {
    const { network } = this.needNetwork('change the training settings');
    const old = this.trainer;
    this.training = training;
    if (!old) return { type: 'trainingChanged', training: { ...training }, optimizerStateKept: true };
    const cp = old.checkpoint();
    const fresh = this.makeTrainer(network);
    const kept = cp.optimizer.kind === training.optimizer;
    disposeOnThrow(fresh, () =>
      fresh.restore({
        ...cp,
        // The optimizer's state only means something to the same kind of optimizer.
        optimizer: kept ? cp.optimizer : fresh.optimizer.getState(),
        // Batches of the new size from where the epoch stands (the order and position are kept).
        batchInEpoch: Math.ceil(cp.position / training.batchSize),
      }),
    );
    old.dispose();
    this.trainer = fresh;
    return { type: 'trainingChanged', training: { ...training }, optimizerStateKept: kept };
  }

  finishEpoch(): { epoch: EventOf<'epoch'>; confusion: EventOf<'confusion'> | null; checkpoint: EventOf<'checkpoint'> } {
    const t = this.ensureTrainer('finish the epoch');
    const e = t.finishEpoch(); // the training set's loss and accuracy
    this.samplesIntoEpoch = 0;
    const test = this.test && !t.diverged ? evaluateWithConfusion(this.network!, this.test, 'test set', t.batchBuffers) : null;
    if (test && !Number.isFinite(test.loss)) this.testDiverged = true;
    const validation = this.validation && !t.diverged ? t.evaluate(this.validation) : null;
    const epoch: EventOf<'epoch'> = {
      type: 'epoch',
      epoch: e.epoch,
      iteration: t.iteration,
      trainLoss: e.trainLoss,
      trainAccuracy: e.trainAccuracy,
      testLoss: test ? test.loss : null,
      testAccuracy: test ? test.accuracy : null,
      ...(validation ? { validationLoss: validation.loss, validationAccuracy: validation.accuracy } : {}),
      seconds: e.seconds,
    };
    const checkpoint: EventOf<'checkpoint'> = {
      type: 'checkpoint',
      epoch: t.epoch,
      iteration: t.iteration,
      endEpoch: null, // the host knows the run
      bytes: encodeCheckpoint(t.checkpoint()),
    };
    let confusion: EventOf<'confusion'> | null = null;
    if (test?.confusion) confusion = this.confusionEvent('test', test.confusion);
    else if (!this.test && !t.diverged && this.train!.count <= TRAIN_CONFUSION_MAX) {
      // No test set: the training set's confusion, while it is cheap (else on `evaluate`).
      const c = evaluateWithConfusion(this.network!, this.train!, 'training set', t.batchBuffers).confusion;
      if (c) confusion = this.confusionEvent('train', c);
    }
    return { epoch, confusion, checkpoint };
  }

  private confusionEvent(set: 'test' | 'train', counts: Int32Array): EventOf<'confusion'> {
    return { type: 'confusion', set, classNames: this.classNamesFor(this.network!.outputSize), counts };
  }

  /** The trainer for the current network and data, made on first use. */
  private ensureTrainer(what: string): Trainer {
    if (this.trainer) return this.trainer;
    const { network } = this.needNetwork(what);
    if (!this.train) throw new StudioError('NOT_READY', `cannot ${what}: no data loaded yet`);
    this.testDiverged = false;
    this.samplesIntoEpoch = 0;
    const split = splitTraining(this.train, this.training!);
    this.fitSet = split.train;
    this.validation = split.validation;
    this.trainer = this.makeTrainer(network);
    return this.trainer;
  }

  /** Put `network` in place of the current one; the old one's backend memory goes back (Network.dispose). */
  private replaceNetwork(network: Network): void {
    const old = this.network;
    this.dropTrainer();
    this.network = network;
    if (old && old !== network) old.dispose();
    const convs = new Set(network.layers.filter((l) => l.kind === 'conv').map((l) => l.name));
    this.startWeights = new Map(network.namedParams().filter((p) => p.name === 'weight' && convs.has(p.layer)).map((p) => [p.layer, Float32Array.from(p.param.value.data)]));
  }

  /** Forget the trainer (the next use makes a new one) and give its memory back. */
  private dropTrainer(): void {
    this.trainer?.dispose();
    this.trainer = null;
  }

  private makeTrainer(network: Network): Trainer {
    return new Trainer({
      network,
      train: this.fitSet ?? this.train!,
      // No test set here: the session evaluates it itself, in the same pass as its confusion matrix.
      // The host decides where a run ends (start trains `epochs` more each time), so the
      // trainer itself is never "finished".
      config: { ...this.training!, epochs: LIMITS.maxEpochs },
    });
  }

  private needNetwork(what: string): { network: Network; spec: NetworkSpec; training: TrainingConfig } {
    if (!this.network || !this.spec || !this.training) {
      throw new StudioError('NOT_READY', `cannot ${what}: no network configured yet`);
    }
    return { network: this.network, spec: this.spec, training: this.training };
  }

  prepareRestoreCheckpoint(bytes: Bytes): () => void {
    const cp = decodeCheckpoint(bytes);
    this.needNetwork('restore a checkpoint');
    if (!this.train) throw new StudioError('NOT_READY', 'cannot restore a checkpoint: no data loaded yet');
    if (JSON.stringify(cp.spec) !== JSON.stringify(this.spec)) {
      throw new StudioError('SHAPE_MISMATCH', 'the checkpoint was taken from a different network; configure that network first');
    }
    if (cp.optimizer.kind !== this.training!.optimizer) {
      throw new StudioError('SHAPE_MISMATCH', `the checkpoint was taken with the ${cp.optimizer.kind} optimizer, the session uses ${this.training!.optimizer}`);
    }
    const trainer = this.ensureTrainer('restore a checkpoint');
    if (cp.trainCount !== trainer.train.count) {
      throw new StudioError('SHAPE_MISMATCH', `the checkpoint was taken on a training set of ${cp.trainCount} samples, this one has ${trainer.train.count}`);
    }
    return () => {
      // The trainer checks the rest (shapes, order, position) before it changes anything.
      trainer.restore(cp);
      this.samplesIntoEpoch = cp.position;
      this.trainedWith ??= { normalization: this.normalization };
    };
  }

  /** The weights, optimizer state and counters now (after early stopping put the best weights back). */
  checkpointNow(endEpoch: number | null): EventOf<'checkpoint'> {
    const t = this.ensureTrainer('take a checkpoint');
    return { type: 'checkpoint', epoch: t.epoch, iteration: t.iteration, endEpoch, bytes: encodeCheckpoint(t.checkpoint()) };
  }

  layerStats(): EventOf<'layerStats'> {
    const { network } = this.needNetwork('compute statistics');
    return { type: 'layerStats', iteration: this.iteration(), layers: layerStats(network) };
  }

  // -------------------------------------------------------------------------
  // Looking inside
  // -------------------------------------------------------------------------

  inspect(id: CommandId, layer: string | number): EventOf<'inspectResult'> {
    const { network } = this.needNetwork('inspect a layer');
    return inspectAffineLayer(network, id, layer, this.iteration());
  }

  gradcheck(id: CommandId, samples: number): EventOf<'gradcheckResult'> {
    const { network, training } = this.needNetwork('run the gradient check');
    return gradcheckEvent(network, training, this.train, id, samples);
  }

  evaluate(): { evaluation: Omit<EventOf<'evaluation'>, 'id'>; confusion: EventOf<'confusion'> | null } {
    const { batchBuffers } = this.ensureTrainer('evaluate');
    const network = this.network!;
    const train = evaluateWithConfusion(network, this.train!, 'training set', batchBuffers);
    const test = this.test ? evaluateWithConfusion(network, this.test, 'test set', batchBuffers) : null;
    const counts = test ? test.confusion : train.confusion;
    return {
      evaluation: {
        type: 'evaluation',
        trainLoss: train.loss,
        trainAccuracy: train.accuracy,
        testLoss: test ? test.loss : null,
        testAccuracy: test ? test.accuracy : null,
      },
      confusion: counts ? this.confusionEvent(test ? 'test' : 'train', counts) : null,
    };
  }

  /** Decision regions: the predicted class at the centre of every cell, bounds in the data's own units. */
  predictGrid(bounds: { xMin: number; xMax: number; yMin: number; yMax: number }, cols: number, rows: number): Omit<EventOf<'gridResult'>, 'id'> {
    const { network } = this.needNetwork('predict decision regions');
    return decisionGrid(this.ops, network, this.normalization, bounds, cols, rows);
  }

  /** A page of test samples (all, or the misclassified ones) with the network's predictions. */
  samples(which: 'misclassified' | 'all', offset: number, limit: number, pair?: { label: number; predicted: number }): Omit<EventOf<'samplesResult'>, 'id'> {
    const t = this.ensureTrainer('browse samples');
    const set = this.test ? 'test' : 'train';
    const ds = this.test ?? this.train!;
    const raw = this.raw!;
    const rawDs = set === 'test' ? raw.test! : raw.train;
    const outputs = this.network!.outputSize;
    if (!this.predictions || this.predictions.trainer !== t || this.predictions.iteration !== t.iteration) {
      this.predictions = { trainer: t, iteration: t.iteration, probs: t.predictDataset(ds) };
    }
    return samplesPage({ ds, rawDs, set, probs: this.predictions.probs, outputs }, which, offset, limit, pair);
  }

  // -------------------------------------------------------------------------
  // Model files
  // -------------------------------------------------------------------------

  exportModel(): ArrayBuffer {
    const { network, training } = this.needNetwork('save a model');
    return exportModelBytes({
      network,
      training,
      normalization: this.normalization,
      classNames: this.classNamesFor(network.outputSize),
      // Column names let the CLI and a reopened model line up a file whose columns come in another order.
      featureNames: this.raw?.featureNames?.length === network.inputSize ? this.raw.featureNames : null,
    });
  }

  prepareImportModel(
    name: string,
    bytes: Bytes,
  ): () => { configured: Omit<EventOf<'configured'>, 'id'>; data: DataEvent | null; imported: Omit<EventOf<'modelImported'>, 'id'> } {
    const model = importModelBytes(name, bytes, this.ops);
    const opened: OpenedModelData = { normalization: model.normalization, classNames: model.classNames, featureNames: model.featureNames };
    const data = disposeOnThrow(model.network, () => (this.asRead ? planData(this.asRead, opened) : null));
    return () => {
      this.spec = model.network.spec;
      this.training = model.training;
      this.replaceNetwork(model.network);
      this.openedModel = opened;
      this.trainedWith = null;
      const event = data ? this.commitData(data) : null;
      return {
        configured: this.configuredEvent(),
        data: event,
        imported: {
          type: 'modelImported',
          name,
          spec: structuredClone(model.network.spec),
          training: { ...model.training },
          normalization: model.normalization ? { mean: model.normalization.mean.slice(), std: model.normalization.std.slice() } : null,
          classNames: [...model.classNames],
        },
      };
    };
  }

  /** What the probes (trace, predict, a file's evaluation) read; they change none of it. */
  probeView(): ProbeView {
    return {
      network: this.network,
      train: this.train,
      test: this.test,
      raw: this.raw,
      normalization: this.normalization,
      classNames: this.network ? this.classNamesFor(this.network.outputSize) : [],
      iteration: this.iteration(),
      startWeights: this.startWeights,
    };
  }

  /** Class names for `n` outputs: the data's, else the opened model's, else "0".."n-1". */
  private classNamesFor(n: number): string[] {
    const names = this.raw?.train.classNames ?? this.openedModel?.classNames ?? [];
    return Array.from({ length: n }, (_, i) => names[i] ?? String(i));
  }
}

/** A plan's data as the page shows it. */
function dataEvent(plan: DataPlan): DataEvent {
  return dataLoadedEvent(plan.raw, plan.normalization !== null, plan.notes);
}
