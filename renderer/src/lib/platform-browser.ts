import type { EngineLink } from './engine-link.js';
import { downloadBlob, type OpenedFile, type Platform, type SaveRequest } from './platform.js';

/**
 * Browser mode: the engine is a module Web Worker, files come from a file input
 * (or drag and drop, handled by the app) and models leave as downloads. When the
 * worker dies we start a new one and give it the previous state back, as
 * Electron main does for the utility process.
 */

const MAX_RESTARTS = 3;
/** Restarts further apart than this count as a fresh start of the retry budget. */
const STEADY_MS = 60_000;

export const DATA_ACCEPT = '.csv,.tsv,.txt,.gz,.idx,.ubyte,.idx1-ubyte,.idx3-ubyte,application/gzip,text/csv,text/tab-separated-values';
export const MODEL_ACCEPT = '.safetensors';

function pick(accept: string, multiple: boolean): Promise<File[] | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.multiple = multiple;
    input.style.display = 'none';
    // Playwright and people alike find it by this label.
    input.setAttribute('aria-label', multiple ? 'Choose data files' : 'Choose a model file');
    input.dataset.filePicker = multiple ? 'data' : 'model';
    const done = (files: File[] | null): void => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => done(input.files && input.files.length > 0 ? [...input.files] : null), { once: true });
    input.addEventListener('cancel', () => done(null), { once: true });
    document.body.append(input);
    input.click();
  });
}

export async function readFiles(files: readonly File[]): Promise<OpenedFile[]> {
  return Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}

export class BrowserPlatform implements Platform {
  readonly kind = 'browser' as const;
  readonly modifierKey = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';
  readonly menuOwnsFileShortcuts = false;
  readonly confirmDiscard = null;
  private worker: Worker | null = null;
  private restarts: number[] = [];
  private unsaved = false;

  constructor() {
    window.addEventListener('beforeunload', (e) => {
      if (this.unsaved) e.preventDefault();
    });
  }

  startEngine(link: EngineLink): void {
    this.spawn(link, false);
  }

  restartEngine(link: EngineLink): void {
    this.restarts = [];
    this.spawn(link, true);
  }

  private spawn(link: EngineLink, replay: boolean): void {
    this.worker?.terminate();
    const worker = new Worker(new URL('../../../core/host/worker-entry.ts', import.meta.url), { type: 'module', name: 'backprop-engine' });
    this.worker = worker;
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      if (this.worker === worker) void this.crashed(link, e.message || 'the engine worker failed to start');
    });
    worker.addEventListener('messageerror', () => {
      if (this.worker === worker) void this.crashed(link, 'a message from the engine could not be read');
    });
    // A worker stuck in a loop never errors: the link's heartbeat notices and we replace it.
    link.attach(worker, { onUnresponsive: (why) => this.worker === worker && void this.crashed(link, why) });
    if (replay) {
      void link.replay().then((r) => {
        const parts = [r.network ? 'the network' : '', r.data ? `the data (${r.data})` : ''].filter(Boolean).join(' and ');
        const weights = r.checkpointEpoch !== null ? `, with the weights of epoch ${r.checkpointEpoch}` : r.network ? ', with fresh weights (no epoch had finished)' : '';
        const problems = r.problems.length ? ` Could not restore: ${r.problems.join('; ')}.` : '';
        link.reportRestart({
          phase: 'restarted',
          reason: 'crashed',
          message: `The engine was restarted${parts ? `; ${parts} were restored${weights}` : ''}.${problems}`,
        });
      });
    }
  }

  /** Used by the crash path and by tests that need a crashed engine (see window.__studio). */
  async crashed(link: EngineLink, why: string): Promise<void> {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < STEADY_MS);
    this.worker?.terminate();
    this.worker = null;
    link.detach(`The engine stopped: ${why}.`);
    if (this.restarts.length >= MAX_RESTARTS) {
      link.reportRestart({
        phase: 'failed',
        reason: 'crashed',
        message: `The engine stopped (${why}) and failed ${MAX_RESTARTS} restarts in a row. Use "Restart engine" to try again; reload the page if it keeps failing.`,
      });
      return;
    }
    this.restarts.push(now);
    link.reportRestart({ phase: 'restarting', reason: 'crashed', message: `The engine stopped unexpectedly (${why}). Restarting it…` });
    this.spawn(link, true);
  }

  async openData(): Promise<{ files: OpenedFile[] } | null> {
    const files = await pick(DATA_ACCEPT, true);
    return files ? { files: await readFiles(files) } : null;
  }

  async openModel(): Promise<OpenedFile | null> {
    const files = await pick(`${MODEL_ACCEPT},application/octet-stream`, false);
    return files ? (await readFiles(files))[0]! : null;
  }

  async openAny(): Promise<OpenedFile[] | null> {
    const files = await pick(`${DATA_ACCEPT},${MODEL_ACCEPT}`, true);
    return files ? readFiles(files) : null;
  }

  async saveModel(req: SaveRequest): Promise<{ name: string } | null> {
    downloadBlob(req.suggestedName, new Blob([req.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    return { name: req.suggestedName };
  }

  download(name: string, blob: Blob): void {
    downloadBlob(name, blob);
  }

  setDocumentState(title: string, unsaved: boolean): void {
    this.unsaved = unsaved;
    document.title = `${unsaved ? '● ' : ''}${title} — Backprop Studio`;
  }

  onMenu(): () => void {
    return () => undefined;
  }
}
