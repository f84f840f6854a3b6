import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { readDataFile } from '../core/data/read-data.js';
import type { Dataset } from '../core/data/dataset.js';
import { StudioError } from '../core/errors.js';

/** The four IDX files of a data set, uncompressed (numpy_twolayer.py reads only plain IDX). */
export interface IdxFolder {
  dir: string;
  /** Where the files came from, for the report. */
  source: string;
}

const NAMES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

function complete(dir: string): boolean {
  return NAMES.every((n) => existsSync(join(dir, n)));
}

/**
 * The data the bench trains on: an IDX folder given with --data (plain or .gz files; a
 * .gz folder is unpacked once into the cache, since the NumPy anchor reads plain IDX),
 * or the anchors' synthetic MNIST-shaped set, generated once into the cache.
 */
export function prepareData(opts: { dataDir?: string; anchors: string; cacheDir: string; log: (s: string) => void }): IdxFolder {
  if (opts.dataDir) {
    const dir = resolve(opts.dataDir);
    if (complete(dir)) return { dir, source: dir };
    const gz = NAMES.map((n) => join(dir, `${n}.gz`));
    const missing = NAMES.filter((n, i) => !existsSync(join(dir, n)) && !existsSync(gz[i]!));
    if (missing.length > 0) {
      const have = existsSync(dir) ? readdirSync(dir).join(', ') || 'nothing' : 'the folder does not exist';
      throw new StudioError('BAD_USAGE', `--data ${opts.dataDir}: needs ${missing.join(', ')} (plain or .gz); found ${have}`);
    }
    const out = join(opts.cacheDir, `idx-${createHash('sha1').update(dir).digest('hex').slice(0, 10)}`);
    if (!complete(out)) {
      mkdirSync(out, { recursive: true });
      NAMES.forEach((n, i) => {
        const plain = join(dir, n);
        const bytes = existsSync(plain) ? readFileSync(plain) : gunzipSync(readFileSync(gz[i]!));
        writeFileSync(join(out, `${n}.tmp`), bytes);
        renameSync(join(out, `${n}.tmp`), join(out, n));
      });
      opts.log(`data: unpacked ${dir} into ${out}`);
    }
    return { dir: out, source: dir };
  }
  const dir = join(opts.cacheDir, 'synthetic');
  if (!complete(dir)) {
    const gen = join(opts.anchors, 'synthetic', 'gen-synthetic.js');
    if (!existsSync(gen)) {
      throw new StudioError('BAD_USAGE', `no data: ${gen} is missing (give --anchors DIR, or --data with an IDX folder)`);
    }
    mkdirSync(dir, { recursive: true });
    opts.log(`data: generating the synthetic set into ${dir} (once)…`);
    execFileSync(process.execPath, [gen, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return { dir, source: `synthetic (${basename(opts.anchors)}/synthetic/gen-synthetic.js, cached in ${dir})` };
}

/**
 * Train and test sets from an IDX folder, through the engine's own reader (bytes kept as
 * bytes), every page of them read once before any clock starts.
 *
 * Why the read: numpy_twolayer.py converts the whole set to float32 in load(), before its
 * timed loop, so its loop finds every page of its data touched. The engine trains straight
 * from the file's bytes, which the kernel wrote; on the build VM the first user-mode touch
 * of each such page costs ~6 µs (47 MB of Fashion-MNIST: 73 ms), and W1's one timed epoch
 * touches each page for the first time: 275 µs per batch gathered instead of 100 (issue 15).
 * Reading them first puts both sides' loops on the same footing.
 */
export function loadIdxFolder(dir: string): { train: Dataset; test: Dataset } {
  const read = (split: 'train' | 't10k'): Dataset => {
    const images = `${split}-images-idx3-ubyte`, labels = `${split}-labels-idx1-ubyte`;
    const ds = readDataFile({
      name: images,
      bytes: readFileSync(join(dir, images)),
      labels: { name: labels, bytes: readFileSync(join(dir, labels)) },
    }).dataset;
    touchPages(ds.x);
    return ds;
  };
  return { train: read('train'), test: read('t10k') };
}

/** Reads one byte of every 4 KiB page of `a` (the sum only keeps the reads from being dropped). */
function touchPages(a: ArrayBufferView): number {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 4096) sum += bytes[i]!;
  return sum;
}
