import { open, type FileHandle } from 'node:fs/promises';
import { StudioError } from '../core/errors.js';
import { checkBytes, formatBytes } from '../core/data/limits.js';
import { ioMessage } from './io-message.js';

/**
 * Read a whole file, refusing anything over `maxBytes` before reading it (from
 * its size) and while reading it (a pipe, a device or a file that grows has no
 * trustworthy size). The result owns its whole ArrayBuffer, so it can be
 * transferred to a worker or another process without copying.
 *
 * `shownAs` is the name messages use (the path as the user typed it); default `path`.
 */
export async function readFileCapped(path: string, maxBytes: number, shownAs: string = path): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new StudioError('IO', `cannot read: ${ioMessage(e)}`, { file: shownAs });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new StudioError('IO', 'is a folder, not a file', { file: shownAs });
    checkBytes(stat.size, maxBytes, 'the file', shownAs);

    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      // The announced size first, then small steps to find the real end (or a growing file).
      const want = total < stat.size ? stat.size - total : 64 * 1024;
      const chunk = new Uint8Array(Math.min(want, maxBytes - total + 1));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) {
        throw new StudioError('TOO_LARGE', `the file is larger than the limit of ${formatBytes(maxBytes)}`, { file: shownAs });
      }
      chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
    }
    if (chunks.length === 1 && chunks[0]!.byteLength === chunks[0]!.buffer.byteLength) return chunks[0]!;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } catch (e) {
    if (e instanceof StudioError) throw e;
    throw new StudioError('IO', `cannot read: ${ioMessage(e)}`, { file: shownAs });
  } finally {
    await handle.close().catch(() => undefined);
  }
}
