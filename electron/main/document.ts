import path from 'node:path';

/**
 * The model file the window is editing: where it lives (null until first saved
 * or opened) and whether the renderer holds changes not yet written. The window
 * title is derived from it: "mnist.safetensors • — Backprop Studio".
 */
export const APP_NAME = 'Backprop Studio';
export const UNSAVED_MARK = '•';

export class ModelDocument {
  private _path: string | null = null;
  private _unsaved = false;

  constructor(private readonly onChange: (doc: ModelDocument) => void = () => {}) {}

  get path(): string | null {
    return this._path;
  }

  get unsaved(): boolean {
    return this._unsaved;
  }

  get name(): string {
    return this._path ? path.basename(this._path) : 'Untitled';
  }

  get title(): string {
    return `${this.name}${this._unsaved ? ` ${UNSAVED_MARK}` : ''} — ${APP_NAME}`;
  }

  /** A model was opened from or saved to `file`: it is now the document, with nothing unsaved. */
  setFile(file: string): void {
    this._path = file;
    this._unsaved = false;
    this.onChange(this);
  }

  /** From the renderer: unsaved changes, and optionally "this is a new model" (forget the file). */
  setState(state: { unsaved: boolean; untitled?: boolean }): void {
    const path = state.untitled ? null : this._path;
    // The renderer reports its state often (with every progress update): only changes matter.
    if (path === this._path && state.unsaved === this._unsaved) return;
    this._path = path;
    this._unsaved = state.unsaved;
    this.onChange(this);
  }
}
