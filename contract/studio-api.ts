/**
 * The `window.studio` API the preload exposes to the renderer in Electron.
 *
 * Types only (plus two constants): no electron import. It lives in contract/,
 * beside neither process, so both electron/ and renderer/ import it; the renderer can
 * `import type { StudioApi } from '../../contract/studio-api.js'` and browser mode
 * simply finds `window.studio` undefined.
 *
 * The renderer never names an arbitrary path: it gets bytes of files the user
 * picked (a dialog, the Open Recent menu, a double-clicked model file), and
 * `openPath` accepts only paths main handed to it that way.
 */

import type { RestoredState } from '../core/host/restore-plan.js';

export type { RestoredState };

/** What a file is for: data to train on, or a saved model. */
export type FileKind = 'data' | 'model';

/** A file the user picked, before it is read. */
export interface PickedFile {
  kind: FileKind;
  /** Absolute path (shown in Open Recent and tooltips). */
  path: string;
  /** Base name ("train.csv"), used by the engine for format detection. */
  name: string;
}

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

/**
 * A file read by main with a size cap, bytes untouched: the engine parses them.
 * For IDX images main also reads the files that belong with it, found beside it
 * by name (core/data/idx.ts pairedLabelFileName): its labels, and for a `train-…`
 * file the `t10k-…` test images and labels. The shape matches the engine's
 * loadData command, so the renderer passes them straight on.
 */
export interface OpenedFile extends PickedFile {
  bytes: Uint8Array;
  labels?: NamedBytes;
  test?: NamedBytes & { labels?: NamedBytes };
}

/** Where a model was written (atomically). */
export interface SavedFile {
  path: string;
  name: string;
}

export interface SaveModelOptions {
  /** Always ask where to save, even when the document already has a file. */
  saveAs?: boolean;
  /** File name proposed in the Save dialog ("mnist-784-50-10.safetensors"). */
  suggestedName?: string;
}

/** Menu commands main forwards to the renderer (the renderer decides, e.g. asks about unsaved work). */
export type MenuAction =
  /** File › New Model: an Untitled model with fresh weights (the renderer asks about unsaved work). */
  | { type: 'new-model' }
  | { type: 'open-data' }
  | { type: 'open-model' }
  | { type: 'save-model' }
  | { type: 'save-model-as' }
  /** File › Export Model: the renderer converts the engine's model and offers the file. */
  | { type: 'export-model'; format: 'onnx' | 'npz' | 'pytorch' }
  /** Open Recent, a double-clicked .safetensors, a path given to a second instance: read it with `openPath`. */
  | { type: 'open-path'; file: PickedFile };

/**
 * What happened to the engine process. `restarting` as soon as a crash is seen,
 * `restarted` once the new engine holds the restored state, `failed` when the
 * retry limit is reached (the menu's Reload Engine tries again from scratch).
 */
export interface EngineRestartEvent {
  phase: 'restarting' | 'restarted' | 'failed';
  /**
   * `crashed`: it exited on its own; `unresponsive`: it stopped answering the
   * heartbeat and was ended; `reload`: the user chose Reload Engine.
   */
  reason: 'crashed' | 'unresponsive' | 'reload';
  /** Exit code of the process that ended (null for a reload or an unresponsive engine). */
  exitCode: number | null;
  /** Restart attempt since the engine last ran steadily (1 = first). */
  attempt: number;
  maxAttempts: number;
  /** What the new engine got back; filled in for `restarted`. */
  restored: RestoredState;
  /** One or two sentences for the user. */
  message: string;
}

export interface DocumentState {
  /** The model has changes not written to its file: title mark, and a prompt on close. */
  unsaved: boolean;
  /** Forget the current model file (a new network): the next Save asks where. */
  untitled?: boolean;
}

export interface RecentFile extends PickedFile {
  /** When it was last opened or saved (ms since epoch). */
  openedAt: number;
}

export interface PlatformInfo {
  /** process.platform of the desktop: 'darwin', 'win32', 'linux'. */
  os: string;
  /** Modifier for shortcuts in labels: '⌘' on macOS, 'Ctrl' elsewhere. */
  modifierKey: string;
  versions: { app: string; electron: string; chrome: string; node: string };
}

/**
 * The kept training runs (the Runs view) in the user's data folder: one JSON file
 * per run and its weights, written atomically by main. Records go in and come back
 * as plain JSON values; the renderer checks them (renderer/src/lib/runs/record.ts).
 */
export interface RunsStoreApi {
  list(): Promise<unknown[]>;
  /** Add or replace a run; `id` is the record's id (letters, digits, dashes). */
  put(id: string, record: unknown): Promise<void>;
  remove(id: string): Promise<void>;
  putWeights(id: string, bytes: Uint8Array): Promise<void>;
  getWeights(id: string): Promise<Uint8Array | null>;
}

/**
 * The compute backend the user chose for the desktop engine (Settings in the run bar):
 * `auto` runs the products on ONNX Runtime's native kernels where that library loads
 * and on WebAssembly elsewhere; the others force one. The same names as the CLI's
 * `--backend` (node/backend-choice.ts BACKEND_CHOICES; a test keeps the two equal).
 */
export const COMPUTE_BACKENDS = ['auto', 'native', 'wasm', 'reference'] as const;
export type ComputeBackend = (typeof COMPUTE_BACKENDS)[number];

/** The compute backend setting, kept by main in the user's data folder. */
export interface ComputeBackendApi {
  /** The stored choice (`auto` when none was made or the settings file is damaged). */
  get(): Promise<ComputeBackend>;
  /**
   * Store the choice and, when it changed, restart the engine on it with the user's
   * network, data and weights restored (the same restart as Engine > Reload Engine).
   * The renderer then hears the restart and a new `ready` naming the backend in use.
   */
  set(backend: ComputeBackend): Promise<void>;
}

export interface StudioApi {
  readonly platform: PlatformInfo;
  /** Native open dialog for CSV/TSV/IDX; null when the user cancels. Rejects with a one-line message (too large, unreadable). */
  openDataFile(): Promise<OpenedFile | null>;
  /** Native open dialog for .safetensors models; null when cancelled. */
  openModelFile(): Promise<OpenedFile | null>;
  /** Read a file main offered through an `open-path` menu action or `getRecentFiles`. */
  openPath(path: string): Promise<OpenedFile>;
  /**
   * Write model bytes (from the engine's exportModel) atomically: to the current
   * model file, or where the user picks (first save, saveAs). null when cancelled.
   */
  saveModel(bytes: Uint8Array, options?: SaveModelOptions): Promise<SavedFile | null>;
  getRecentFiles(): Promise<RecentFile[]>;
  /** Unsaved mark in the title bar and the prompt when the window closes. */
  setDocumentState(state: DocumentState): void;
  /** Native "discard unsaved changes?" question; true = go ahead and discard. */
  confirmDiscardChanges(detail: string): Promise<boolean>;
  /**
   * Ask main for a MessagePort to the engine. It arrives as a window `message`
   * event whose data is `{ type: ENGINE_PORT_MESSAGE }` and whose `ports[0]` is the
   * port (contextBridge cannot pass ports). Register that listener first, then
   * call this. A new port also arrives by itself after every engine restart.
   */
  connectEngine(): void;
  /** Subscribe; returns the unsubscribe function. */
  onMenu(cb: (action: MenuAction) => void): () => void;
  /** Every phase of an engine restart (crash or Reload Engine): show it to the user. */
  onEngineRestarted(cb: (event: EngineRestartEvent) => void): () => void;
  /** The runs store (absent in a preload older than the Runs view). */
  readonly runs?: RunsStoreApi;
  /** The engine's compute backend setting (absent in a preload older than it). */
  readonly computeBackend?: ComputeBackendApi;
}

/** `data.type` of the window message that carries the engine port (see connectEngine). */
export const ENGINE_PORT_MESSAGE = 'backprop-studio:engine-port';

declare global {
  interface Window {
    /** Present in the desktop app only. */
    studio?: StudioApi;
  }
}
