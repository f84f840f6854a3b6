import { errorMessage } from '../../../../core/errors.js';
import { runRecordSchema, type RunRecord } from './record.js';

/**
 * Where runs are kept. Two implementations behind this interface: IndexedDB in
 * browser mode (store-indexeddb.ts) and the user's data folder in the desktop app
 * (store-desktop.ts, files written by Electron main); MemoryRunStore serves tests
 * and is the fallback when neither is available (runs then last for the session).
 */
export interface RunStore {
  /** Where the runs live, in words ("this browser", "the app's data folder"). */
  readonly where: string;
  /** Every run; records that fail the schema are left out and counted. */
  list(): Promise<{ runs: RunRecord[]; damaged: number }>;
  /** Add or replace a run (rename is a put with the new name). */
  put(run: RunRecord): Promise<void>;
  /** Remove a run and its weights. */
  delete(id: string): Promise<void>;
  putWeights(id: string, bytes: Uint8Array): Promise<void>;
  getWeights(id: string): Promise<Uint8Array | null>;
}

/** Stored weights larger than this are not kept (a 50M-parameter net is 200 MB). */
export const MAX_WEIGHT_BYTES = 64 * 1024 * 1024;

/** Check records read back from a store; keep the good ones. */
export function validRecords(raw: unknown[]): { runs: RunRecord[]; damaged: number } {
  const runs: RunRecord[] = [];
  let damaged = 0;
  for (const r of raw) {
    const p = runRecordSchema.safeParse(r);
    if (p.success) runs.push(p.data);
    else damaged++;
  }
  runs.sort((a, b) => a.createdAt - b.createdAt);
  return { runs, damaged };
}

export function checkWeights(bytes: Uint8Array): void {
  if (bytes.byteLength > MAX_WEIGHT_BYTES) {
    throw new Error(`the weights are ${(bytes.byteLength / 2 ** 20).toFixed(0)} MB, more than the ${MAX_WEIGHT_BYTES / 2 ** 20} MB a run keeps`);
  }
}

export class MemoryRunStore implements RunStore {
  readonly where = 'memory (lost when the page closes)';
  private readonly runs = new Map<string, unknown>();
  private readonly weights = new Map<string, Uint8Array>();

  async list(): Promise<{ runs: RunRecord[]; damaged: number }> {
    // Records go through JSON as in the real stores, so tests see what a reload sees.
    return validRecords([...this.runs.values()].map((r) => JSON.parse(JSON.stringify(r)) as unknown));
  }
  async put(run: RunRecord): Promise<void> {
    this.runs.set(run.id, JSON.parse(JSON.stringify(run)));
  }
  async delete(id: string): Promise<void> {
    this.runs.delete(id);
    this.weights.delete(id);
  }
  async putWeights(id: string, bytes: Uint8Array): Promise<void> {
    checkWeights(bytes);
    this.weights.set(id, bytes.slice());
  }
  async getWeights(id: string): Promise<Uint8Array | null> {
    return this.weights.get(id)?.slice() ?? null;
  }
}

/** Put raw (possibly damaged) data into a memory store: tests of the schema check. */
export function memoryStoreWith(raw: Record<string, unknown>): MemoryRunStore {
  const s = new MemoryRunStore();
  for (const [id, r] of Object.entries(raw)) (s as unknown as { runs: Map<string, unknown> }).runs.set(id, r);
  return s;
}

export function describeStoreError(e: unknown): string {
  return `the runs store failed: ${errorMessage(e)}`;
}
