import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../node/atomic-write.js';
import type { RecentStorage } from './recent-files.js';

/** The recent files list on disk: read as text (missing file = none), written atomically. */
export function nodeRecentStorage(file: string): RecentStorage {
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
