import { BrowserWindow, nativeTheme } from 'electron';
import { APP_ENTRY_URL } from './app-origin.js';
import type { ModelDocument } from './document.js';
import { APP_VERSION_ARG } from '../../contract/preload-args.js';
import { hardenWebContents, secureWebPreferences } from './window-security.js';

/**
 * The studio's one window: hardened preferences (window-security.ts), the app
 * page from app://studio, the title and macOS "edited" dot following the
 * document, and a question before closing over unsaved work.
 */

export interface MainWindowOptions {
  preloadPath: string;
  devTools: boolean;
  appVersion: string;
  document: ModelDocument;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 620,
    show: false,
    title: options.document.title,
    // Matches the page's background so the first paint does not flash.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#f7f7f8',
    webPreferences: {
      ...secureWebPreferences(options.preloadPath, options.devTools),
      additionalArguments: [`${APP_VERSION_ARG}${options.appVersion}`],
    },
  });
  hardenWebContents(win.webContents);
  // The page sets no <title> of its own that should win over the document's name.
  win.on('page-title-updated', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

/** Title and the macOS document-edited mark follow the document. */
export function showDocumentState(win: Pick<BrowserWindow, 'setTitle' | 'setDocumentEdited' | 'setRepresentedFilename' | 'isDestroyed'>, doc: ModelDocument, platform: NodeJS.Platform): void {
  if (win.isDestroyed()) return;
  win.setTitle(doc.title);
  if (platform === 'darwin') {
    win.setDocumentEdited(doc.unsaved);
    win.setRepresentedFilename(doc.path ?? '');
  }
}

export type CloseChoice = 'save' | 'discard' | 'cancel';

export interface UnsavedCloseGuard {
  /** Ask the user; the window stays open while they decide. */
  ask(): Promise<CloseChoice>;
  /** Save the model; false when the user cancelled the save dialog or saving failed (already reported). */
  save(): Promise<boolean>;
}

/**
 * Closing with unsaved work: the close is held, the user chooses Save, Don't Save
 * or Cancel; after a successful save or Don't Save the window closes for real.
 */
export function guardUnsavedClose(
  win: Pick<BrowserWindow, 'on' | 'close' | 'isDestroyed'>,
  doc: ModelDocument,
  guard: UnsavedCloseGuard,
): void {
  let closing = false;
  let asking = false;
  win.on('close', (event) => {
    if (closing || !doc.unsaved) return;
    event.preventDefault();
    if (asking) return;
    asking = true;
    void (async () => {
      try {
        const choice = await guard.ask();
        if (choice === 'cancel') return;
        if (choice === 'save' && !(await guard.save())) return;
        closing = true;
        if (!win.isDestroyed()) win.close();
      } finally {
        asking = false;
      }
    })();
  });
}
