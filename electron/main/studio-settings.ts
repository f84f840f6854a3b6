import { z } from 'zod';
import { COMPUTE_BACKENDS, type ComputeBackend } from '../../contract/studio-api.js';
import { readJsonFile } from './recent-storage.js';

/**
 * The studio's own settings, in a small JSON file in the user's data folder
 * (settings.json): today the engine's compute backend. A missing, unreadable or
 * damaged file means the defaults (logged), never a failed start; writes replace
 * the file atomically (node/atomic-write.ts), so a crash mid-save leaves the old one.
 */

export interface StudioSettingsValues {
  computeBackend: ComputeBackend;
}

export const DEFAULT_SETTINGS: Readonly<StudioSettingsValues> = { computeBackend: 'auto' };

export const computeBackendSchema = z.enum(COMPUTE_BACKENDS);

/** Fields are optional so that a file from a later version with fewer or more settings still loads what it can. */
const fileSchema = z.looseObject({ version: z.literal(1), computeBackend: z.unknown().optional() });

/** Where the text lives (the same shape as the recent files' storage: null = no file yet). */
export interface SettingsStorage {
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

export class StudioSettings {
  private values: StudioSettingsValues = { ...DEFAULT_SETTINGS };
  private saving: Promise<void> = Promise.resolve();
  private readonly log: (message: string) => void;

  constructor(
    private readonly storage: SettingsStorage,
    options: { log?: (message: string) => void } = {},
  ) {
    this.log = options.log ?? ((m) => console.warn(`[settings] ${m}`));
  }

  /** Read the file; whatever is wrong with it falls back to the default, field by field. */
  async load(): Promise<void> {
    const file = await readJsonFile(this.storage, fileSchema, 'the settings file', 'using the defaults', this.log);
    if (!file) return;
    if (file.computeBackend === undefined) return;
    const backend = computeBackendSchema.safeParse(file.computeBackend);
    if (backend.success) this.values.computeBackend = backend.data;
    else this.log(`settings: computeBackend ${JSON.stringify(file.computeBackend).slice(0, 40)} is not one of ${COMPUTE_BACKENDS.join(', ')}; using auto`);
  }

  get computeBackend(): ComputeBackend {
    return this.values.computeBackend;
  }

  /**
   * Keep a new backend choice. Resolves once it is on disk; when the write fails the
   * choice is not taken either (the caller tells the user), so memory and file agree.
   * Writes are chained so two quick changes cannot land out of order.
   */
  async setComputeBackend(backend: ComputeBackend): Promise<void> {
    const next: StudioSettingsValues = { ...this.values, computeBackend: backend };
    const text = `${JSON.stringify({ version: 1, ...next }, null, 2)}\n`;
    const write = this.saving.then(
      () => this.storage.write(text),
      () => this.storage.write(text),
    );
    this.saving = write;
    await write;
    this.values = next;
  }
}
