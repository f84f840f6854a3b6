import { baseName } from '../../../../core/format.js';
import type { EventOf } from '../../../../core/protocol/messages.js';
import type { NetworkSpec, TrainingConfig } from '../../../../core/spec.js';
import type { EngineLink } from '../engine-link.js';
import { formatPercent } from '../format.js';
import type { OpenedFile, Platform } from '../platform.js';
import type { DataState } from './data.svelte.js';
import type { Dialogs } from './dialogs.svelte.js';
import type { NetworkDraft } from './draft.svelte.js';
import type { EngineStatus } from './engine-status.svelte.js';
import type { RunHistory } from './history.svelte.js';
import type { Notices } from './notices.svelte.js';

/**
 * The model as a document: the network and weights the engine holds, the file
 * they were last saved to or opened from, whether there are unsaved changes, and
 * the window title that says so. Open, save, and the "discard unsaved changes?"
 * question live here.
 */

export type Configured = EventOf<'configured'>;

/** "spiral-2-16-16-3.safetensors": data name and widths. */
export function suggestModelName(dataName: string | undefined, spec: NetworkSpec): string {
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

export interface ModelContext {
  link: Pick<EngineLink, 'send'>;
  platform: Pick<Platform, 'kind' | 'saveModel' | 'openModel' | 'setDocumentState' | 'confirmDiscard'>;
  status: EngineStatus;
  notices: Notices;
  dialogs: Dialogs;
  history: RunHistory;
  draft: NetworkDraft;
  data: DataState;
  /** Measure the opened weights on the loaded data (RunControl.evaluate). */
  evaluate: () => Promise<void>;
  /** An opened model replaces the draft: edits waiting to be applied must not overwrite it. */
  cancelPendingSync: () => void;
  /** A model that failed to open replaces nothing: edits held back for it are applied after all. */
  scheduleSync: () => void;
}

export class ModelDocument {
  /** The network the engine holds, as it last confirmed it. */
  engineNet = $state.raw<Configured | null>(null);
  /** Bumped each time the engine's weights are rebuilt (configure, reset, open). */
  netVersion = $state(0);
  /** The seed and initializer the current weights were drawn with. */
  weightsDrawnWith = $state.raw<{ seed: number; init: TrainingConfig['init'] } | null>(null);
  /** The weights came from a model file: worth keeping even before any training here. */
  weightsFromFile = false;
  /**
   * A model file is on its way to the engine. The editor's network must not be built
   * meanwhile: a build sent after the model would replace its weights with fresh ones
   * (RunControl.sync waits).
   */
  opening = false;
  name = $state<string | null>(null);
  /** The network version and iteration last written to or read from the model file. */
  saved = $state.raw<{ net: number; iteration: number } | null>(null);

  /** The model has changes not in its file (trained weights count even before the first save). */
  dirty = $derived.by(() => {
    if (!this.engineNet) return false;
    const iteration = this.ctx.history.iteration;
    if (this.saved) return this.saved.net !== this.netVersion || this.saved.iteration !== iteration;
    return iteration > 0;
  });
  title = $derived(this.name ?? 'Untitled model');

  private lastDocument = '';

  constructor(private readonly ctx: ModelContext) {}

  /** Trained or opened weights that a rebuild would lose. */
  get weightsWorthKeeping(): boolean {
    return this.ctx.history.iteration > 0 || this.weightsFromFile;
  }

  /** The engine built a network (configure, or a restarted engine given it back). */
  onConfigured(ev: Configured, restarting: boolean): void {
    this.engineNet = ev;
    this.netVersion++;
    this.weightsDrawnWith = { seed: ev.training.seed, init: ev.training.init };
    if (!restarting) this.weightsFromFile = false;
    this.updateDocument();
  }

  /** Same weights, new training settings. */
  onTrainingChanged(training: TrainingConfig): void {
    if (this.engineNet) this.engineNet = { ...this.engineNet, training };
  }

  /** The engine drew new weights for the same network (resetWeights). */
  onWeightsReset(): void {
    this.netVersion++;
    if (this.engineNet) this.weightsDrawnWith = { seed: this.engineNet.training.seed, init: this.engineNet.training.init };
    this.weightsFromFile = false;
    this.updateDocument();
  }

  /**
   * The network is being rebuilt for other data: a new model, Untitled until it is
   * saved (Save must not write it over the file the old network came from).
   */
  detachFromFile(): void {
    this.name = null;
    this.saved = null;
    this.weightsFromFile = false;
    this.updateDocument();
  }

  /** Title and unsaved mark to the window (only when they change: this runs with every progress event). */
  updateDocument(): void {
    const key = `${this.dirty ? 1 : 0}${this.title}`;
    if (key === this.lastDocument) return;
    this.lastDocument = key;
    this.ctx.platform.setDocumentState(this.title, this.dirty);
  }

  /** Before replacing the model: true when there is nothing unsaved or the user agrees (or saved first). */
  async confirmDiscard(what: string): Promise<boolean> {
    if (!this.dirty) return true;
    const detail = `${this.title} has unsaved changes (${this.ctx.history.iteration > 0 ? 'trained weights' : 'a changed network'}). ${what} will discard them.`;
    if (this.ctx.platform.confirmDiscard) return this.ctx.platform.confirmDiscard(detail);
    const choice = await this.ctx.dialogs.ask({ title: 'Discard unsaved changes?', message: detail, confirm: 'Discard', extra: 'Save first', cancel: 'Cancel' });
    if (choice === 'cancel') return false;
    if (choice === 'extra') return this.save(false);
    return true;
  }

  async save(saveAs: boolean): Promise<boolean> {
    const { link, platform, notices, history } = this.ctx;
    if (!this.engineNet) {
      notices.notify('error', 'Nothing to save yet', 'Load data and build a network first.');
      return false;
    }
    try {
      let suggested = this.name ?? suggestModelName(this.ctx.data.loaded?.name, this.engineNet.spec);
      if (platform.kind === 'browser' && (saveAs || this.name === null)) {
        const name = await this.ctx.dialogs.prompt({
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
      const iteration = history.iteration;
      const ev = await link.send({ type: 'exportModel' });
      if (!ev) throw new Error('the engine sent no model bytes');
      const saved = await platform.saveModel({ bytes: new Uint8Array(ev.bytes), saveAs, suggestedName: suggested });
      if (!saved) return false;
      this.name = saved.name;
      this.saved = { net, iteration };
      this.updateDocument();
      notices.notify('success', 'Model saved', saved.name);
      return true;
    } catch (e) {
      notices.fail('Could not save the model', e);
      return false;
    }
  }

  async openDialog(): Promise<void> {
    if (!(await this.confirmDiscard('Opening another model'))) return;
    try {
      const f = await this.ctx.platform.openModel();
      if (f) await this.openFile(f, true);
    } catch (e) {
      this.ctx.notices.fail('Could not open the model', e);
    }
  }

  async openFile(file: OpenedFile, confirmed = false): Promise<void> {
    const { link, notices, status, history, draft } = this.ctx;
    const name = baseName(file.name);
    if (!confirmed && !(await this.confirmDiscard(`Opening ${name}`))) return;
    status.busy = `Opening ${name}…`;
    // Edits waiting to be built (a changed setting, the first network at startup, which is
    // when a double-clicked model file arrives) would otherwise be built after the model.
    this.ctx.cancelPendingSync();
    this.opening = true;
    try {
      const imported = await link.send({ type: 'importModel', name, bytes: file.bytes });
      if (!imported) throw new Error('the engine sent no model');
      this.ctx.cancelPendingSync();
      draft.replace(imported.spec, imported.training);
      this.name = name;
      this.weightsFromFile = true;
      this.saved = { net: this.netVersion, iteration: history.iteration };
      this.updateDocument();
      const data = this.ctx.data.loaded;
      const fits = data && data.features === imported.spec.inputSize && data.classNames.length === imported.classNames.length;
      if (fits) {
        await this.ctx.evaluate();
        const ev = history.evaluation;
        const acc = ev?.testAccuracy ?? ev?.trainAccuracy;
        notices.notify('success', `Opened ${name}`, acc !== undefined && acc !== null ? `Accuracy on ${ev?.testAccuracy !== null ? 'the test set' : 'the training set'}: ${formatPercent(acc)}.` : undefined);
      } else {
        notices.notify(
          'info',
          `Opened ${name}`,
          `A ${imported.spec.inputSize}-input network for ${imported.classNames.length} classes. Load matching data to evaluate it or continue training.`,
        );
      }
    } catch (e) {
      this.ctx.scheduleSync(); // after `finally` lets builds happen again
      notices.fail(`Could not open ${name}`, e);
    } finally {
      this.opening = false;
      status.busy = null;
    }
  }
}
