import type { EventOf, RunState, Synthetic2DKind } from '../../../core/protocol/messages.js';
import { trainingConfigSchema, type LayerSpec, type NetworkSpec, type TrainingConfig } from '../../../core/spec.js';
import { baseName, fileRole, planDataLoad, type DataRequest, type PickedFile } from './data-files.js';
import { EngineError } from './engine-client.js';
import { EngineLink, type EngineHealth } from './engine-link.js';
import { formatPercent } from './format.js';
import { loadMnist } from './mnist.js';
import { analyzeNetwork, moveLayer, type DataShape } from './network.js';
import type { OpenedFile, Platform } from './platform.js';
import { PRESETS, presetById, suggestedPreset, type Preset } from './presets.js';

/**
 * The studio's state and everything a user can do, in one place. Components read
 * fields (Svelte 5 runes make them reactive) and call methods; only this class
 * talks to the engine. The engine is the truth for what it holds (network,
 * weights, data, run state); the editor fields here are what the user is
 * composing, applied to the engine when valid.
 */

export type NoticeLevel = 'error' | 'warning' | 'info' | 'success';

export interface Notice {
  id: number;
  level: NoticeLevel;
  title: string;
  message?: string;
  action?: { label: string; run: () => void };
}

export interface ConfirmRequest {
  title: string;
  message: string;
  confirm: string;
  /** A third choice, e.g. "Save" before discarding. */
  extra?: string;
  cancel: string;
  resolve: (choice: 'confirm' | 'extra' | 'cancel') => void;
}

export interface PromptRequest {
  title: string;
  message: string;
  value: string;
  confirm: string;
  resolve: (value: string | null) => void;
}

export interface SyntheticParams {
  kind: Synthetic2DKind;
  count: number;
  noise: number;
  seed: number;
  classes: number;
}

export type DataSource =
  | { kind: 'synthetic'; params: SyntheticParams }
  | { kind: 'mnist' }
  | { kind: 'file'; request: DataRequest };

export interface DataSettings {
  /** Table label column: header name or 0-based index; undefined = the engine's default (last). */
  labelColumn: string | number | undefined;
  standardize: boolean;
  testSplit: number;
  splitSeed: number;
}

export type DataLoaded = EventOf<'dataLoaded'>;
export type Configured = EventOf<'configured'>;
export type LayerStatsSnapshot = Pick<EventOf<'layerStats'>, 'iteration' | 'layers'>;

/** Loss per iteration as sampled by the engine's throttled progress events. */
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

const SYNTHETIC_LABEL: Record<Synthetic2DKind, string> = {
  spiral: 'Spiral',
  circles: 'Circles',
  xor: 'XOR',
  gaussians: 'Two gaussians',
};

export function syntheticLabel(kind: Synthetic2DKind): string {
  return SYNTHETIC_LABEL[kind];
}

/** The set the studio opens with: three spiral arms, learnable in a few seconds by the small 2-D net. */
export const DEFAULT_SYNTHETIC: SyntheticParams = { kind: 'spiral', count: 600, noise: 0.15, seed: 1, classes: 3 };

const DEFAULT_PRESET = presetById('small-2d');

function defaultTraining(): TrainingConfig {
  return trainingConfigSchema.parse({ ...DEFAULT_PRESET.training, epochs: 60 });
}

/** JSON with object keys sorted, so two equal specs compare equal whatever order their keys came in. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

/** "diverged: the loss became NaN at iteration 4" -> "The loss became NaN at iteration 4." (the title already says what). */
function sentence(message: string): string {
  const m = message.replace(/^(diverged|stopped|finished):\s*/, '');
  return `${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Layers equal to a preset's (for some output size): the user has not customised them. */
function matchingPreset(layers: readonly LayerSpec[]): Preset | undefined {
  const last = layers[layers.length - 1];
  const classes = last && last.kind === 'affine' ? last.units : 0;
  return PRESETS.find((p) => sameJson(p.layers(classes), layers));
}

/** "spiral-2-16-16-3.safetensors": data name and widths. */
function suggestModelName(dataName: string | undefined, spec: NetworkSpec): string {
  const stem = (dataName ?? 'model')
    .replace(/\.(gz)$/i, '')
    .replace(/\.[a-z0-9]+$/i, '')
    .replace(/[^\w-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 40);
  const widths = [spec.inputSize, ...spec.layers.flatMap((l) => (l.kind === 'affine' ? [l.units] : []))].join('-');
  return `${stem || 'model'}-${widths}.safetensors`;
}

let noticeId = 0;

/**
 * Norm history kept for the inspector's charts: beyond this many snapshots the
 * older half is thinned to every other one (a log-scale trend needs no more), so
 * an hours-long run neither grows memory nor slows the charts.
 */
const MAX_STATS = 4000;

function thinOlderHalf<T>(items: T[]): void {
  const half = Math.floor(items.length / 2);
  const kept = items.slice(0, half).filter((_, i) => i % 2 === 0);
  items.splice(0, half, ...kept);
}

export class Session {
  readonly link = new EngineLink();

  // --- engine -------------------------------------------------------------
  health = $state<EngineHealth>('starting');
  ops = $state('');
  runState = $state<RunState>('idle');
  /** A long action in progress ("Loading MNIST…"), shown as a spinner with this text. */
  busy = $state<string | null>(null);

  // --- the network being composed ------------------------------------------
  layers = $state<LayerSpec[]>(DEFAULT_PRESET.layers(DEFAULT_SYNTHETIC.classes));
  inputSize = $state(2);
  training = $state<TrainingConfig>(defaultTraining());

  // --- data ---------------------------------------------------------------
  data = $state.raw<DataLoaded | null>(null);
  source = $state.raw<DataSource | null>(null);
  dataSettings = $state<DataSettings>({ labelColumn: undefined, standardize: true, testSplit: 0.2, splitSeed: 1 });
  synthetic = $state<SyntheticParams>({ ...DEFAULT_SYNTHETIC });
  /** An IDX images file waiting for its labels file. */
  pendingImages = $state.raw<PickedFile | null>(null);

  // --- what the engine holds -----------------------------------------------
  engineNet = $state.raw<Configured | null>(null);
  /** Bumped each time the engine's weights are rebuilt (configure, reset, open). */
  netVersion = $state(0);
  /** The seed and initializer the current weights were drawn with. */
  weightsDrawnWith = $state.raw<{ seed: number; init: TrainingConfig['init'] } | null>(null);
  progress = $state.raw<EventOf<'progress'> | null>(null);
  /** Iterations and epochs trained on the current weights, as the charts count them. */
  iteration = $state(0);
  epoch = $state(0);
  /**
   * The engine counts from 0 again whenever it makes a new trainer for the same
   * weights (new data, new training settings, a restore). The charts continue
   * instead: shown = base + the engine's count.
   */
  private base = { iteration: 0, epoch: 0 };
  private engineCount = { iteration: 0, epoch: 0 };
  /** The weights came from a model file: worth keeping even before any training here. */
  private weightsFromFile = false;
  /** Epoch at which the current run ends (for "epoch 3 of 10"). */
  runEndEpoch = $state<number | null>(null);
  epochs = $state.raw<EventOf<'epoch'>[]>([]);
  readonly loss = new LossHistory();
  /** Bumped when `loss` or `layerStats` change (they are plain arrays for speed). */
  historyVersion = $state(0);
  readonly layerStats: LayerStatsSnapshot[] = [];
  confusion = $state.raw<EventOf<'confusion'> | null>(null);
  evaluation = $state.raw<EventOf<'evaluation'> | null>(null);
  /** Iteration at which `evaluation` was taken. */
  evaluatedAt = $state(0);
  lastDone = $state.raw<EventOf<'done'> | null>(null);
  gradcheck = $state.raw<EventOf<'gradcheckResult'> | null>(null);

  // --- the model file ------------------------------------------------------
  modelName = $state<string | null>(null);
  /** The network version and iteration last written to or read from the model file. */
  saved = $state.raw<{ net: number; iteration: number } | null>(null);

  // --- messages and dialogs --------------------------------------------------
  notices = $state<Notice[]>([]);
  confirmRequest = $state.raw<ConfirmRequest | null>(null);
  promptRequest = $state.raw<PromptRequest | null>(null);

  // --- derived ----------------------------------------------------------------
  spec: NetworkSpec = $derived({ inputSize: this.inputSize, layers: this.layers, loss: 'softmax-cross-entropy' });
  dataShape: DataShape | undefined = $derived(
    this.data ? { features: this.data.features, classes: this.data.classNames.length, imageShape: this.data.imageShape } : undefined,
  );
  analysis = $derived(analyzeNetwork(this.spec, this.dataShape));
  /** The model has changes not in its file (trained weights count even before the first save). */
  dirty = $derived.by(() => {
    if (!this.engineNet) return false;
    if (this.saved) return this.saved.net !== this.netVersion || this.saved.iteration !== this.iteration;
    return this.iteration > 0;
  });
  /** Why Train cannot be pressed now, in words; null when it can. */
  trainBlocker = $derived.by(() => {
    if (this.health === 'starting') return 'The engine is starting…';
    if (this.health === 'restarting') return 'The engine is restarting…';
    if (this.health === 'failed') return 'The engine is not running: restart it.';
    if (!this.data) return 'Load data first: pick a built-in set or open a file.';
    if (this.analysis.problem) return this.analysis.problem;
    if (this.busy) return this.busy;
    return null;
  });
  title = $derived(this.modelName ?? 'Untitled model');
  /** Network edits are applied right away, so they are locked while a run is under way. */
  editorLocked = $derived(this.runState !== 'idle');

  private syncTimer: ReturnType<typeof setTimeout> | null = null;
  /** The user already agreed to lose the unsaved weights: the next rebuild needs no question. */
  private discardApproved = false;
  private started = false;

  constructor(readonly platform: Platform) {}

  /** Connect to the engine and load the default data set and network. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.link.subscribe((ev) => this.onEvent(ev));
    this.link.onConnect(() => {
      if (this.health !== 'restarting') this.health = 'starting';
    });
    this.link.onRestart((n) => {
      if (n.phase === 'restarting') {
        this.link.detach(`The engine stopped: ${n.message}`);
        this.health = 'restarting';
        this.runState = 'idle';
        this.notify('warning', n.reason === 'reload' ? 'Reloading the engine' : 'The engine crashed', n.message);
      } else if (n.phase === 'restarted') {
        this.health = 'ready';
        this.truncateHistory(this.iteration, this.epoch);
        this.notify('info', 'Engine restarted', n.message);
      } else {
        this.health = 'failed';
        this.runState = 'idle';
        // The desktop app restarts its engine from the menu (Reload Engine); the browser from here.
        this.notify(
          'error',
          'The engine could not be restarted',
          n.message,
          this.canRestartEngine ? { label: 'Restart engine', run: () => this.restartEngine() } : undefined,
        );
      }
    });
    this.platform.startEngine(this.link);
    this.platform.onMenu((cmd) => {
      if (cmd.type === 'open-data') void this.openDataDialog();
      else if (cmd.type === 'open-model') void this.openModelDialog();
      else if (cmd.type === 'save-model') void this.saveModel(false);
      else if (cmd.type === 'save-model-as') void this.saveModel(true);
      else if (cmd.type === 'open-file') {
        void (async () => {
          try {
            const pick = await cmd.load();
            if (cmd.kind === 'model') await this.openModelFile(pick.files[0]!);
            else await this.openDataFiles(pick.files, pick.request);
          } catch (e) {
            this.notify('error', `Could not open ${cmd.name}`, messageOf(e));
          }
        })();
      }
    });
    this.updateDocument();
  }

  /** Browser mode can start a new engine itself; the desktop app has its menu's Reload Engine. */
  get canRestartEngine(): boolean {
    return this.platform.kind === 'browser';
  }

  restartEngine(): void {
    this.health = 'restarting';
    this.platform.restartEngine(this.link);
  }

  // =========================================================================
  // Engine events
  // =========================================================================

  private onEvent(ev: Parameters<Parameters<EngineLink['subscribe']>[0]>[0]): void {
    switch (ev.type) {
      case 'ready': {
        const first = this.health === 'starting' && this.ops === '';
        this.ops = ev.ops;
        if (this.health !== 'restarting') this.health = 'ready';
        if (first && !this.data) void this.loadDefaults();
        return;
      }
      case 'status':
        this.runState = ev.state;
        this.setCounters(ev.iteration, ev.epoch);
        return;
      case 'configured':
        this.engineNet = ev;
        this.netVersion++;
        this.weightsDrawnWith = { seed: ev.training.seed, init: ev.training.init };
        if (this.health !== 'restarting') {
          this.weightsFromFile = false;
          this.clearHistory();
          this.base = { iteration: 0, epoch: 0 };
          this.engineCount = { iteration: 0, epoch: 0 };
          this.setCounters(0, 0);
        }
        this.updateDocument();
        return;
      case 'trainingChanged':
        // Same weights, counters and place in the epoch: only the settings moved.
        if (this.engineNet) this.engineNet = { ...this.engineNet, training: ev.training };
        return;
      case 'dataLoaded':
        this.data = ev;
        this.confusion = null;
        this.evaluation = null;
        // The engine starts a new trainer for the new data; the weights stay.
        if (this.health !== 'restarting') this.rebase();
        return;
      case 'progress': {
        this.progress = ev;
        this.runState = ev.state;
        this.setCounters(ev.iteration, ev.epoch);
        // At the engine's iteration 0 no batch of this trainer has run: a loss there is a leftover.
        if (ev.iteration > 0 && this.pushLosses(ev)) this.historyVersion++;
        return;
      }
      case 'epoch': {
        const shown = { ...ev, epoch: this.base.epoch + ev.epoch, iteration: this.base.iteration + ev.iteration };
        this.epochs = [...this.epochs.filter((e) => e.epoch < shown.epoch), shown];
        return;
      }
      case 'layerStats': {
        const iteration = this.base.iteration + ev.iteration;
        const last = this.layerStats[this.layerStats.length - 1];
        if (last && last.iteration === iteration) this.layerStats[this.layerStats.length - 1] = { iteration, layers: ev.layers };
        else this.layerStats.push({ iteration, layers: ev.layers });
        if (this.layerStats.length > MAX_STATS) thinOlderHalf(this.layerStats);
        this.historyVersion++;
        return;
      }
      case 'confusion':
        this.confusion = ev;
        return;
      case 'done':
        this.onDone(ev);
        return;
      case 'error':
        this.notify('error', 'Engine error', ev.message);
        return;
      default:
        return;
    }
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

  /** The engine's counters changed (progress, status). */
  private setCounters(iteration: number, epoch: number): void {
    this.engineCount = { iteration, epoch };
    const shownIteration = this.base.iteration + iteration;
    const shownEpoch = this.base.epoch + epoch;
    // While a restarted engine is given its state back, counters pass through 0; wait for the end.
    if (shownIteration < this.iteration && this.health !== 'restarting') this.truncateHistory(shownIteration, shownEpoch);
    this.iteration = shownIteration;
    this.epoch = shownEpoch;
    this.updateDocument();
  }

  /** Weights were put back to an earlier point (checkpoint restore): forget what came after. */
  private truncateHistory(iteration: number, epoch: number): void {
    this.loss.truncate(iteration);
    while (this.layerStats.length > 0 && this.layerStats[this.layerStats.length - 1]!.iteration > iteration) this.layerStats.pop();
    this.epochs = this.epochs.filter((e) => e.epoch <= epoch);
    this.historyVersion++;
  }

  /** The engine restarts its counts for the same weights: continue the timeline from here. */
  private rebase(): void {
    this.base = { iteration: this.base.iteration + this.engineCount.iteration, epoch: this.base.epoch + this.engineCount.epoch };
    this.engineCount = { iteration: 0, epoch: 0 };
  }

  private clearHistory(): void {
    this.loss.clear();
    this.layerStats.length = 0;
    this.epochs = [];
    this.confusion = null;
    this.evaluation = null;
    this.lastDone = null;
    this.gradcheck = null;
    this.progress = null;
    this.runEndEpoch = null;
    this.historyVersion++;
  }

  private onDone(ev: EventOf<'done'>): void {
    this.lastDone = ev;
    this.runState = 'idle';
    this.runEndEpoch = null;
    if (ev.reason === 'diverged') {
      const lr = this.training.learningRate;
      this.notify('error', 'Training diverged', sentence(ev.message), {
        label: `Reset with learning rate ${Number((lr / 10).toPrecision(3))}`,
        run: () => {
          this.setTraining({ learningRate: Number((lr / 10).toPrecision(3)) });
          void this.resetWeights();
        },
      });
    } else if (ev.reason === 'finished') {
      const last = this.epochs[this.epochs.length - 1];
      const acc = last ? (last.testAccuracy ?? last.trainAccuracy) : null;
      const which = last?.testAccuracy !== null && last?.testAccuracy !== undefined ? 'test' : 'train';
      this.notify('success', 'Training finished', `${ev.epoch} epochs${acc !== null ? `, ${which} accuracy ${formatPercent(acc)}` : ''}.`);
    } else if (ev.message && !/stopped by the user/.test(ev.message)) {
      this.notify('info', 'Training stopped', sentence(ev.message));
    }
  }

  // =========================================================================
  // Notices and dialogs
  // =========================================================================

  notify(level: NoticeLevel, title: string, message?: string, action?: Notice['action']): number {
    const id = ++noticeId;
    // The same message twice in a row is one notice, not a pile.
    this.notices = [...this.notices.filter((n) => !(n.title === title && n.message === message)), { id, level, title, message, action }];
    if (level === 'info' || level === 'success') setTimeout(() => this.dismiss(id), 8000);
    return id;
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  private fail(title: string, e: unknown): void {
    const msg = messageOf(e);
    if (e instanceof EngineError && e.code === 'NOT_READY' && this.health !== 'ready') {
      this.notify('warning', title, 'The engine is not running right now; try again in a moment.');
      return;
    }
    this.notify('error', title, msg);
  }

  ask(req: Omit<ConfirmRequest, 'resolve'>): Promise<'confirm' | 'extra' | 'cancel'> {
    return new Promise((resolve) => {
      this.confirmRequest = {
        ...req,
        resolve: (choice) => {
          this.confirmRequest = null;
          resolve(choice);
        },
      };
    });
  }

  prompt(req: Omit<PromptRequest, 'resolve'>): Promise<string | null> {
    return new Promise((resolve) => {
      this.promptRequest = {
        ...req,
        resolve: (value) => {
          this.promptRequest = null;
          resolve(value);
        },
      };
    });
  }

  /** Before replacing the model: true when there is nothing unsaved or the user agrees (or saved first). */
  async confirmDiscard(what: string): Promise<boolean> {
    if (!this.dirty) return true;
    const detail = `${this.title} has unsaved changes (${this.iteration > 0 ? 'trained weights' : 'a changed network'}). ${what} will discard them.`;
    if (this.platform.confirmDiscard) return this.platform.confirmDiscard(detail);
    const choice = await this.ask({ title: 'Discard unsaved changes?', message: detail, confirm: 'Discard', extra: 'Save first', cancel: 'Cancel' });
    if (choice === 'cancel') return false;
    if (choice === 'extra') return this.saveModel(false);
    return true;
  }

  private lastDocument = '';

  /** Title and unsaved mark to the window (only when they change: this runs with every progress event). */
  updateDocument(): void {
    const key = `${this.dirty ? 1 : 0}${this.title}`;
    if (key === this.lastDocument) return;
    this.lastDocument = key;
    this.platform.setDocumentState(this.title, this.dirty);
  }

  // =========================================================================
  // Data
  // =========================================================================

  private async loadDefaults(): Promise<void> {
    await this.loadSynthetic({ ...DEFAULT_SYNTHETIC });
  }

  private dataOptions(source: DataSource) {
    const s = this.dataSettings;
    return {
      standardize: s.standardize,
      testSplit: source.kind === 'file' && source.request.test ? 0 : s.testSplit,
      splitSeed: s.splitSeed,
      ...(source.kind === 'file' && source.request.kind === 'table' && s.labelColumn !== undefined ? { labelColumn: s.labelColumn } : {}),
    };
  }

  /** Send a data source to the engine; on success it becomes the current one. */
  private async loadSource(source: DataSource, busy: string, retried = false, quiet = false): Promise<boolean> {
    this.busy = busy;
    try {
      const options = this.dataOptions(source);
      let ev: DataLoaded | undefined;
      if (source.kind === 'synthetic') {
        const p = source.params;
        ev = await this.link.send({
          type: 'loadBuiltin',
          dataset: { kind: p.kind, count: p.count, noise: p.noise, seed: p.seed, ...(p.kind === 'spiral' || p.kind === 'gaussians' ? { classes: p.classes } : {}) },
          options,
        });
      } else if (source.kind === 'mnist') {
        const m = await loadMnist();
        // Copies, not transfers: the cache keeps the bytes for the next load.
        ev = await this.link.send({ type: 'loadBuiltin', dataset: { kind: 'mnist', images: m.images.slice(), labels: m.labels.slice() }, options });
      } else {
        const r = source.request;
        const train = r.kind === 'table' ? r.train : r.train.images;
        ev = await this.link.send({
          type: 'loadData',
          name: train.name,
          bytes: train.bytes,
          ...(r.kind === 'idx' ? { labels: { name: r.train.labels.name, bytes: r.train.labels.bytes } } : {}),
          ...(r.test
            ? {
                test:
                  r.kind === 'idx'
                    ? { name: r.test.images.name, bytes: r.test.images.bytes, labels: { name: r.test.labels.name, bytes: r.test.labels.bytes } }
                    : { name: r.test.name, bytes: r.test.bytes },
              }
            : {}),
          options,
        });
      }
      this.source = source;
      this.pendingImages = null;
      if (ev) {
        for (const w of ev.warnings) this.notify('warning', `${ev.name}`, w);
        void this.fitNetworkToData(ev);
      }
      return true;
    } catch (e) {
      // A table whose default label column (the last) is not where the classes are:
      // a column that is text from its first data row on is, in practice, the label.
      // Try it once and say so; a bad cell further down is a real error.
      const m = /^[^:]*:(\d+):\d+: column "([^"]+)": "[^"]*" is not a number/.exec(messageOf(e));
      const textColumn = m && Number(m[1]) <= 2 ? m[2] : undefined;
      if (source.kind === 'file' && source.request.kind === 'table' && textColumn && this.dataSettings.labelColumn === undefined && !retried) {
        this.dataSettings.labelColumn = textColumn;
        this.busy = null;
        const ok = await this.loadSource(source, busy, true, true).catch(() => false);
        if (ok) {
          this.notify('info', `Label column: ${textColumn}`, `"${textColumn}" holds text, so it was taken as the class label. Choose another in the Data panel.`);
          return true;
        }
        this.dataSettings.labelColumn = undefined;
      }
      if (quiet) throw e;
      const name = source.kind === 'file' ? baseName(source.request.kind === 'table' ? source.request.train.name : source.request.train.images.name) : source.kind === 'mnist' ? 'MNIST' : syntheticLabel(source.params.kind);
      this.fail(`Could not load ${name}`, e);
      return false;
    } finally {
      this.busy = null;
    }
  }

  async loadSynthetic(params: SyntheticParams): Promise<void> {
    const kindChanged = this.source?.kind !== 'synthetic';
    const before = $state.snapshot(this.synthetic) as SyntheticParams;
    this.synthetic = { ...params };
    const ok = await this.loadWithSettings(kindChanged ? { standardize: true } : {}, { kind: 'synthetic', params: { ...params } }, `Generating ${syntheticLabel(params.kind)}…`);
    if (!ok) this.synthetic = before;
  }

  async loadMnist(): Promise<void> {
    await this.loadWithSettings(this.source?.kind !== 'mnist' ? { standardize: false } : {}, { kind: 'mnist' }, 'Loading MNIST digits…');
  }

  /**
   * Load a new source with the settings that suit it (a kind's defaults); when it
   * fails, the data and settings in use stay as they were.
   */
  private async loadWithSettings(patch: Partial<DataSettings>, source: DataSource, busy: string): Promise<boolean> {
    const before = $state.snapshot(this.dataSettings) as DataSettings;
    Object.assign(this.dataSettings, patch);
    const ok = await this.loadSource(source, busy);
    if (!ok) Object.assign(this.dataSettings, before);
    return ok;
  }

  /** Load the current source again with changed settings (label column, standardization, split). */
  async reloadData(): Promise<void> {
    if (this.source) await this.loadSource(this.source, 'Reloading data…');
  }

  /** Change how the data is read and load it again; a setting the data cannot take is undone. */
  async setDataSettings(patch: Partial<DataSettings>): Promise<void> {
    const before = $state.snapshot(this.dataSettings) as DataSettings;
    Object.assign(this.dataSettings, patch);
    if (!this.source) return;
    const ok = await this.loadSource(this.source, 'Reloading data…', true);
    if (!ok) Object.assign(this.dataSettings, before);
  }

  async openDataDialog(): Promise<void> {
    try {
      const pick = await this.platform.openData();
      if (pick) await this.openDataFiles(pick.files, pick.request);
    } catch (e) {
      this.fail('Could not open the file', e);
    }
  }

  /** Files from a dialog, a drop or the menu: models go to openModelFile, the rest is paired and loaded. */
  async openFiles(files: OpenedFile[]): Promise<void> {
    const models = files.filter((f) => fileRole(f) === 'model');
    if (models.length > 0) {
      if (files.length > 1) {
        this.notify('error', 'Open one model at a time', 'Drop a .safetensors model on its own, or data files without a model.');
        return;
      }
      await this.openModelFile(models[0]!);
      return;
    }
    await this.openDataFiles(files);
  }

  async openDataFiles(files: OpenedFile[], request?: DataRequest): Promise<void> {
    let req = request;
    if (!req) {
      // An images file chosen earlier waits for its labels: pair it with what comes now.
      const all = this.pendingImages && !files.some((f) => fileRole(f) === 'idx-images') ? [this.pendingImages, ...files] : files;
      const plan = planDataLoad(all);
      if (!plan.ok) {
        if (plan.needsLabelsFor) {
          this.pendingImages = plan.needsLabelsFor;
          this.notify('warning', 'Labels needed', plan.message, { label: 'Choose labels file…', run: () => void this.openDataDialog() });
        } else this.notify('error', 'Could not open the data', plan.message);
        return;
      }
      req = plan.request;
    }
    const name = baseName(req.kind === 'table' ? req.train.name : req.train.images.name);
    await this.loadWithSettings(
      { labelColumn: undefined, ...(this.source?.kind !== 'file' ? { standardize: req.kind === 'table' } : {}) },
      { kind: 'file', request: req },
      `Reading ${name}…`,
    );
  }

  /**
   * New data: make the network fit it. When that would throw away trained weights
   * that are not saved, ask first; if the user keeps them, the network editor
   * explains the mismatch and offers the fix.
   */
  private async fitNetworkToData(ev: DataLoaded): Promise<void> {
    const classes = ev.classNames.length;
    const last = [...this.layers].reverse().find((l) => l.kind === 'affine');
    const fits = this.inputSize === ev.features && last?.kind === 'affine' && last.units === classes;
    if (fits) {
      this.scheduleSync();
      return;
    }
    if (this.dirty && this.iteration > 0 && !(await this.confirmDiscard(`Rebuilding the network for ${ev.name}`))) {
      this.notify('warning', 'The network does not fit the new data', 'Your trained weights are kept until you choose: see the network editor.');
      return;
    }
    if (this.data !== ev) return; // other data arrived while the question was open
    this.discardApproved = true;
    this.adaptNetwork(ev.features, classes, true);
  }

  /** Set input and output sizes for the data (and the suited preset when the kind of data changed). */
  adaptNetwork(features = this.data?.features, classes = this.data?.classNames.length, switchPreset = true): void {
    if (features === undefined || classes === undefined) return;
    const preset = matchingPreset(this.layers);
    const suggested = suggestedPreset(!!this.data?.imageShape || features >= 256);
    if (switchPreset && preset && preset.suits !== suggested.suits) {
      this.inputSize = features;
      this.applyPreset(suggested.id);
      return;
    }
    this.inputSize = features;
    const idx = this.layers.findLastIndex((l) => l.kind === 'affine');
    if (idx < 0) this.layers = [...this.layers, { kind: 'affine', units: classes }];
    else this.layers[idx] = { kind: 'affine', units: classes };
    this.scheduleSync();
  }

  // =========================================================================
  // Network editing (applied to the engine when valid)
  // =========================================================================

  setLayers(layers: LayerSpec[]): void {
    if (this.editorLocked) return;
    this.layers = layers;
    this.scheduleSync();
  }

  addLayer(spec: LayerSpec, at = this.layers.length): void {
    const next = [...this.layers];
    next.splice(at, 0, spec);
    this.setLayers(next);
  }

  /** A hidden Affine + activation inserted before the output layer. */
  addHiddenLayer(units = 32, activation: 'relu' | 'sigmoid' | 'tanh' = 'relu'): void {
    const out = this.layers.findLastIndex((l) => l.kind === 'affine');
    this.addLayer({ kind: activation }, out < 0 ? this.layers.length : out);
    this.addLayer({ kind: 'affine', units }, out < 0 ? this.layers.length - 1 : out);
  }

  removeLayer(index: number): void {
    this.setLayers(this.layers.filter((_, i) => i !== index));
  }

  moveLayer(index: number, delta: -1 | 1): void {
    this.setLayers(moveLayer(this.layers, index, delta));
  }

  setUnits(index: number, units: number): void {
    const l = this.layers[index];
    if (!l || l.kind !== 'affine') return;
    const next = [...this.layers];
    next[index] = { kind: 'affine', units };
    this.setLayers(next);
  }

  setKind(index: number, kind: LayerSpec['kind']): void {
    const next = [...this.layers];
    next[index] = kind === 'affine' ? { kind: 'affine', units: 32 } : { kind };
    this.setLayers(next);
  }

  applyPreset(id: Preset['id']): void {
    if (this.editorLocked) return;
    const p = presetById(id);
    const classes = this.data?.classNames.length ?? (p.suits === 'images' ? 10 : DEFAULT_SYNTHETIC.classes);
    this.layers = p.layers(classes);
    this.training = trainingConfigSchema.parse({ ...$state.snapshot(this.training), ...p.training });
    if (this.data) this.inputSize = this.data.features;
    this.scheduleSync();
  }

  setTraining(patch: Partial<TrainingConfig>): void {
    this.training = { ...this.training, ...patch };
    this.scheduleSync();
  }

  /** Editor and engine differ in the network itself (weights must be rebuilt). */
  networkChanged = $derived(this.engineNet !== null && !sameJson(this.engineNet.spec, this.spec));

  /** Training settings differ from what the engine will use. */
  trainingChanged = $derived(this.engineNet !== null && !sameJson(this.engineNet.training, this.training));

  /**
   * Apply the editor to the engine soon (edits come in bursts while typing). Only
   * a valid network is sent, only when no run is under way, and never in a way
   * that throws away trained weights that are not saved: those changes wait for
   * Train, which asks first.
   */
  private scheduleSync(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      void this.sync('auto');
    }, 250);
  }

  /** Trained or opened weights that a rebuild would lose. */
  private get weightsWorthKeeping(): boolean {
    return this.iteration > 0 || this.weightsFromFile;
  }

  /** A change in the network waits for Train because it would discard unsaved weights. */
  networkPending = $derived(this.networkChanged && this.runState === 'idle');

  /**
   * Make the engine hold the editor's network and settings.
   * - A changed network means new weights: done at once when nothing unsaved is
   *   lost ('auto'), else on Train after asking ('train'). Only while idle.
   * - Changed training settings keep the weights (setTraining), idle or paused;
   *   the seed and initializer then wait for the next Reset.
   */
  async sync(mode: 'auto' | 'train'): Promise<boolean> {
    if (this.syncTimer) {
      clearTimeout(this.syncTimer);
      this.syncTimer = null;
    }
    if (this.health !== 'ready' || !this.data || this.analysis.problem || this.runState === 'running') return false;
    const spec = $state.snapshot(this.spec) as NetworkSpec;
    const training = $state.snapshot(this.training) as TrainingConfig;
    const e = this.engineNet;
    const netSame = e !== null && sameJson(e.spec, spec);
    const trainSame = e !== null && sameJson(e.training, training);
    if (netSame && trainSame) return true;
    try {
      if (netSame && this.weightsWorthKeeping) {
        await this.link.send({ type: 'setTraining', training });
        return true;
      }
      if (this.runState !== 'idle') return false; // a paused run keeps its network
      if (this.weightsWorthKeeping && this.dirty && !this.discardApproved) {
        if (mode === 'auto') return false;
        if (!(await this.confirmDiscard('Training the changed network'))) return false;
      }
      await this.link.send({ type: 'configure', spec, training });
      this.discardApproved = false;
      return true;
    } catch (err) {
      this.fail(netSame ? 'Could not apply the training settings' : 'Could not build the network', err);
      return false;
    }
  }

  // =========================================================================
  // Training
  // =========================================================================

  /** Train: start a run (or resume a paused one). */
  async train(): Promise<void> {
    if (this.runState === 'paused') return this.resume();
    if (this.runState === 'running' || this.trainBlocker) return;
    if (!(await this.sync('train'))) return;
    try {
      this.runEndEpoch = this.epoch + this.training.epochs;
      await this.link.send({ type: 'start' });
    } catch (e) {
      this.runEndEpoch = null;
      this.fail('Could not start training', e);
    }
  }

  async pause(): Promise<void> {
    if (this.runState !== 'running') return;
    try {
      await this.link.send({ type: 'pause' });
    } catch (e) {
      this.fail('Could not pause', e);
    }
  }

  async resume(): Promise<void> {
    if (this.runState !== 'paused') return;
    if (!(await this.sync('train'))) return;
    try {
      await this.link.send({ type: 'resume' });
    } catch (e) {
      this.fail('Could not resume', e);
    }
  }

  /** Space: the one key that starts, pauses and resumes. */
  async toggleRun(): Promise<void> {
    if (this.runState === 'running') return this.pause();
    return this.train();
  }

  async step(count = 1): Promise<void> {
    if (this.runState === 'running' || (this.runState === 'idle' && this.trainBlocker)) return;
    if (!(await this.sync('train'))) return;
    try {
      await this.link.send({ type: 'step', count });
    } catch (e) {
      this.fail('Could not take a step', e);
    }
  }

  async stop(): Promise<void> {
    if (this.runState === 'idle') return;
    try {
      await this.link.send({ type: 'stop' });
    } catch (e) {
      this.fail('Could not stop', e);
    }
  }

  /** New weights from the seed, history cleared (the network and settings as edited). */
  async resetWeights(): Promise<void> {
    if (this.health !== 'ready') return;
    // Weights a run blew up (NaN) are not worth a question: they cannot even be saved.
    if (this.lastDone?.reason !== 'diverged' && !(await this.confirmDiscard('Resetting the weights'))) return;
    if (this.runState !== 'idle') await this.stop();
    if (this.networkChanged || this.trainingChanged || !this.engineNet) {
      // configure builds fresh weights from the edited seed and settings.
      if (this.analysis.problem || !this.data) {
        this.notify('error', 'Cannot reset the weights', this.trainBlocker ?? 'The network does not fit the data.');
        return;
      }
      const spec = $state.snapshot(this.spec) as NetworkSpec;
      const training = $state.snapshot(this.training) as TrainingConfig;
      try {
        await this.link.send({ type: 'configure', spec, training });
      } catch (e) {
        this.fail('Could not reset the weights', e);
      }
      return;
    }
    try {
      await this.link.send({ type: 'resetWeights' });
      this.netVersion++;
      if (this.engineNet) this.weightsDrawnWith = { seed: this.engineNet.training.seed, init: this.engineNet.training.init };
      this.weightsFromFile = false;
      this.clearHistory();
      this.base = { iteration: 0, epoch: 0 };
      this.engineCount = { iteration: 0, epoch: 0 };
      this.iteration = 0;
      this.epoch = 0;
      this.updateDocument();
    } catch (e) {
      this.fail('Could not reset the weights', e);
    }
  }

  async evaluate(): Promise<void> {
    try {
      const at = this.iteration;
      this.evaluation = (await this.link.send({ type: 'evaluate' })) ?? null;
      this.evaluatedAt = at;
    } catch (e) {
      this.fail('Could not evaluate', e);
    }
  }

  /** The gradient check on the current network; the failure is returned (the tab shows it in place). */
  async runGradcheck(samples = 3): Promise<{ ok: true; result: EventOf<'gradcheckResult'> } | { ok: false; message: string }> {
    if (!(await this.sync('train')) && !this.engineNet) {
      return { ok: false, message: this.trainBlocker ?? 'Build a valid network first.' };
    }
    this.busy = 'Checking gradients…';
    try {
      const r = await this.link.send({ type: 'gradcheck', samples });
      if (!r) return { ok: false, message: 'The engine sent no result.' };
      this.gradcheck = r;
      return { ok: true, result: r };
    } catch (e) {
      return { ok: false, message: messageOf(e) };
    } finally {
      this.busy = null;
    }
  }

  async inspect(layer: string | number): Promise<EventOf<'inspectResult'> | null> {
    try {
      return (await this.link.send({ type: 'inspect', layer })) ?? null;
    } catch (e) {
      this.fail('Could not inspect the layer', e);
      return null;
    }
  }

  // =========================================================================
  // Model files
  // =========================================================================

  async saveModel(saveAs: boolean): Promise<boolean> {
    if (!this.engineNet) {
      this.notify('error', 'Nothing to save yet', 'Load data and build a network first.');
      return false;
    }
    try {
      let suggested = this.modelName ?? suggestModelName(this.data?.name, this.engineNet.spec);
      if (this.platform.kind === 'browser' && (saveAs || this.modelName === null)) {
        const name = await this.prompt({
          title: saveAs ? 'Save model as' : 'Save model',
          message: 'The model is downloaded as a .safetensors file (weights, network and normalization).',
          value: suggested,
          confirm: 'Save',
        });
        if (name === null) return false;
        const trimmed = name.trim() || suggested;
        suggested = /\.safetensors$/i.test(trimmed) ? trimmed : `${trimmed}.safetensors`;
      }
      const net = this.netVersion;
      const iteration = this.iteration;
      const ev = await this.link.send({ type: 'exportModel' });
      if (!ev) throw new Error('the engine sent no model bytes');
      const saved = await this.platform.saveModel({ bytes: new Uint8Array(ev.bytes), saveAs, suggestedName: suggested });
      if (!saved) return false;
      this.modelName = saved.name;
      this.saved = { net, iteration };
      this.updateDocument();
      this.notify('success', 'Model saved', saved.name);
      return true;
    } catch (e) {
      this.fail('Could not save the model', e);
      return false;
    }
  }

  /** Ctrl/Cmd+O: any file; models and data are told apart by name and first bytes. */
  async openAnyDialog(): Promise<void> {
    if (!this.platform.openAny) return this.openDataDialog();
    try {
      const files = await this.platform.openAny();
      if (files) await this.openFiles(files);
    } catch (e) {
      this.fail('Could not open the file', e);
    }
  }

  async openModelDialog(): Promise<void> {
    if (!(await this.confirmDiscard('Opening another model'))) return;
    try {
      const f = await this.platform.openModel();
      if (f) await this.openModelFile(f, true);
    } catch (e) {
      this.fail('Could not open the model', e);
    }
  }

  async openModelFile(file: OpenedFile, confirmed = false): Promise<void> {
    if (!confirmed && !(await this.confirmDiscard(`Opening ${baseName(file.name)}`))) return;
    this.busy = `Opening ${baseName(file.name)}…`;
    try {
      const imported = await this.link.send({ type: 'importModel', name: baseName(file.name), bytes: file.bytes });
      if (!imported) throw new Error('the engine sent no model');
      if (this.syncTimer) clearTimeout(this.syncTimer);
      this.layers = imported.spec.layers;
      this.inputSize = imported.spec.inputSize;
      this.training = imported.training;
      this.modelName = baseName(file.name);
      this.weightsFromFile = true;
      this.saved = { net: this.netVersion, iteration: this.iteration };
      this.updateDocument();
      const fits = this.data && this.data.features === imported.spec.inputSize && this.data.classNames.length === imported.classNames.length;
      if (fits) {
        await this.evaluate();
        const acc = this.evaluation?.testAccuracy ?? this.evaluation?.trainAccuracy;
        this.notify('success', `Opened ${this.modelName}`, acc !== undefined && acc !== null ? `Accuracy on ${this.evaluation?.testAccuracy !== null ? 'the test set' : 'the training set'}: ${formatPercent(acc)}.` : undefined);
      } else {
        this.notify(
          'info',
          `Opened ${this.modelName}`,
          `A ${imported.spec.inputSize}-input network for ${imported.classNames.length} classes. Load matching data to evaluate it or continue training.`,
        );
      }
    } catch (e) {
      this.fail(`Could not open ${baseName(file.name)}`, e);
    } finally {
      this.busy = null;
    }
  }
}
