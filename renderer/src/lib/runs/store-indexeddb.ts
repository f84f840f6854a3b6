import type { RunRecord } from './record.js';
import { checkWeights, validRecords, type RunStore } from './store.js';

/**
 * Runs in the browser's IndexedDB (browser mode): one database, a store of
 * records and a store of weights keyed by run id, so listing never loads weights.
 */
const DB_NAME = 'backprop-studio-runs';
const DB_VERSION = 1;
const RUNS = 'runs';
const WEIGHTS = 'weights';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class IndexedDbRunStore implements RunStore {
  readonly where = 'this browser (IndexedDB)';
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly factory: IDBFactory = indexedDB) {}

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const r = this.factory.open(DB_NAME, DB_VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS);
        if (!db.objectStoreNames.contains(WEIGHTS)) db.createObjectStore(WEIGHTS);
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error('IndexedDB could not be opened'));
      r.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of the studio'));
    });
    return this.db;
  }

  async list(): Promise<{ runs: RunRecord[]; damaged: number }> {
    const db = await this.open();
    const all = await request(db.transaction(RUNS, 'readonly').objectStore(RUNS).getAll());
    return validRecords(all as unknown[]);
  }

  async put(run: RunRecord): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(RUNS, 'readwrite');
    // A plain JSON copy: no proxies or class instances reach structured clone.
    tx.objectStore(RUNS).put(JSON.parse(JSON.stringify(run)), run.id);
    await done(tx);
  }

  async delete(id: string): Promise<void> {
    const db = await this.open();
    const tx = db.transaction([RUNS, WEIGHTS], 'readwrite');
    tx.objectStore(RUNS).delete(id);
    tx.objectStore(WEIGHTS).delete(id);
    await done(tx);
  }

  async putWeights(id: string, bytes: Uint8Array): Promise<void> {
    checkWeights(bytes);
    const db = await this.open();
    const tx = db.transaction(WEIGHTS, 'readwrite');
    tx.objectStore(WEIGHTS).put(bytes.slice().buffer, id);
    await done(tx);
  }

  async getWeights(id: string): Promise<Uint8Array | null> {
    const db = await this.open();
    const v = await request(db.transaction(WEIGHTS, 'readonly').objectStore(WEIGHTS).get(id));
    return v instanceof ArrayBuffer ? new Uint8Array(v) : null;
  }
}
