import type { OpenedFile as ElectronFile, StudioApi } from '../../../contract/studio-api.js';
import type { DataRequest } from './data-files.js';
import { ENGINE_PORT_MESSAGE } from '../../../contract/studio-api.js';
import type { EngineLink } from './engine-link.js';
import { downloadBlob, type MenuCommand, type OpenedFile, type Platform, type SaveRequest } from './platform.js';

/**
 * The desktop app: `window.studio` from the preload. Main owns the engine
 * process (and restarts it after a crash), the native dialogs, atomic writes and
 * the menu; we receive a MessagePort to the engine through a window message.
 */
export class ElectronPlatform implements Platform {
  readonly kind = 'electron' as const;
  readonly modifierKey: string;
  readonly menuOwnsFileShortcuts = true;
  readonly confirmDiscard: (detail: string) => Promise<boolean>;
  private listening = false;

  constructor(private readonly api: StudioApi) {
    this.modifierKey = api.platform.modifierKey;
    this.confirmDiscard = (detail) => api.confirmDiscardChanges(detail);
  }

  startEngine(link: EngineLink): void {
    if (!this.listening) {
      this.listening = true;
      window.addEventListener('message', (ev: MessageEvent) => {
        // Only the preload (same window) posts this; it carries the port in ev.ports.
        if (ev.source !== window || (ev.data as { type?: unknown } | null)?.type !== ENGINE_PORT_MESSAGE) return;
        const port = ev.ports[0];
        if (port) link.attach(port);
      });
      this.api.onEngineRestarted((e) => link.reportRestart({ phase: e.phase, reason: e.reason, message: e.message }));
    }
    this.api.connectEngine();
  }

  restartEngine(link: EngineLink): void {
    link.detach('The engine is being reconnected.');
    this.api.connectEngine();
  }

  async openData(): Promise<{ files: OpenedFile[]; request?: DataRequest } | null> {
    const f = await this.api.openDataFile();
    return f ? dataPick(f) : null;
  }

  async openModel(): Promise<OpenedFile | null> {
    const f = await this.api.openModelFile();
    return f ? { name: f.name, bytes: f.bytes, path: f.path } : null;
  }

  async saveModel(req: SaveRequest): Promise<{ name: string } | null> {
    const saved = await this.api.saveModel(req.bytes, { saveAs: req.saveAs, suggestedName: req.suggestedName });
    return saved ? { name: saved.name } : null;
  }

  download(name: string, blob: Blob): void {
    downloadBlob(name, blob);
  }

  setDocumentState(title: string, unsaved: boolean): void {
    document.title = `${title}${unsaved ? ' •' : ''} — Backprop Studio`;
    // Never `untitled`: main makes a file the document itself once the engine accepted
    // it (open) or it was written (save); a report racing with that must not undo it.
    this.api.setDocumentState({ unsaved });
  }

  onMenu(cb: (cmd: MenuCommand) => void): () => void {
    return this.api.onMenu((a) => {
      if (a.type === 'open-path') {
        const file = a.file;
        cb({ type: 'open-file', kind: file.kind, name: file.name, load: async () => dataPick(await this.api.openPath(file.path)) });
      } else cb(a);
    });
  }
}

/** Main already found an IDX file's labels (and test files) beside it: keep its pairing. */
export function dataPick(f: ElectronFile): { files: OpenedFile[]; request?: DataRequest } {
  const file: OpenedFile = { name: f.name, bytes: f.bytes, path: f.path };
  if (!f.labels) return { files: [file] };
  const request: DataRequest = {
    kind: 'idx',
    train: { images: file, labels: f.labels },
    test: f.test?.labels ? { images: { name: f.test.name, bytes: f.test.bytes }, labels: f.test.labels } : undefined,
  };
  return { files: [file], request };
}
