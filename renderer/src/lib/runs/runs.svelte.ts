import { errorMessage } from '../../../../core/errors.js';
import type { EngineEvent } from '../../../../core/protocol/messages.js';
import type { NetworkSpec, TrainingConfig } from '../../../../core/spec.js';
import { COMPARISON_INFO, comparisonPlans, unavailable, type ComparisonId, type DataShape, type RunPlan } from './comparisons.js';
import { exportName, runsCsv, runsSettingsJson } from './export.js';
import { RunQueue, type QueueLink, type QueueProgress } from './queue.js';
import { newRunId, type RunRecord } from './record.js';
import { RunRecorder } from './recorder.js';
import { searchPlans, type SearchSettings } from './search.js';
import type { RunStore } from './store.js';

/**
 * The Runs view's state: every run kept (from the store, plus the one being
 * recorded), the selection, the queue of comparison and search runs. It owns the
 * recorder, so runs started from anywhere are kept.
 */

export interface RunsContext {
  link: QueueLink & { send(body: { type: 'exportModel' }): Promise<unknown> };
  store: RunStore;
  notify(level: 'error' | 'warning' | 'info' | 'success', title: string, message?: string): void;
  download(name: string, blob: Blob): void;
  /** What the editor holds now: runs of a search train this network. */
  draft(): { spec: NetworkSpec; training: TrainingConfig };
  dataShape(): DataShape | undefined;
  /** Runs replace the engine's network: the user agrees to lose unsaved weights first. */
  confirmDiscard(what: string): Promise<boolean>;
  /** Put a run's settings back into the editor; with weights, open them as the model. */
  reopen(run: RunRecord, weights: Uint8Array | null): Promise<void>;
}

export type SortKey = 'name' | 'createdAt' | 'finalTrainLoss' | 'finalTestLoss' | 'finalTestAccuracy' | 'bestTestAccuracy' | 'finalValidationAccuracy' | 'wallSeconds' | 'samplesPerSecond' | 'iterations';

/** Draw the run being recorded at most this often. */
const LIVE_MS = 500;

export class RunsState {
  runs = $state.raw<RunRecord[]>([]);
  /** The run being recorded, refreshed a few times a second. */
  live = $state.raw<RunRecord | null>(null);
  selected = $state<string[]>([]);
  sortKey = $state<SortKey>('createdAt');
  sortDescending = $state(false);
  keepWeights = $state(false);
  loaded = $state(false);
  queue = $state<QueueProgress>({ state: 'idle', index: 0, total: 0, current: null });
  /** Epochs per comparison run as last typed (0: not yet, the panel proposes the draft's). */
  compareEpochs = $state(0);
  /** The search last started (its group id), for the scatter. */
  searchGroup = $state<string | null>(null);

  readonly recorder: RunRecorder;
  private readonly runner: RunQueue;
  private liveTimer: ReturnType<typeof setTimeout> | null = null;
  /** Work started when a run ended (storing it, exporting its weights): the queue waits for it. */
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: RunsContext) {
    this.recorder = new RunRecorder(
      { subscribe: (l: (ev: EngineEvent) => void) => ctx.link.subscribe(l) },
      (run) => {
        this.saving = this.keep(run);
      },
      () => this.scheduleLive(),
    );
    this.runner = new RunQueue(
      ctx.link,
      (l) => this.recorder.label(l),
      (p) => (this.queue = p),
      () => this.saving,
    );
  }

  /** Read the stored runs (once, at start). */
  async load(): Promise<void> {
    try {
      const { runs, damaged } = await this.ctx.store.list();
      // Runs recorded while the store was loading stay too.
      const ids = new Set(runs.map((r) => r.id));
      this.runs = [...runs, ...this.runs.filter((r) => !ids.has(r.id))];
      this.recorder.setCounter(this.runs.length);
      if (damaged > 0) this.ctx.notify('warning', 'Some stored runs could not be read', `${damaged} run${damaged === 1 ? '' : 's'} in ${this.ctx.store.where} failed the check and are not shown.`);
    } catch (e) {
      this.ctx.notify('error', 'Could not read the stored runs', errorMessage(e));
    } finally {
      this.loaded = true;
    }
  }

  private scheduleLive(): void {
    if (this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = null;
      this.live = this.recorder.current();
    }, LIVE_MS);
  }

  private async keep(run: RunRecord): Promise<void> {
    this.live = null;
    try {
      if (this.keepWeights && run.status !== 'diverged') {
        const ev = (await this.ctx.link.send({ type: 'exportModel' })) as { bytes?: ArrayBuffer } | undefined;
        if (ev?.bytes) {
          await this.ctx.store.putWeights(run.id, new Uint8Array(ev.bytes));
          run.hasWeights = true;
        }
      }
    } catch (e) {
      this.ctx.notify('warning', `The weights of ${run.name} were not kept`, errorMessage(e));
    }
    this.runs = [...this.runs, run];
    try {
      await this.ctx.store.put(run);
    } catch (e) {
      this.ctx.notify('error', `Could not store ${run.name}`, `${errorMessage(e)}. It stays listed until the page closes.`);
    }
  }

  // --- selection and editing ---------------------------------------------------

  isSelected(id: string): boolean {
    return this.selected.includes(id);
  }
  toggle(id: string): void {
    this.selected = this.isSelected(id) ? this.selected.filter((s) => s !== id) : [...this.selected, id];
  }
  select(ids: string[]): void {
    this.selected = [...ids];
  }
  selectedRuns(): RunRecord[] {
    return this.runs.filter((r) => this.selected.includes(r.id));
  }

  async rename(id: string, name: string): Promise<void> {
    const run = this.runs.find((r) => r.id === id);
    const trimmed = name.trim().slice(0, 200);
    if (!run || !trimmed || trimmed === run.name) return;
    const renamed = { ...run, name: trimmed };
    this.runs = this.runs.map((r) => (r.id === id ? renamed : r));
    try {
      await this.ctx.store.put(renamed);
    } catch (e) {
      this.ctx.notify('error', 'Could not rename the run', errorMessage(e));
    }
  }

  async remove(ids: string[]): Promise<void> {
    this.runs = this.runs.filter((r) => !ids.includes(r.id));
    this.selected = this.selected.filter((s) => !ids.includes(s));
    try {
      for (const id of ids) await this.ctx.store.delete(id);
    } catch (e) {
      this.ctx.notify('error', 'Could not delete from the store', errorMessage(e));
    }
  }

  exportCsv(runs: RunRecord[]): void {
    if (runs.length === 0) return;
    this.ctx.download(exportName(runs.length === 1 ? runs[0]!.name : 'runs', 'csv'), new Blob([runsCsv(runs)], { type: 'text/csv' }));
  }

  exportJson(runs: RunRecord[]): void {
    if (runs.length === 0) return;
    this.ctx.download(exportName(runs.length === 1 ? runs[0]!.name : 'runs-settings', 'json'), new Blob([runsSettingsJson(runs)], { type: 'application/json' }));
  }

  async reopen(run: RunRecord): Promise<void> {
    try {
      const weights = run.hasWeights ? await this.ctx.store.getWeights(run.id) : null;
      await this.ctx.reopen(run, weights);
    } catch (e) {
      this.ctx.notify('error', `Could not reopen ${run.name}`, errorMessage(e));
    }
  }

  // --- runs of comparisons and searches ---------------------------------------------

  get busy(): boolean {
    return this.queue.state !== 'idle';
  }

  comparisonUnavailable(id: ComparisonId): string | null {
    if (!this.ctx.dataShape()) return 'load data first';
    return unavailable(id);
  }

  async compare(id: ComparisonId, epochs: number): Promise<void> {
    const shape = this.ctx.dataShape();
    const why = this.comparisonUnavailable(id);
    if (!shape || why) {
      this.ctx.notify('error', `Cannot run the ${COMPARISON_INFO[id].title.toLowerCase()} comparison`, why ?? 'load data first');
      return;
    }
    const groupId = newRunId();
    await this.execute(comparisonPlans(id, shape, this.ctx.draft().training, epochs, groupId), COMPARISON_INFO[id].title, groupId);
  }

  async search(settings: SearchSettings): Promise<void> {
    if (!this.ctx.dataShape()) {
      this.ctx.notify('error', 'Cannot search', 'Load data first.');
      return;
    }
    const { spec, training } = this.ctx.draft();
    const groupId = newRunId();
    const n = this.runs.filter((r) => r.group?.kind === 'search').map((r) => r.group!.id);
    const label = `Search ${new Set(n).size + 1}`;
    let plans: RunPlan[];
    try {
      plans = searchPlans(settings, spec, training, groupId, label);
    } catch (e) {
      this.ctx.notify('error', 'Cannot search', errorMessage(e));
      return;
    }
    this.searchGroup = groupId;
    await this.execute(plans, label, groupId);
  }

  private async execute(plans: RunPlan[], title: string, groupId: string): Promise<void> {
    if (this.busy) return;
    if (!(await this.ctx.confirmDiscard(`Running ${title.toLowerCase()}`))) return;
    const before = new Set(this.runs.map((r) => r.id));
    const r = await this.runner.run(plans);
    const made = this.runs.filter((x) => !before.has(x.id) && x.group?.id === groupId).map((x) => x.id);
    this.select(made);
    if (r.failed) this.ctx.notify('error', `${title}: a run could not start`, r.failed);
    else if (r.stopped) this.ctx.notify('info', `${title} stopped`, `${r.completed} of ${plans.length} runs kept.`);
    else this.ctx.notify('success', `${title} done`, `${r.completed} runs, selected in the Runs view.`);
  }

  pause(): Promise<void> {
    return this.runner.pause().catch((e: unknown) => this.ctx.notify('error', 'Could not pause', errorMessage(e)));
  }
  resume(): Promise<void> {
    return this.runner.resume().catch((e: unknown) => this.ctx.notify('error', 'Could not resume', errorMessage(e)));
  }
  stop(): Promise<void> {
    return this.runner.stop();
  }
}
