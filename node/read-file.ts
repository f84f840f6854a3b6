import { constants } from 'node:fs';
import { open, stat as statPath, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StudioError } from '../core/errors.js';
import { checkBytes, formatBytes } from '../core/data/limits.js';
import { ioMessage } from './io-message.js';

/** How long a pipe may stay without a writer before it counts as empty. */
const PIPE_WAIT_MS = 2000;

/**
 * Read a whole file, refusing anything over `maxBytes` before reading it (from
 * its size) and while reading it (a pipe, a device or a file that grows has no
 * trustworthy size). The result owns its whole ArrayBuffer, so it can be
 * transferred to a worker or another process without copying.
 *
 * `shownAs` is the name messages use (the path as the user typed it); default `path`.
 */
export async function readFileCapped(path: string, maxBytes: number, shownAs: string = path): Promise<Uint8Array> {
  // A named pipe that nothing writes to would block open() forever (and with it the
  // process, even at exit): pipes are opened without blocking and read as data comes.
  // That also serves process substitution, `train <(zcat data.csv.gz)`.
  let pipe = false;
  try {
    pipe = (await statPath(path)).isFIFO();
  } catch {
    // open() below reports what is wrong with the path.
  }
  let handle: FileHandle;
  try {
    handle = await open(path, pipe ? constants.O_RDONLY | constants.O_NONBLOCK : 'r');
  } catch (e) {
    throw new StudioError('IO', `cannot read: ${ioMessage(e)}`, { file: shownAs });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new StudioError('IO', 'is a folder, not a file', { file: shownAs });
    checkBytes(stat.size, maxBytes, 'the file', shownAs);

    const chunks: Uint8Array[] = [];
    let total = 0;
    let waited = 0;
    for (;;) {
      // The announced size first, then small steps to find the real end (or a growing file).
      const want = total < stat.size ? stat.size - total : 64 * 1024;
      const chunk = new Uint8Array(Math.min(want, maxBytes - total + 1));
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, chunk.length, null));
      } catch (e) {
        // A pipe whose writer has not written yet: wait a little and read again.
        if (pipe && (e as NodeJS.ErrnoException).code === 'EAGAIN') {
          await sleep(5);
          continue;
        }
        throw e;
      }
      if (bytesRead === 0) {
        if (pipe && total === 0) {
          // No writer yet. One may be blocked in its own open() until a reader came
          // (`producer > pipe & train pipe`): give it a moment to connect and write.
          if (waited < PIPE_WAIT_MS) {
            await sleep(10);
            waited += 10;
            continue;
          }
          throw new StudioError(
            'IO',
            `is a named pipe that nothing wrote to within ${PIPE_WAIT_MS / 1000} s (no program had it open for writing)`,
            { file: shownAs },
          );
        }
        break;
      }
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
