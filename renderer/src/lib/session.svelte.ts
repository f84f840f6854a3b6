import type { EngineEvent } from '../../../core/protocol/messages.js';
import { fileRole } from './data-files.js';
import { EngineLink } from './engine-link.js';
import { loadMnist } from './mnist.js';
import type { OpenedFile, Platform } from './platform.js';
import { DataState, DEFAULT_SYNTHETIC, type DataLoaded } from './state/data.svelte.js';
import { Dialogs } from './state/dialogs.svelte.js';
import { NetworkDraft } from './state/draft.svelte.js';
import { EngineStatus } from './state/engine-status.svelte.js';
import { RunHistory } from './state/history.svelte.js';
import { ModelDocument, suggestModelName } from './state/model.svelte.js';
import { exportFromStudio, type ExportFormat } from './export-model.js';
import { Notices } from './state/notices.svelte.js';
import { RunControl } from './state/run.svelte.js';
import { defaultRunStore } from './runs/default-store.js';
import type { RunRecord } from './runs/record.js';
import { RunsState } from './runs/runs.svelte.js';

/**
 * The studio's state, composed of one object per concern (see lib/state/):
 * engine status, notices, dialogs, data, the network draft, run history, the
 * model document and run control. Components read those objects and call their
 * methods; this class only wires them together and routes the engine's events.
 * The engine is the truth for what it holds (network, weights, data, run
 * state); the draft is what the user is composing, applied when valid.
 */
export class Session {
  readonly link: EngineLink;
  readonly status = new EngineStatus();
  readonly notices = new Notices(() => this.status.down);
  readonly dialogs = new Dialogs();
  readonly history = new RunHistory();
  readonly data: DataState;
  readonly draft: NetworkDraft;
  readonly model: ModelDocument;
  readonly run: RunControl;
  /** Every run kept, the Runs view's comparisons and searches. */
  readonly runs: RunsState;

  private started = false;
  /** The user agreed, before a new data set was loaded, to lose the unsaved weights. */
  private newDataSetApproved = false;

  constructor(
    readonly platform: Platform,
    link = new EngineLink(),
  ) {
    this.link = link;
    this.draft = new NetworkDraft({
      dataShape: () => this.data.shape,
      locked: () => this.run.editorLocked,
      changed: () => this.run.scheduleSync(),
    });
    this.data = new DataState({
      link,
      status: this.status,
      notices: this.notices,
      platform,
      mnist: loadMnist,
      loaded: (ev) => void this.fitNetworkToData(ev),
      approveNewDataSet: (label, shape) => this.approveNewDataSet(label, shape),
      newDataSetSettled: () => (this.newDataSetApproved = false),
    });
    this.model = new ModelDocument({
      link,
      platform,
      status: this.status,
      notices: this.notices,
      dialogs: this.dialogs,
      history: this.history,
      draft: this.draft,
      data: this.data,
      evaluate: () => this.run.evaluate(),
      cancelPendingSync: () => this.run.cancelPendingSync(),
      scheduleSync: () => this.run.scheduleSync(),
    });
    this.run = new RunControl({
      link,
      status: this.status,
      notices: this.notices,
      history: this.history,
      draft: this.draft,
      data: this.data,
      model: this.model,
      queueBusy: () => this.runs.busy,
    });
    this.runs = new RunsState({
      link,
      store: defaultRunStore(typeof window !== 'undefined' ? window.studio : undefined),
      notify: (level, title, message) => this.notices.notify(level, title, message),
      download: (name, blob) => platform.download(name, blob),
      draft: () => this.draft.snapshot(),
      dataShape: () => this.data.shape,
      confirmDiscard: (what) => this.model.confirmDiscard(what),
      reopen: (run, weights) => this.reopenRun(run, weights),
    });
  }

  /** A kept run back in the editor: its weights as the model when they were kept, else its settings. */
  private async reopenRun(run: RunRecord, weights: Uint8Array | null): Promise<void> {
    if (weights) return this.model.openFile({ name: `${run.name.replace(/[^\w.-]+/g, '-')}.safetensors`, bytes: weights });
    this.draft.replace(run.spec, run.training);
    this.notices.notify('info', `Settings of ${run.name} loaded`, 'The network and training settings are in the editor; press Train to run them again.');
  }

  /** Connect to the engine and load the default data set and network. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.link.subscribe((ev) => this.onEvent(ev));
    this.link.onConnect(() => {
      if (!this.status.restarting) this.status.health = 'starting';
    });
    this.link.onRestart((n) => {
      if (n.phase === 'restarting') {
        this.link.detach(`The engine stopped: ${n.message}`);
        this.status.health = 'restarting';
        this.run.runState = 'idle';
        this.notices.notify('warning', n.reason === 'reload' ? 'Reloading the engine' : 'The engine crashed', n.message);
      } else if (n.phase === 'restarted') {
        this.status.health = 'ready';
        this.history.truncate();
        this.notices.notify('info', 'Engine restarted', n.message);
      } else {
        this.status.health = 'failed';
        this.run.runState = 'idle';
        // The desktop app restarts its engine from the menu (Reload Engine); the browser from here.
        this.notices.notify(
          'error',
          'The engine could not be restarted',
          n.message,
          this.canRestartEngine ? { label: 'Restart engine', run: () => this.restartEngine() } : undefined,
        );
      }
    });
    void this.runs.load();
    this.platform.startEngine(this.link);
    this.platform.onMenu((cmd) => {
      if (cmd.type === 'new-model') void this.newModel();
      else if (cmd.type === 'open-data') void this.data.openDialog();
      else if (cmd.type === 'open-model') void this.model.openDialog();
      else if (cmd.type === 'save-model') void this.model.save(false);
      else if (cmd.type === 'save-model-as') void this.model.save(true);
      else if (cmd.type === 'export-model') void this.exportModel(cmd.format);
      else if (cmd.type === 'open-file') {
        void (async () => {
          try {
            const pick = await cmd.load();
            if (cmd.kind === 'model') await this.model.openFile(pick.files[0]!);
            else await this.data.openFiles(pick.files, pick.request);
          } catch (e) {
            this.notices.fail(`Could not open ${cmd.name}`, e);
          }
        })();
      }
    });
    this.model.updateDocument();
  }

  /** Browser mode can start a new engine itself; the desktop app has its menu's Reload Engine. */
  get canRestartEngine(): boolean {
    return this.platform.kind === 'browser';
  }

  restartEngine(): void {
    this.status.health = 'restarting';
    this.platform.restartEngine(this.link);
  }

  /** File › New model: an Untitled model with fresh weights for the data loaded (after asking about unsaved work). */
  async newModel(): Promise<void> {
    if (!(await this.model.confirmDiscard('Starting a new model'))) return;
    if (this.run.runState !== 'idle') await this.run.stop();
    this.draft.startOver();
    this.model.detachFromFile();
    await this.run.rebuild();
  }

  /** Ctrl/Cmd+O: any file; models and data are told apart by name and first bytes. */
  async openAnyDialog(): Promise<void> {
    if (!this.platform.openAny) return this.data.openDialog();
    try {
      const files = await this.platform.openAny();
      if (files) await this.openFiles(files);
    } catch (e) {
      this.notices.fail('Could not open the file', e);
    }
  }

  /** File › Export: the model as ONNX, .npz or a PyTorch project, named like the document (or as Save would name it). */
  async exportModel(format: ExportFormat): Promise<void> {
    const net = this.model.engineNet;
    if (!net) {
      this.notices.notify('error', 'Nothing to export yet', 'Load data and build a network first.');
      return;
    }
    await exportFromStudio(this, format, this.model.name ?? suggestModelName(this.data.loaded?.name, net.spec));
  }

  /** Files from a dialog, a drop or the menu: a model is opened, data files are paired and loaded. */
  async openFiles(files: OpenedFile[]): Promise<void> {
    const models = files.filter((f) => fileRole(f) === 'model');
    if (models.length > 0) {
      if (files.length > 1) {
        this.notices.notify('error', 'Open one model at a time', 'Drop a .safetensors model on its own, or data files without a model.');
        return;
      }
      await this.model.openFile(models[0]!);
      return;
    }
    await this.data.openFiles(files);
  }

  /** Every engine event, to the state it changes. */
  private onEvent(ev: EngineEvent): void {
    const restarting = this.status.restarting;
    switch (ev.type) {
      case 'ready': {
        const first = this.status.health === 'starting' && this.status.ops === '';
        // The note (no native library here) is said once per backend change, not at every restart.
        if (ev.opsNote && (first || ev.ops !== this.status.ops)) this.notices.notify('warning', 'Compute backend', ev.opsNote);
        this.status.ops = ev.ops;
        if (!restarting) this.status.health = 'ready';
        if (first && !this.data.loaded) void this.data.loadSynthetic({ ...DEFAULT_SYNTHETIC });
        return;
      }
      case 'status':
        this.run.runState = ev.state;
        this.history.setCounters(ev.iteration, ev.epoch, restarting);
        this.model.updateDocument();
        return;
      case 'configured':
        if (!restarting) this.history.reset();
        this.model.onConfigured(ev, restarting);
        return;
      case 'trainingChanged':
        // Same weights, counters and place in the epoch: only the settings moved.
        this.model.onTrainingChanged(ev.training);
        return;
      case 'dataLoaded':
        this.data.onLoaded(ev);
        // The engine starts a new trainer for the new data; the weights stay.
        this.history.onDataChanged(restarting);
        return;
      case 'progress':
        this.run.runState = ev.state;
        this.history.onProgress(ev, restarting);
        this.model.updateDocument();
        return;
      case 'epoch':
        this.history.onEpoch(ev);
        return;
      case 'layerStats':
        this.history.onLayerStats(ev);
        return;
      case 'confusion':
        this.history.confusion = ev;
        return;
      case 'done':
        this.run.onDone(ev);
        return;
      case 'error':
        this.notices.notify('error', 'Engine error', ev.message);
        return;
      default:
        return;
    }
  }

  /**
   * Another data set is about to replace the current one: when unsaved trained
   * weights would be lost (the network rebuilt for it; a file's shape is known only
   * once read, so a file always counts), ask now, before anything changes.
   */
  private async approveNewDataSet(label: string, shape: { features: number; classes: number } | null): Promise<boolean> {
    if (!(this.model.dirty && this.history.iteration > 0)) return true;
    if (shape && this.draft.fits(shape.features, shape.classes)) return true;
    const ok = await this.model.confirmDiscard(`Loading ${label}`);
    this.newDataSetApproved = ok;
    return ok;
  }

  /**
   * New data: make the network fit it. When that would throw away trained weights
   * that are not saved (and the user was not asked before the load), ask first; if
   * the user keeps them, the network editor explains the mismatch and offers the fix.
   * A network rebuilt for other data is a new model: Untitled until saved.
   */
  private async fitNetworkToData(ev: DataLoaded): Promise<void> {
    if (this.draft.fits(ev.features, ev.classNames.length)) {
      this.run.scheduleSync();
      return;
    }
    const approved = this.newDataSetApproved;
    if (!approved && this.model.dirty && this.history.iteration > 0 && !(await this.model.confirmDiscard(`Rebuilding the network for ${ev.name}`))) {
      this.notices.notify('warning', 'The network does not fit the new data', 'Your trained weights are kept until you choose: see the network editor.');
      return;
    }
    if (this.data.loaded !== ev) return; // other data arrived while the question was open
    this.run.discardApproved = true;
    this.model.detachFromFile();
    this.draft.adaptNetwork(true);
  }
}
