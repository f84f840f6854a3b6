import type { StudioApi } from '../../../../contract/studio-api.js';
import { DesktopRunStore } from './store-desktop.js';
import { IndexedDbRunStore } from './store-indexeddb.js';
import { MemoryRunStore, type RunStore } from './store.js';

/** The desktop app's data folder, else this browser's IndexedDB, else memory (runs last for the session). */
export function defaultRunStore(studio: StudioApi | undefined): RunStore {
  if (studio?.runs) return new DesktopRunStore(studio.runs);
  if (typeof indexedDB !== 'undefined') return new IndexedDbRunStore(indexedDB);
  return new MemoryRunStore();
}
