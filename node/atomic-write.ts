/// <reference path="./write-file-atomic.d.ts" />
import fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import writeFileAtomicPackage from 'write-file-atomic';
import { StudioError } from '../core/errors.js';
import { ioMessage } from './io-message.js';

/**
 * Replace a file so that it is either the old file or the complete new one, never
 * a mix or a stub, whatever fails: write-file-atomic writes a temp file in the
 * same folder, fsyncs it and renames it over the target (atomic on one file
 * system), and removes the temp file when any step fails.
 *
 * One gap is closed here: write-file-atomic 7 issues a single fs.write and ignores
 * a short count, and write(2) returns short when the disk fills up, which would
 * rename a truncated model over a good one. So the package gets no data; our
 * `tmpfileCreated` hook writes every byte in a loop (and fails on a short write
 * that makes no progress) before the package fsyncs and renames.
 *
 * fs functions are looked up on the `fs` object at each call (as the package
 * does), which is what lets the tests inject a failure at every step.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, shownAs: string = path): Promise<void> {
  try {
    await writeFileAtomicPackage(path, null, {
      fsync: true,
      tmpfileCreated: (tmpfile) => writeAll(tmpfile, bytes),
    });
  } catch (e) {
    throw new StudioError('IO', `cannot save: ${ioMessage(e)}`, { file: shownAs });
  }
  await syncFolder(dirname(path));
  await sweepStaleTemps(path);
}

/**
 * write-file-atomic names its temp file `<target>.<n>`, n a uint32 from a hash of
 * the writer's pid and a counter (decimal, almost always 6 to 10 digits). A save
 * killed before its rename (kill -9, power loss) leaves that file, full-size,
 * beside the target forever. After each successful save of a target, its own
 * leftovers are removed: only names of that exact pattern (a user's `model.safetensors.1`
 * or `.bak` never matches), only regular files, and only stale ones: untouched for
 * STALE_TEMP_MS. A save in progress writes its temp file continuously and renames
 * it within seconds, so a temp file that old has no writer. (The writer's pid is
 * hashed into the name, so it cannot be asked whether that process still runs.)
 */
export const STALE_TEMP_MS = 10 * 60 * 1000;

export async function sweepStaleTemps(path: string, now: number = Date.now()): Promise<string[]> {
  const folder = dirname(path);
  const prefix = `${basename(path)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fs.promises.readdir(folder);
  } catch {
    return removed; // best effort: the save itself succeeded
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^\d{6,10}$/.test(name.slice(prefix.length))) continue;
    const temp = join(folder, name);
    try {
      const st = await fs.promises.lstat(temp);
      if (!st.isFile() || now - st.mtimeMs < STALE_TEMP_MS) continue;
      await fs.promises.unlink(temp);
      removed.push(temp);
    } catch {
      // Gone meanwhile, or not ours to remove: leave it.
    }
  }
  return removed;
}

/**
 * Fail early, before work whose result would go to `path` (a training run of
 * hours), when the file could plainly not be written there: its folder is missing
 * or not writable, or the path is a folder. The write itself can still fail later
 * (a full disk); this only catches what is already known. `shownAs` names the file
 * in messages (the path as the user typed it).
 */
export async function checkWritableTarget(path: string, shownAs: string = path): Promise<void> {
  const fail = (msg: string): StudioError => new StudioError('IO', `cannot save there: ${msg}`, { file: shownAs });
  const folder = dirname(path);
  const shownFolder = dirname(shownAs);
  let folderStat: fs.Stats;
  try {
    folderStat = await fs.promises.stat(folder);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? `the folder ${shownFolder} does not exist` : `the folder ${shownFolder}: ${ioMessage(e)}`);
  }
  if (!folderStat.isDirectory()) throw fail(`${shownFolder} is not a folder`);
  try {
    await fs.promises.access(folder, fs.constants.W_OK);
  } catch (e) {
    throw fail(`the folder ${shownFolder}: ${ioMessage(e)}`);
  }
  let target: fs.Stats | undefined;
  try {
    target = await fs.promises.stat(path);
  } catch {
    // Not there yet: that is the usual case.
  }
  // Saving renames a new file over the path: a device, a pipe or a socket there would
  // be replaced by a regular file (as root, `--out /dev/null` would replace /dev/null).
  if (target?.isDirectory()) throw fail('it is a folder');
  if (target && !target.isFile()) throw fail(`it is ${kindOf(target)}, not a regular file; saving would replace it`);
}

/**
 * Fail when `path` is one of the files a command reads (`train data.csv --out data.csv`
 * would replace the data with a model): the same path once symbolic links are
 * resolved, or the same file by device and inode (a hard link).
 */
export async function checkNotAnInput(
  path: string,
  inputs: readonly { path: string; shown: string }[],
  shownAs: string = path,
): Promise<void> {
  let target: fs.Stats;
  try {
    target = await fs.promises.stat(path);
  } catch {
    return; // a new file cannot be an input
  }
  const real = await fs.promises.realpath(path).catch(() => path);
  for (const input of inputs) {
    const st = await fs.promises.stat(input.path).catch(() => undefined);
    const same =
      (await fs.promises.realpath(input.path).catch(() => input.path)) === real ||
      (st !== undefined && st.dev === target.dev && st.ino === target.ino);
    if (same) {
      throw new StudioError('IO', `cannot save there: it is the input file ${input.shown}; saving would replace it`, {
        file: shownAs,
      });
    }
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

async function writeAll(file: string, bytes: Uint8Array): Promise<void> {
  const fd = await call<number>((cb) => fs.open(file, 'r+', cb));
  try {
    let at = 0;
    while (at < bytes.length) {
      const n = await call<number>((cb) => fs.write(fd, bytes, at, bytes.length - at, at, cb));
      if (!(n > 0)) throw Object.assign(new Error('the disk accepted no more bytes'), { code: 'ENOSPC' });
      at += n;
    }
    await call<void>((cb) => fs.fsync(fd, cb));
  } finally {
    await call<void>((cb) => fs.close(fd, cb)).catch(() => undefined);
  }
}

/**
 * Make the rename itself durable (the new name lives in the folder's entry).
 * Best effort: Windows cannot open a folder for fsync, and the file is already
 * complete and in place.
 */
async function syncFolder(folder: string): Promise<void> {
  try {
    const fd = await call<number>((cb) => fs.open(folder, 'r', cb));
    await call<void>((cb) => fs.fsync(fd, cb)).catch(() => undefined);
    await call<void>((cb) => fs.close(fd, cb)).catch(() => undefined);
  } catch {
    // see above
  }
}

function call<T>(start: (cb: (err: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))));
}
