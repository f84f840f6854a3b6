/// <reference path="./write-file-atomic.d.ts" />
import fs from 'node:fs';
import { dirname } from 'node:path';
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
  try {
    if ((await fs.promises.stat(path)).isDirectory()) throw fail('it is a folder');
  } catch (e) {
    if (e instanceof StudioError) throw e;
    // Not there yet: that is the usual case.
  }
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
