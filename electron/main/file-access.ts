import path from 'node:path';
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { pairedLabelFileName } from '../../core/data/idx.js';
import { DATA_LIMITS } from '../../core/data/limits.js';
import { StudioError } from '../../core/errors.js';
import { MAX_HEADER_BYTES } from '../../core/model/safetensors.js';
import { LIMITS } from '../../core/spec.js';
import { ioMessage } from '../../node/io-message.js';
import type { ModelDocument } from './document.js';
import type { RecentFiles } from './recent-files.js';
import type { FileKind, NamedBytes, OpenedFile, PickedFile, SavedFile, SaveModelOptions } from '../../contract/studio-api.js';

/**
 * Files in and out of the desktop app. Main reads only files the user picked
 * (dialog, Open Recent, a double-clicked model), with a size cap, and hands the
 * bytes over untouched: parsing is the engine's job. Models are written
 * atomically (temp file, fsync, rename), so a failed save never damages the old file.
 */

/** Data: the engine's own limit on a data file. */
export const DATA_MAX_BYTES = DATA_LIMITS.maxFileBytes;
/** Models: the largest network a spec allows (float32 parameters) plus the largest header a reader accepts. */
export const MODEL_MAX_BYTES = LIMITS.maxParams * 4 + MAX_HEADER_BYTES + 8;

export const MODEL_EXTENSION = 'safetensors';

const DATA_FILTERS: OpenDialogOptions['filters'] = [
  // IDX files usually have no extension (train-images-idx3-ubyte), so everything is shown first.
  { name: 'All files', extensions: ['*'] },
  { name: 'CSV or TSV', extensions: ['csv', 'tsv', 'txt', 'gz'] },
  { name: 'IDX (MNIST format)', extensions: ['idx', 'ubyte', 'gz'] },
];
const MODEL_FILTERS: OpenDialogOptions['filters'] = [{ name: 'Safetensors model', extensions: [MODEL_EXTENSION] }];

export interface FileAccessDeps {
  showOpenDialog(options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
  /** Reads at most `maxBytes`; a larger file is refused with TOO_LARGE before it is read. */
  readFileCapped(file: string, maxBytes: number): Promise<Uint8Array>;
  writeFileAtomic(file: string, bytes: Uint8Array): Promise<void>;
  exists(file: string): Promise<boolean>;
  recent: RecentFiles;
  document: ModelDocument;
  /** Also tell the OS (Dock / jump list recent documents). */
  noteRecentDocument?(file: string): void;
}

export function kindOfPath(file: string): FileKind {
  return path.extname(file).toLowerCase() === `.${MODEL_EXTENSION}` ? 'model' : 'data';
}

export class FileAccess {
  /** Paths the user handed to the app outside a dialog (double-click, second instance). */
  private readonly granted = new Map<string, FileKind>();
  /** The model file last handed to the renderer: it becomes the document once the engine accepts it. */
  private openedModel: string | null = null;

  constructor(private readonly deps: FileAccessDeps) {}

  /** A path the OS gave us (file association, command line): the renderer may now open it. */
  grant(file: string): PickedFile {
    const resolved = path.resolve(file);
    const kind = kindOfPath(resolved);
    this.granted.set(resolved, kind);
    return { kind, path: resolved, name: path.basename(resolved) };
  }

  /** Native open dialog, then the capped read. null when cancelled. */
  async openWithDialog(kind: FileKind): Promise<OpenedFile | null> {
    const result = await this.deps.showOpenDialog({
      title: kind === 'data' ? 'Open Data' : 'Open Model',
      properties: ['openFile'],
      filters: kind === 'data' ? DATA_FILTERS : MODEL_FILTERS,
      ...(this.deps.document.path && kind === 'model' ? { defaultPath: path.dirname(this.deps.document.path) } : {}),
    });
    const file = result.filePaths[0];
    if (result.canceled || !file) return null;
    return this.open(kind, file);
  }

  /** Open a path from Open Recent or from the OS; any other path is refused. */
  async openPath(file: string): Promise<OpenedFile> {
    const resolved = path.resolve(file);
    const kind = this.granted.get(resolved) ?? this.deps.recent.find(resolved)?.kind;
    if (!kind) {
      throw new StudioError('IO', `${path.basename(resolved)}: not a file you opened in the studio; use File > Open`);
    }
    return this.open(kind, resolved);
  }

  /**
   * Write a model: to the document's file, or (first save, Save As) where the user
   * picks. null when the user cancels the dialog.
   */
  async saveModel(bytes: Uint8Array, options: SaveModelOptions = {}): Promise<SavedFile | null> {
    let target = options.saveAs ? null : this.deps.document.path;
    if (!target) {
      const suggested = safeFileName(options.suggestedName) ?? this.deps.document.name;
      const result = await this.deps.showSaveDialog({
        title: 'Save Model',
        defaultPath: this.deps.document.path
          ? path.join(path.dirname(this.deps.document.path), withModelExtension(suggested))
          : withModelExtension(suggested),
        filters: MODEL_FILTERS,
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      });
      if (result.canceled || !result.filePath) return null;
      target = withModelExtension(result.filePath);
    }
    if (bytes.byteLength > MODEL_MAX_BYTES) {
      throw new StudioError('TOO_LARGE', `the model is ${bytes.byteLength} bytes, over the ${MODEL_MAX_BYTES}-byte limit`);
    }
    try {
      await this.deps.writeFileAtomic(target, bytes);
    } catch (e) {
      throw asIoError(e, target, 'cannot save');
    }
    this.deps.document.setFile(target);
    await this.remember('model', target);
    return { path: target, name: path.basename(target) };
  }

  private async open(kind: FileKind, file: string): Promise<OpenedFile> {
    const name = path.basename(file);
    const maxBytes = kind === 'data' ? DATA_MAX_BYTES : MODEL_MAX_BYTES;
    let bytes: Uint8Array;
    try {
      bytes = await this.deps.readFileCapped(file, maxBytes);
    } catch (e) {
      // A recent file that was moved or deleted leaves the menu.
      if (this.deps.recent.has(file) && !(await this.deps.exists(file))) await this.deps.recent.remove(file);
      throw asIoError(e, file, 'cannot read');
    }
    const opened: OpenedFile = { kind, path: file, name, bytes };
    if (kind === 'data') Object.assign(opened, await this.companions(file));
    else this.openedModel = file;
    await this.remember(kind, file);
    return opened;
  }

  /**
   * The engine accepted a model named `name` (an acknowledged importModel): if it is
   * the file last opened, that file is now the document (title, Save target). A
   * model the engine refused never becomes the document, so Save cannot land on it.
   */
  adoptOpenedModel(name: string): boolean {
    const file = this.openedModel;
    if (!file || path.basename(file) !== name) return false;
    this.openedModel = null;
    this.deps.document.setFile(file);
    return true;
  }

  /**
   * The files that belong with an IDX images file, found beside it by name: its
   * labels, and for `train-…` the `t10k-…` test images with their labels.
   */
  private async companions(file: string): Promise<Pick<OpenedFile, 'labels' | 'test'>> {
    const labels = await this.readFirstExisting(pairedLabelFileName(file));
    if (!labels) return {};
    const base = path.basename(file);
    const m = /^train([-_.])/i.exec(base);
    if (!m) return { labels };
    const testFile = path.join(path.dirname(file), `t10k${m[1]}${base.slice(m[0].length)}`);
    const test = await this.readFirstExisting([testFile]);
    if (!test) return { labels };
    const testLabels = await this.readFirstExisting(pairedLabelFileName(testFile));
    return { labels, test: testLabels ? { ...test, labels: testLabels } : test };
  }

  private async readFirstExisting(candidates: readonly string[]): Promise<NamedBytes | undefined> {
    for (const candidate of candidates) {
      if (!(await this.deps.exists(candidate))) continue;
      try {
        return { name: path.basename(candidate), bytes: await this.deps.readFileCapped(candidate, DATA_MAX_BYTES) };
      } catch (e) {
        throw asIoError(e, candidate, 'cannot read');
      }
    }
    return undefined;
  }

  private async remember(kind: FileKind, file: string): Promise<void> {
    await this.deps.recent.add(kind, file, path.basename(file));
    this.deps.noteRecentDocument?.(file);
  }
}

function withModelExtension(file: string): string {
  return path.extname(file) === '' ? `${file}.${MODEL_EXTENSION}` : file;
}

/** A suggested name from the renderer, reduced to a plain file name (no folders, no odd characters). */
export function safeFileName(name: string | undefined): string | null {
  if (!name) return null;
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f<>:"|?*]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base.slice(0, 200) : null;
}

/** Keep StudioErrors (they already name the file); make other errors one line naming the file. */
function asIoError(e: unknown, file: string, what: string): StudioError {
  if (e instanceof StudioError) return e;
  return new StudioError('IO', `${what}: ${ioMessage(e)}`, { file });
}
