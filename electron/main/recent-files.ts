import { z } from 'zod';
import type { FileKind, RecentFile } from '../../contract/studio-api.js';
import { errorMessage } from '../../core/errors.js';
import { readJsonFile } from './recent-storage.js';

/**
 * The Open Recent list: newest first, one entry per path, at most MAX_RECENT,
 * kept in a small JSON file in the user-data folder. A missing or damaged file
 * means an empty list (logged), never a failed start.
 */

export const MAX_RECENT = 10;

const recentFileSchema = z
  .object({
    kind: z.enum(['data', 'model']),
    path: z.string().min(1).max(4096),
    name: z.string().min(1).max(1024),
    openedAt: z.number().int().min(0),
  })
  .strict();
const storeSchema = z.object({ version: z.literal(1), files: z.array(recentFileSchema).max(100) }).strict();

export interface RecentStorage {
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

export class RecentFiles {
  private files: RecentFile[] = [];
  private saving: Promise<void> = Promise.resolve();

  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly onChange: () => void;

  constructor(
    private readonly storage: RecentStorage,
    options: { now?: () => number; log?: (message: string) => void; onChange?: () => void } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((m) => console.warn(`[recent] ${m}`));
    this.onChange = options.onChange ?? (() => {});
  }

  async load(): Promise<void> {
    const stored = await readJsonFile(this.storage, storeSchema, 'the recent files list', 'starting with an empty list', this.log);
    if (!stored) return;
    this.files = stored.files.slice(0, MAX_RECENT);
    this.onChange();
  }

  list(): RecentFile[] {
    return this.files.map((f) => ({ ...f }));
  }

  has(path: string): boolean {
    return this.files.some((f) => f.path === path);
  }

  find(path: string): RecentFile | undefined {
    return this.files.find((f) => f.path === path);
  }

  /** Put `path` on top (opened or saved just now). */
  add(kind: FileKind, path: string, name: string): Promise<void> {
    this.files = [{ kind, path, name, openedAt: this.now() }, ...this.files.filter((f) => f.path !== path)].slice(
      0,
      MAX_RECENT,
    );
    return this.save();
  }

  remove(path: string): Promise<void> {
    this.files = this.files.filter((f) => f.path !== path);
    return this.save();
  }

  clear(): Promise<void> {
    this.files = [];
    return this.save();
  }

  /** Writes are chained so two quick changes cannot land out of order. */
  private save(): Promise<void> {
    this.onChange();
    const text = JSON.stringify({ version: 1, files: this.files }, null, 2);
    this.saving = this.saving.then(
      () => this.storage.write(text),
      () => this.storage.write(text),
    );
    return this.saving.catch((e: unknown) => {
      this.log(`could not save the recent files list: ${errorMessage(e)}`);
    });
  }
}
