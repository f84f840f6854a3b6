import type { DataRequest } from './data-files.js';
import type { EngineLink } from './engine-link.js';
import type { ExportFormat } from './export-model.js';

/**
 * Everything that differs between the desktop app and browser mode, behind one
 * interface: where the engine runs, how files are picked and written, and how
 * the window shows the document's name. The session never asks which one it has.
 */

/** A file the user chose, with its bytes (the engine parses them). */
export interface OpenedFile {
  name: string;
  bytes: Uint8Array;
  /** Full path in the desktop app (tooltips), absent in the browser. */
  path?: string;
}

export type MenuCommand =
  | { type: 'new-model' }
  | { type: 'open-data' }
  | { type: 'open-model' }
  | { type: 'save-model' }
  | { type: 'save-model-as' }
  | { type: 'export-model'; format: ExportFormat }
  | { type: 'open-file'; load: () => Promise<{ files: OpenedFile[]; request?: DataRequest }>; kind: 'data' | 'model'; name: string };

export interface SaveRequest {
  bytes: Uint8Array;
  /** Ask where to save (Save As, or the first save). */
  saveAs: boolean;
  /** Proposed file name ("spiral-2-16-16-3.safetensors"). */
  suggestedName: string;
}

export interface Platform {
  readonly kind: 'electron' | 'browser';
  /** "Ctrl" or "⌘", for shortcut hints. */
  readonly modifierKey: string;
  /** The desktop menu owns Ctrl/Cmd+O and +S (its accelerators); the page must not handle them twice. */
  readonly menuOwnsFileShortcuts: boolean;
  /** Start the engine and keep `link` attached to it across restarts. */
  startEngine(link: EngineLink): void;
  /** Start a fresh engine on demand (the "Restart engine" button after a failure). */
  restartEngine(link: EngineLink): void;
  /**
   * Pick data files: several at once where possible (IDX images with labels).
   * `request` is set when the platform already paired the files (Electron main
   * reads an IDX file's labels and test files found beside it). null = cancelled.
   */
  openData(): Promise<{ files: OpenedFile[]; request?: DataRequest } | null>;
  openModel(): Promise<OpenedFile | null>;
  /** One picker for data files and models alike (browser Ctrl+O); absent where the menu splits them. */
  openAny?(): Promise<OpenedFile[] | null>;
  /** Write a model; resolves with the name it was saved under, or null when cancelled. */
  saveModel(req: SaveRequest): Promise<{ name: string } | null>;
  /** Offer exported bytes (chart PNG, CSV) as a file. */
  download(name: string, blob: Blob): void;
  /** Window title and the unsaved mark. */
  setDocumentState(title: string, unsaved: boolean): void;
  /** A native "discard changes?" question, or null when the app must ask in-page. */
  confirmDiscard: ((detail: string) => Promise<boolean>) | null;
  /** Menu commands (desktop); returns the unsubscribe function. */
  onMenu(cb: (cmd: MenuCommand) => void): () => void;
}

/** Trigger a download of `blob` as `name` (both modes: Electron shows its own save dialog). */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke later: Chromium reads the blob asynchronously after the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
