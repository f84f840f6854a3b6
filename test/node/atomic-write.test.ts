import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { StudioError } from '../../core/errors.js';
import { checkWritableTarget, writeFileAtomic } from '../../node/atomic-write.js';
import { readFileCapped } from '../../node/read-file.js';

/**
 * Failures are injected by replacing functions on the `fs` module object, which
 * is the object write-file-atomic (CommonJS `require('fs')`) and our own code
 * both call through at each step.
 */

type Callback = (err: NodeJS.ErrnoException | null, ...values: unknown[]) => void;
const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: injected`), { code });
/** A replacement for a callback-style fs function that fails with `code`. */
const failWith =
  (code: string) =>
  (...args: unknown[]): void => {
    const cb = args[args.length - 1] as Callback;
    process.nextTick(cb, errno(code));
  };

let dir: string;
let target: string;
const OLD = new TextEncoder().encode('the old model, which must survive');
const NEW = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256);

beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'atomic-'));
  target = join(dir, 'model.safetensors');
  fs.writeFileSync(target, OLD);
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function expectIoFailure(reason: string): Promise<void> {
  let error: unknown;
  try {
    await writeFileAtomic(target, NEW);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(StudioError);
  expect((error as StudioError).code).toBe('IO');
  expect((error as StudioError).message).toBe(`${target}: cannot save: ${reason}`);
  // The old file is intact and no temp file is left behind.
  expect(Buffer.from(fs.readFileSync(target)).equals(Buffer.from(OLD))).toBe(true);
  expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
}

describe('writeFileAtomic', () => {
  test('replaces a file completely and leaves nothing else in the folder', async () => {
    await writeFileAtomic(target, NEW);
    expect(Buffer.from(fs.readFileSync(target)).equals(Buffer.from(NEW))).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });

  test('creates a new file', async () => {
    const fresh = join(dir, 'new.safetensors');
    await writeFileAtomic(fresh, NEW.subarray(10, 20));
    expect(Array.from(fs.readFileSync(fresh))).toEqual(Array.from(NEW.subarray(10, 20)));
  });

  test('keeps the permissions of the file it replaces', async () => {
    fs.chmodSync(target, 0o640);
    await writeFileAtomic(target, NEW);
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
  });

  test('the temp file lives in the same folder (so the rename is atomic)', async () => {
    const real = fs.rename;
    const renames: [string, string][] = [];
    vi.spyOn(fs, 'rename').mockImplementation(((from: string, to: string, cb: Callback) => {
      renames.push([from, to]);
      real(from, to, cb);
    }) as typeof fs.rename);
    await writeFileAtomic(target, NEW);
    expect(renames).toHaveLength(1);
    expect(renames[0]![1]).toBe(target);
    expect(renames[0]![0].startsWith(`${target}.`)).toBe(true);
  });

  test('short writes are continued until every byte is written', async () => {
    const real = fs.write;
    let calls = 0;
    vi.spyOn(fs, 'write').mockImplementation(((fd: number, buf: Uint8Array, off: number, len: number, pos: number, cb: Callback) => {
      calls++;
      real(fd, buf, off, Math.min(len, 4096), pos, cb);
    }) as typeof fs.write);
    await writeFileAtomic(target, NEW);
    expect(calls).toBe(Math.ceil(NEW.length / 4096));
    expect(Buffer.from(fs.readFileSync(target)).equals(Buffer.from(NEW))).toBe(true);
  });

  test('concurrent saves to one file never interleave', async () => {
    const a = new Uint8Array(50_000).fill(1);
    const b = new Uint8Array(70_000).fill(2);
    await Promise.all([writeFileAtomic(target, a), writeFileAtomic(target, b)]);
    const result = fs.readFileSync(target);
    expect([a.length, b.length]).toContain(result.length);
    expect(new Set(result).size).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });
});

describe('a failure at any step leaves the old file intact and no temp file', () => {
  // The step's first call fails before it does anything.
  test.each([
    ['open of the temp file', 'open', 'EACCES', 'permission denied'],
    ['fsync of the written data', 'fsync', 'EIO', 'EIO: injected'],
    ['rename over the old file', 'rename', 'EXDEV', 'EXDEV: injected'],
  ] as const)('%s', async (_step, call, code, reason) => {
    vi.spyOn(fs, call).mockImplementationOnce(failWith(code) as never);
    await expectIoFailure(reason);
  });

  test('write: the disk fills up half way', async () => {
    const real = fs.write;
    let calls = 0;
    vi.spyOn(fs, 'write').mockImplementation(((fd: number, buf: Uint8Array, off: number, len: number, pos: number, cb: Callback) => {
      if (calls++ === 0) real(fd, buf, off, Math.floor(len / 2), pos, cb);
      else failWith('ENOSPC')(cb);
    }) as typeof fs.write);
    await expectIoFailure('the disk is full');
  });

  test('write: the disk accepts nothing more (0 bytes, no error)', async () => {
    vi.spyOn(fs, 'write').mockImplementation(((...args: unknown[]) => {
      const cb = args[args.length - 1] as Callback;
      process.nextTick(cb, null, 0);
    }) as typeof fs.write);
    await expectIoFailure('the disk is full');
  });

  // Our own fsync and close of the temp file pass (call 0); write-file-atomic's own one
  // (call 1) runs for real, so no descriptor leaks, but reports EIO. After a failed close
  // the package's cleanup closes once more (call 2); nothing fsyncs after a failed fsync.
  test.each([
    ['fsync by write-file-atomic before the rename', 'fsync', 2],
    ['close of the temp file by write-file-atomic', 'close', 3],
  ] as const)('%s', async (_step, call, expectedCalls) => {
    const real = fs[call] as (fd: number, cb: Callback) => void;
    let calls = 0;
    vi.spyOn(fs, call).mockImplementation(((fd: number, cb: Callback) => {
      real(fd, (err) => (calls++ === 1 ? cb(errno('EIO')) : cb(err)));
    }) as never);
    await expectIoFailure('EIO: injected');
    expect(calls).toBe(expectedCalls);
  });

  test('a folder that does not exist', async () => {
    const missing = join(dir, 'no-such-folder', 'model.safetensors');
    await expect(writeFileAtomic(missing, NEW)).rejects.toThrow(`${missing}: cannot save: no such file or folder`);
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });
});

describe('readFileCapped', () => {
  test('reads the exact bytes into a buffer of their own (transferable)', async () => {
    fs.writeFileSync(target, NEW);
    const bytes = await readFileCapped(target, NEW.length);
    expect(Buffer.from(bytes).equals(Buffer.from(NEW))).toBe(true);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(NEW.length);
    fs.writeFileSync(target, '');
    expect((await readFileCapped(target, 10)).length).toBe(0);
  });

  test('a file over the cap is refused from its size', async () => {
    fs.writeFileSync(target, new Uint8Array(2048));
    const e = await readFileCapped(target, 1024).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe('TOO_LARGE');
    expect((e as StudioError).message).toBe(`${target}: the file is 2.0 KB; the limit is 1.0 KB`);
  });

  const haveDevZero = fs.existsSync('/dev/zero');
  if (!haveDevZero) console.log('readFileCapped endless-file test skipped: no /dev/zero on this system');
  test.skipIf(!haveDevZero)('an endless special file stops at the cap instead of hanging', async () => {
    const e = await readFileCapped('/dev/zero', 100_000).catch((err: unknown) => err);
    expect((e as StudioError).code).toBe('TOO_LARGE');
    expect((e as StudioError).message).toBe('/dev/zero: the file is larger than the limit of 97.7 KB');
  });

  test('missing files and folders are IO errors in plain words', async () => {
    await expect(readFileCapped(join(dir, 'nope.csv'), 10)).rejects.toThrow(`${join(dir, 'nope.csv')}: cannot read: no such file or folder`);
    await expect(readFileCapped(dir, 10)).rejects.toThrow(`${dir}: is a folder, not a file`);
  });
});

const haveMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
if (!haveMkfifo) console.log('readFileCapped named-pipe tests skipped: no mkfifo on this system');

describe.skipIf(!haveMkfifo)('readFileCapped on named pipes (never blocks forever)', () => {
  test('a pipe nothing writes to is an error after a short wait, not a hang', async () => {
    const fifo = join(dir, 'fifo.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(readFileCapped(fifo, 1000, 'fifo.csv')).rejects.toThrow(
      'fifo.csv: is a named pipe that nothing wrote to within 2 s (no program had it open for writing)',
    );
  });

  test('a writer started first (blocked until a reader comes) is read to its end, pauses included', async () => {
    const fifo = join(dir, 'slow.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `exec 3>"${fifo}"; printf 'a,b\\n' >&3; sleep 0.3; printf '1,2\\n' >&3; exec 3>&-`]);
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    const bytes = await readFileCapped(fifo, 1000);
    expect(new TextDecoder().decode(bytes)).toBe('a,b\n1,2\n');
    expect(await exited).toBe(0);
  });
});

describe('checkWritableTarget (before a long run whose result goes there)', () => {
  const failure = async (path: string, shownAs?: string): Promise<string> => {
    const e = await checkWritableTarget(path, shownAs).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe('IO');
    return (e as StudioError).message;
  };

  test('a new or an existing file in a writable folder is fine', async () => {
    await expect(checkWritableTarget(join(dir, 'new.safetensors'))).resolves.toBeUndefined();
    await expect(checkWritableTarget(target)).resolves.toBeUndefined();
  });

  test('a missing folder, a file used as a folder, a folder as the target: named as typed', async () => {
    expect(await failure(join(dir, 'nodir', 'm.safetensors'), 'nodir/m.safetensors')).toBe(
      'nodir/m.safetensors: cannot save there: the folder nodir does not exist',
    );
    expect(await failure(join(target, 'm'), 'model.safetensors/m')).toBe('model.safetensors/m: cannot save there: model.safetensors is not a folder');
    expect(await failure(dir, 'out')).toBe('out: cannot save there: it is a folder');
  });

  test('a folder that cannot be written to', async () => {
    vi.spyOn(fs.promises, 'access').mockRejectedValue(errno('EACCES'));
    expect(await failure(join(dir, 'm.safetensors'), 'ro/m.safetensors')).toBe('ro/m.safetensors: cannot save there: the folder ro: permission denied');
  });
});
