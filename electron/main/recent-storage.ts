import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { errorMessage } from '../../core/errors.js';
import { writeFileAtomic } from '../../node/atomic-write.js';

/** A small text file of main's own (recent-files.json, settings.json): read as text (missing file = null), written atomically. */
export interface TextFileStorage {
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

export function nodeTextFileStorage(file: string): TextFileStorage {
  return {
    async read() {
      try {
        return await readFile(file, 'utf8');
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOENT') return null;
        throw e;
      }
    },
    write: (text) => writeFileAtomic(file, new TextEncoder().encode(text)),
  };
}

/**
 * The file's JSON, checked against `schema`; null when there is no file or it cannot be
 * used, and then one line to `log` saying what was wrong with `what` (e.g. "the settings
 * file") and what happens instead (`fallback`). Main's small files never stop a start.
 */
export async function readJsonFile<T>(
  storage: TextFileStorage, schema: z.ZodType<T>, what: string, fallback: string, log: (message: string) => void,
): Promise<T | null> {
  let text: string | null;
  try {
    text = await storage.read();
  } catch (e) {
    log(`could not read ${what}: ${errorMessage(e)}; ${fallback}`);
    return null;
  }
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    log(`${what} is not valid JSON; ${fallback}`);
    return null;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    log(`${what} has an unexpected shape; ${fallback}`);
    return null;
  }
  return parsed.data;
}
