import type { RunsStoreApi } from '../../../../contract/studio-api.js';
import type { RunRecord } from './record.js';
import { checkWeights, validRecords, type RunStore } from './store.js';

/** Runs in the desktop app's data folder, through the preload's window.studio.runs (files written by main). */
export class DesktopRunStore implements RunStore {
  readonly where = "the app's data folder";
  constructor(private readonly api: RunsStoreApi) {}

  async list(): Promise<{ runs: RunRecord[]; damaged: number }> {
    return validRecords(await this.api.list());
  }
  put(run: RunRecord): Promise<void> {
    // A plain JSON copy: no Svelte proxies cross the context bridge.
    return this.api.put(run.id, JSON.parse(JSON.stringify(run)) as unknown);
  }
  delete(id: string): Promise<void> {
    return this.api.remove(id);
  }
  putWeights(id: string, bytes: Uint8Array): Promise<void> {
    checkWeights(bytes);
    return this.api.putWeights(id, bytes);
  }
  getWeights(id: string): Promise<Uint8Array | null> {
    return this.api.getWeights(id);
  }
}
