import type { EventOf, Synthetic2DKind } from '../../../../core/protocol/messages.js';
import { baseName } from '../../../../core/format.js';
import { fileRole, planDataLoad, type DataRequest, type PickedFile } from '../data-files.js';
import { EngineError } from '../engine-client.js';
import type { EngineLink } from '../engine-link.js';
import type { MnistBytes } from '../mnist.js';
import type { DataShape } from '../network.js';
import type { OpenedFile, Platform } from '../platform.js';
import type { EngineStatus } from './engine-status.svelte.js';
import type { Notices } from './notices.svelte.js';

/**
 * The data the engine trains on: where it came from (a built-in set, MNIST,
 * files), how it is read (label column, standardization, test split), and the
 * engine's description of it once loaded. A load that fails leaves the data and
 * settings in use as they were.
 */

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

/** The training file of a file source (the one the data is named after). */
export function trainFileName(request: DataRequest): string {
  return baseName(request.kind === 'table' ? request.train.name : request.train.images.name);
}

export function sourceLabel(source: DataSource): string {
  if (source.kind === 'file') return trainFileName(source.request);
  return source.kind === 'mnist' ? 'MNIST' : syntheticLabel(source.params.kind);
}

/**
 * A table whose default label column (the last) is not where the classes are: a
 * column that is text from its first data row on is, in practice, the label.
 * The 0-based index of that column, or undefined when the error is anything else.
 */
function textColumnOf(e: unknown): number | undefined {
  if (!(e instanceof EngineError) || e.code !== 'NOT_A_NUMBER') return undefined;
  const { line, column } = e.where;
  return line !== undefined && line <= 2 && column !== undefined ? column - 1 : undefined;
}

/** More distinct labels than this, nearly all numbers: a measurement picked as the label, not classes. */
const CONTINUOUS_CLASSES = 20;

/** "1 class", "3 classes". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The label column's name in a table's preview ("species"), or a plain description. */
function labelName(ev: DataLoaded): string {
  return ev.preview.kind === 'table' ? `"${ev.preview.header[ev.preview.labelColumn] ?? `column ${ev.preview.labelColumn + 1}`}"` : 'The label column';
}

/**
 * What is wrong with the labels as classes, in the user's words: one class only,
 * or a continuous measurement (many distinct numeric values). Null when they look
 * like classes.
 */
export function labelProblem(ev: DataLoaded): { title: string; message: string } | null {
  const n = ev.classNames.length;
  const which = labelName(ev);
  if (n < 2) {
    return {
      title: 'The label column has only one class',
      message: `${which} holds the same value in every row; a classifier needs at least two classes. Choose another label column.`,
    };
  }
  const numeric = ev.classNames.filter((c) => c.trim() !== '' && Number.isFinite(Number(c))).length;
  if (n > CONTINUOUS_CLASSES && numeric >= 0.9 * n) {
    return {
      title: 'The label column looks continuous',
      message: `${which} has ${n} distinct numeric values: a measurement, not classes. Choose a column of classes as the label.`,
    };
  }
  return null;
}

/** A failed load in the user's words where the engine's are internal (by code and field, never by wording). */
function loadFailure(e: unknown, settings: DataSettings): string | null {
  if (e instanceof EngineError && e.code === 'BAD_USAGE' && e.where.field === 'split') {
    return `Too few rows for a ${Math.round(settings.testSplit * 100)}% test split. Set the test split lower (0% trains on every row) or use a file with more rows.`;
  }
  return null;
}

export interface DataContext {
  link: Pick<EngineLink, 'send'>;
  status: EngineStatus;
  notices: Notices;
  platform: Pick<Platform, 'openData'>;
  /** The built-in MNIST bytes (fetched once by lib/mnist.ts). */
  mnist: () => Promise<MnistBytes>;
  /** New data arrived (after its warnings were shown): the network may need to fit it. */
  loaded: (ev: DataLoaded) => void;
  /**
   * Asked before another data set replaces the current one (it may need a rebuilt
   * network): false keeps everything as it is. `settled` follows when the load ends.
   */
  approveNewDataSet?: (label: string, shape: { features: number; classes: number } | null) => Promise<boolean>;
  newDataSetSettled?: (loaded: boolean) => void;
}

/** The features and classes a source will have, where known before loading it (built-in sets); null for files. */
export function expectedShape(source: DataSource): { features: number; classes: number } | null {
  if (source.kind === 'mnist') return { features: 784, classes: 10 };
  if (source.kind === 'synthetic') return { features: 2, classes: source.params.kind === 'spiral' || source.params.kind === 'gaussians' ? source.params.classes : 2 };
  return null;
}

/** Would `next` be another data set than `current` (not the same one read with other settings)? */
export function isOtherDataSet(current: DataSource | null, next: DataSource): boolean {
  if (!current) return false;
  if (current.kind !== next.kind) return true;
  if (current.kind === 'synthetic' && next.kind === 'synthetic') return current.params.kind !== next.params.kind || current.params.classes !== next.params.classes;
  return current.kind === 'file';
}

/** Images from the data itself (IDX, built-in MNIST: 1 x H x W), else the shape the user gave a table when it fits. */
export function inputShapeOf(
  loaded: Pick<DataLoaded, 'features' | 'imageShape'>,
  given: readonly [number, number, number] | null,
): [number, number, number] | undefined {
  if (loaded.imageShape) return [1, loaded.imageShape[0], loaded.imageShape[1]];
  return given && given[0] * given[1] * given[2] === loaded.features ? [given[0], given[1], given[2]] : undefined;
}

export class DataState {
  /** The engine's description of the loaded data; null before any. */
  loaded = $state.raw<DataLoaded | null>(null);
  source = $state.raw<DataSource | null>(null);
  settings = $state<DataSettings>({ labelColumn: undefined, standardize: true, testSplit: 0.2, splitSeed: 1 });
  synthetic = $state<SyntheticParams>({ ...DEFAULT_SYNTHETIC });
  /** An IDX images file waiting for its labels file. */
  pendingImages = $state.raw<PickedFile | null>(null);

  /** C x H x W the user gave a table of pixels (a CSV with 784 columns: 1 x 28 x 28); null: flat features. */
  tableImageShape = $state.raw<[number, number, number] | null>(null);

  shape: DataShape | undefined = $derived(
    this.loaded
      ? {
          features: this.loaded.features,
          classes: this.loaded.classNames.length,
          imageShape: this.loaded.imageShape,
          inputShape: inputShapeOf(this.loaded, this.tableImageShape),
        }
      : undefined,
  );

  constructor(private readonly ctx: DataContext) {}

  /** The engine loaded data (this session's command, or a restarted engine given its data back). */
  onLoaded(ev: DataLoaded): void {
    this.loaded = ev;
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

  /** Load the current source again with changed settings (label column, standardization, split). */
  async reload(): Promise<void> {
    if (this.source) await this.loadSource(this.source, 'Reloading data…');
  }

  /** Change how the data is read and load it again; a setting the data cannot take is undone. */
  async setSettings(patch: Partial<DataSettings>): Promise<void> {
    const before = $state.snapshot(this.settings) as DataSettings;
    Object.assign(this.settings, patch);
    if (!this.source) return;
    const ok = await this.loadSource(this.source, 'Reloading data…', true);
    if (!ok) Object.assign(this.settings, before);
  }

  async openDialog(): Promise<void> {
    try {
      const pick = await this.ctx.platform.openData();
      if (pick) await this.openFiles(pick.files, pick.request);
    } catch (e) {
      this.ctx.notices.fail('Could not open the file', e);
    }
  }

  /** Data files from a dialog, a drop or the menu: paired (IDX images with labels, train with test) and loaded. */
  async openFiles(files: OpenedFile[], request?: DataRequest): Promise<void> {
    let req = request;
    if (!req) {
      // An images file chosen earlier waits for its labels: pair it with what comes now.
      const all = this.pendingImages && !files.some((f) => fileRole(f) === 'idx-images') ? [this.pendingImages, ...files] : files;
      const plan = planDataLoad(all);
      if (!plan.ok) {
        if (plan.needsLabelsFor) {
          this.pendingImages = plan.needsLabelsFor;
          this.ctx.notices.notify('warning', 'Labels needed', plan.message, { label: 'Choose labels file…', run: () => void this.openDialog() });
        } else this.ctx.notices.notify('error', 'Could not open the data', plan.message);
        return;
      }
      req = plan.request;
    }
    await this.loadWithSettings(
      { labelColumn: undefined, ...(this.source?.kind !== 'file' ? { standardize: req.kind === 'table' } : {}) },
      { kind: 'file', request: req },
      `Reading ${trainFileName(req)}…`,
    );
  }

  /**
   * Load a new source with the settings that suit it (a kind's defaults); when it
   * fails, the data and settings in use stay as they were.
   */
  private async loadWithSettings(patch: Partial<DataSettings>, source: DataSource, busy: string): Promise<boolean> {
    // Another data set may need a rebuilt network: ask before anything changes.
    const other = isOtherDataSet(this.source, source);
    if (other && this.ctx.approveNewDataSet && !(await this.ctx.approveNewDataSet(sourceLabel(source), expectedShape(source)))) return false;
    const before = $state.snapshot(this.settings) as DataSettings;
    Object.assign(this.settings, patch);
    const ok = await this.loadSource(source, busy);
    if (!ok) Object.assign(this.settings, before);
    if (other) this.ctx.newDataSetSettled?.(ok);
    return ok;
  }

  private options(source: DataSource) {
    const s = this.settings;
    return {
      standardize: s.standardize,
      testSplit: source.kind === 'file' && source.request.test ? 0 : s.testSplit,
      splitSeed: s.splitSeed,
      ...(source.kind === 'file' && source.request.kind === 'table' && s.labelColumn !== undefined ? { labelColumn: s.labelColumn } : {}),
    };
  }

  private async send(source: DataSource): Promise<DataLoaded | undefined> {
    const options = this.options(source);
    const link = this.ctx.link;
    if (source.kind === 'synthetic') {
      const p = source.params;
      return link.send({
        type: 'loadBuiltin',
        dataset: { kind: p.kind, count: p.count, noise: p.noise, seed: p.seed, ...(p.kind === 'spiral' || p.kind === 'gaussians' ? { classes: p.classes } : {}) },
        options,
      });
    }
    if (source.kind === 'mnist') {
      const m = await this.ctx.mnist();
      // Copies, not transfers: the cache keeps the bytes for the next load.
      return link.send({ type: 'loadBuiltin', dataset: { kind: 'mnist', images: m.images.slice(), labels: m.labels.slice() }, options });
    }
    const r = source.request;
    const train = r.kind === 'table' ? r.train : r.train.images;
    return link.send({
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

  /** Send a data source to the engine; on success it becomes the current one. */
  private async loadSource(source: DataSource, busy: string, retried = false, quiet = false): Promise<boolean> {
    this.ctx.status.busy = busy;
    try {
      const ev = await this.send(source);
      this.source = source;
      this.pendingImages = null;
      if (ev) {
        // A problem with the labels explains the warnings that follow from it ("class 'x' has no test samples"): say it instead.
        const problem = labelProblem(ev);
        if (problem) this.ctx.notices.notify('warning', problem.title, problem.message);
        else this.ctx.notices.notifyAll('warning', ev.name, ev.warnings);
        this.ctx.loaded(ev);
      }
      return true;
    } catch (e) {
      // Text from the first data row on in a column read as numbers: take that column as the label, once, and say so.
      const textColumn = textColumnOf(e);
      if (source.kind === 'file' && source.request.kind === 'table' && textColumn !== undefined && this.settings.labelColumn === undefined && !retried) {
        this.settings.labelColumn = textColumn;
        this.ctx.status.busy = null;
        const ok = await this.loadSource(source, busy, true, true).catch(() => false);
        if (ok) {
          const preview = this.loaded?.preview;
          const name = preview?.kind === 'table' ? (preview.header[textColumn] ?? `column ${textColumn + 1}`) : `column ${textColumn + 1}`;
          this.ctx.notices.notify('info', `Label column: ${name}`, `"${name}" holds text, so it was taken as the class label. Choose another in the Data panel.`);
          return true;
        }
        this.settings.labelColumn = undefined;
      }
      if (quiet) throw e;
      const words = loadFailure(e, this.settings);
      if (words) this.ctx.notices.notify('error', `Could not load ${sourceLabel(source)}`, words);
      else this.ctx.notices.fail(`Could not load ${sourceLabel(source)}`, e);
      return false;
    } finally {
      this.ctx.status.busy = null;
    }
  }
}
