import { readFile } from 'node:fs/promises';
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
