import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { readDataFile, type DataFileInput, type LoadedData, type ReadDataOptions } from '../../../core/data/read-data.js';
import { pairedLabelFileName } from '../../../core/data/idx.js';
import { crc32, gunzipCapped } from '../../../core/data/gzip.js';
import { classCounts } from '../../../core/data/prepare.js';
import { StudioError } from '../../../core/errors.js';
import { encodeIdx } from '../../../scripts/mnist-idx.mjs';
import { studioRefusal } from '../studio-failure.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url)));
const gz = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));

/** An IDX file (the project's one IDX writer). */
const idx = (dims: number[], values: ArrayLike<number> = [], type = 0x08): Uint8Array => encodeIdx(dims, values, type);

const IMAGES = 'tiny-images-idx3-ubyte';
const LABELS = 'tiny-labels-idx1-ubyte';
const PIXELS = Array.from({ length: 30 }, (_, i) => i * 8);

function load(images: Uint8Array, labels: Uint8Array | null, options?: ReadDataOptions, name = IMAGES): LoadedData {
  const input: DataFileInput = { name, bytes: images };
  if (labels) input.labels = { name: LABELS, bytes: labels };
  return readDataFile(input, options);
}

const failure = (images: Uint8Array, labels: Uint8Array | null, options?: ReadDataOptions, name = IMAGES): StudioError =>
  studioRefusal(() => load(images, labels, options, name));

describe('IDX images and labels', () => {
  const variants: [string, Uint8Array, Uint8Array][] = [
    ['plain', fixture(IMAGES), fixture(LABELS)],
    ['gzip', fixture(`${IMAGES}.gz`), fixture(`${LABELS}.gz`)],
    ['gzip images, plain labels', fixture(`${IMAGES}.gz`), fixture(LABELS)],
  ];
  test.each(variants)('%s: 5 images of 2 x 3 bytes, scaled to [0, 1]', (_name, images, labels) => {
    const d = load(images, labels);
    expect(d.format).toBe('idx');
    expect(d.header).toBeNull();
    expect(d.preview).toBeNull();
    expect(d.labelColumn).toBeNull();
    expect(d.warnings).toEqual([]);
    const ds = d.dataset;
    expect(ds.count).toBe(5);
    expect(ds.features).toBe(6);
    expect(ds.imageShape).toEqual([2, 3]);
    expect(ds.x).toBeInstanceOf(Uint8Array);
    expect(Array.from(ds.x)).toEqual(PIXELS);
    expect(ds.scale).toBe(1 / 255);
    expect(Math.max(...Array.from(ds.x, (v) => v * ds.scale))).toBeLessThanOrEqual(1);
    expect(Array.from(ds.labels)).toEqual([2, 0, 1, 2, 0]);
    expect(ds.classNames).toEqual(['0', '1', '2']);
  });

  test('the data set owns its pixels: changing the file bytes afterwards changes nothing', () => {
    const images = fixture(IMAGES);
    const d = load(images, fixture(LABELS));
    images.fill(0);
    expect(Array.from(d.dataset.x)).toEqual(PIXELS);
  });

  test('two-dimensional IDX (count x features) has no image shape', () => {
    const d = load(idx([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), idx([2], [0, 1]), {}, 'features-idx2-ubyte');
    expect(d.dataset.features).toBe(4);
    expect(d.dataset.imageShape).toBeUndefined();
  });

  test('a gap in the label values is pointed out', () => {
    const d = load(idx([3, 1, 1], [1, 2, 3]), idx([3], [0, 3, 3]));
    expect(d.dataset.classNames).toEqual(['0', '1', '2', '3']);
    expect(d.warnings).toEqual([`${LABELS}: no samples of class 1, 2 (labels run 0..3)`]);
  });

  test('labelColumn null reads images without labels (for prediction)', () => {
    const d = load(fixture(IMAGES), null, { labelColumn: null });
    expect(d.dataset.count).toBe(5);
    expect(Array.from(d.dataset.labels)).toEqual([-1, -1, -1, -1, -1]);
    expect(d.dataset.classNames).toEqual([]);
  });
});

describe('malformed IDX files', () => {
  const labels = fixture(LABELS);

  test('empty and too short', () => {
    expect(failure(new Uint8Array(0), labels).message).toBe(`${IMAGES}: the file is empty`);
    expect(failure(new Uint8Array([0, 0, 8]), labels).message).toBe(
      `${IMAGES}: only 3 bytes: too short for an IDX header`,
    );
  });

  test('wrong magic', () => {
    const e = failure(new TextEncoder().encode('PK\x03\x04 not idx'), labels);
    expect(e.code).toBe('BAD_DATA');
    expect(e.message).toBe(`${IMAGES}: not an IDX file: it starts with 50 4b 03 04, an IDX file starts with 00 00 08 0N`);
    expect(failure(new Uint8Array([0, 0, 0x42, 3, 0, 0, 0, 0]), labels).message).toBe(
      `${IMAGES}: not an IDX file: unknown data type code 0x42`,
    );
  });

  test('value types other than unsigned bytes are refused by name', () => {
    expect(failure(idx([1, 1, 1], [0, 0, 0, 0], 0x0d), labels).message).toBe(
      `${IMAGES}: IDX values of type float32 (0x0d) are not supported; only unsigned bytes (0x08) are`,
    );
  });

  test('zero dimensions, and a header cut short', () => {
    expect(failure(new Uint8Array([0, 0, 8, 0]), labels).message).toBe(`${IMAGES}: the IDX header declares 0 dimensions`);
    expect(failure(fixture(IMAGES).subarray(0, 10), labels).message).toBe(
      `${IMAGES}: truncated in the header: 3 dimensions need 16 header bytes, the file has 10`,
    );
  });

  test('truncated data and trailing bytes', () => {
    const images = fixture(IMAGES);
    expect(failure(images.subarray(0, images.length - 1), labels).message).toBe(
      `${IMAGES}: truncated: the header announces 5 x 2 x 3 values (30 bytes) but only 29 bytes follow the header`,
    );
    expect(failure(new Uint8Array([...images, 7, 7]), labels).message).toBe(
      `${IMAGES}: 2 unexpected bytes after the 5 x 2 x 3 values the header announces`,
    );
  });

  test('gigantic dimensions are refused from the header, without allocating', () => {
    const huge = idx([0xffffffff, 0xffffffff, 0xffffffff]);
    expect(failure(huge, labels).message).toBe(
      `${IMAGES}: truncated: the header announces 4,294,967,295 x 4,294,967,295 x 4,294,967,295 values ` +
        `(${(0xffffffff ** 3 / 1024 ** 3).toFixed(2)} GB) but only 0 bytes follow the header`,
    );
    // 255 dimensions: the largest header the format allows.
    const wide = idx(new Array(255).fill(0xffffffff));
    expect(failure(wide, labels).code).toBe('BAD_DATA');
  });

  test('zero samples', () => {
    expect(failure(idx([0, 28, 28]), idx([0])).message).toBe(`${IMAGES}: the IDX file holds 0 samples`);
  });

  test('images and labels disagree on the count', () => {
    const e = failure(fixture(IMAGES), idx([4], [0, 1, 2, 0]));
    expect(e.message).toBe(`${LABELS}: has 4 labels but ${IMAGES} has 5 images`);
  });

  test('the files swapped or the wrong kind', () => {
    expect(failure(fixture(LABELS), fixture(IMAGES)).message).toBe(
      `${IMAGES}: this is an IDX labels file (1 dimension); give the images file as the data and this one as its labels`,
    );
    expect(failure(fixture(IMAGES), fixture(IMAGES)).message).toBe(
      `${LABELS}: an IDX labels file has 1 dimension, this one has 3 (5 x 2 x 3): is it an images file?`,
    );
  });

  test('a labels file given alone as the data is named as such, not as images missing their labels', () => {
    expect(failure(fixture(LABELS), null, {}, 't10k-labels-idx1-ubyte.gz').message).toBe(
      't10k-labels-idx1-ubyte.gz: this is an IDX labels file (1 dimension); give the images file as the data and this one as its labels',
    );
  });

  test('images without a labels file say which file is missing', () => {
    expect(failure(fixture(IMAGES), null, {}, 'train-images-idx3-ubyte.gz').message).toBe(
      'train-images-idx3-ubyte.gz: IDX images need their labels file (usually train-labels-idx1-ubyte.gz, in the same folder)',
    );
  });

  test('a file named like IDX that is not one gets the IDX diagnosis', () => {
    const e = failure(new TextEncoder().encode('1,2,3\n'), labels, {}, 'train-images-idx3-ubyte');
    expect(e.message).toBe(
      'train-images-idx3-ubyte: not an IDX file: it starts with 31 2c 32 2c, an IDX file starts with 00 00 08 0N',
    );
  });
});

/** `278 bytes`, `15.9 KB` back to a number. */
function toBytes(size: string): number {
  const [n, unit] = size.split(' ');
  return Number(n) * ({ bytes: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[unit!] ?? NaN);
}

describe('gzip', () => {
  const images = fixture(IMAGES);

  test('CRC-32 matches zlib', () => {
    const data = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
    expect(crc32(data)).toBe(0x414fa339);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  test('a damaged byte in the compressed data is caught by the checksum', () => {
    const packed = gz(new Uint8Array(4000).map((_, i) => (i * 7) % 251));
    let caught = 0;
    // Flip each byte of the deflate body in turn: every flip must be an error, none a silent change.
    for (let at = 10; at < packed.length - 8; at++) {
      const bad = packed.slice();
      bad[at]! ^= 0x10;
      try {
        gunzipCapped(bad, 1e6, 'x.gz');
      } catch (e) {
        expect(e).toBeInstanceOf(StudioError);
        expect((e as StudioError).message).toMatch(/^x\.gz: gzip data is damaged or truncated \(/);
        caught++;
      }
    }
    expect(caught).toBe(packed.length - 18);
  });

  test('a truncated gzip file', () => {
    const packed = fixture(`${IMAGES}.gz`);
    for (const cut of [1, 4, 8, 20, packed.length - 12]) {
      const e = failure(packed.subarray(0, packed.length - cut), fixture(LABELS));
      expect(e.code).toBe('BAD_DATA');
      expect(e.message).toMatch(new RegExp(`^${IMAGES}: gzip data is damaged or truncated`));
    }
    // Cut in the middle of the deflate data where the inflater stops quietly: no bogus size quoted as the trailer's.
    const long = gz(new Uint8Array(200_000).map((_, i) => (i * 7919) % 251));
    const e = failure(long.subarray(0, long.length - 4), fixture(LABELS));
    expect(e.message).toBe(
      `${IMAGES}: gzip data is damaged or truncated (it inflates to 200,000 bytes, but its last 8 bytes do not close the data ` +
        'as gzip requires; a file cut short, e.g. an interrupted download, looks like this)',
    );
  });

  test('concatenated gzip members are one stream', () => {
    const both = new Uint8Array([...gz(images.subarray(0, 20)), ...gz(images.subarray(20))]);
    expect(Array.from(gunzipCapped(both, 1e6))).toEqual(Array.from(images));
  });

  test('a gzip bomb stops at the cap, long before the end of its input', () => {
    const bomb = gz(new Uint8Array(16 * 1024 * 1024)); // 16 MB of zeros in ~16 KB
    let error: StudioError | undefined;
    try {
      gunzipCapped(bomb, 256 * 1024, 'bomb.gz');
    } catch (e) {
      error = e as StudioError;
    }
    expect(error).toBeInstanceOf(StudioError);
    expect(error!.code).toBe('TOO_LARGE');
    const m = /inflates to more than 256\.0 KB \(the limit\); stopped after (.+) of (.+) compressed$/.exec(error!.message);
    expect(m, error!.message).not.toBeNull();
    expect(toBytes(m![1]!)).toBeLessThan(toBytes(m![2]!) / 4);
  });
});

describe('pairedLabelFileName', () => {
  test.each([
    ['train-images-idx3-ubyte.gz', ['train-labels-idx1-ubyte.gz', 'train-labels-idx1-ubyte']],
    ['t10k-images-idx3-ubyte', ['t10k-labels-idx1-ubyte', 't10k-labels-idx1-ubyte.gz']],
    ['train-images.idx3-ubyte', ['train-labels.idx1-ubyte', 'train-labels.idx1-ubyte.gz']],
    ['/data/fashion/T10K-IMAGES-IDX3-UBYTE.GZ', ['/data/fashion/T10K-LABELS-IDX1-UBYTE.GZ', '/data/fashion/T10K-LABELS-IDX1-UBYTE']],
    ['C:\\mnist\\mnist-10k-images-idx3-ubyte.gz', ['C:\\mnist\\mnist-10k-labels-idx1-ubyte.gz', 'C:\\mnist\\mnist-10k-labels-idx1-ubyte']],
    ['iris.csv', []],
  ])('%s', (images, expected) => {
    expect(pairedLabelFileName(images)).toEqual(expected);
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist';
const haveFashion = existsSync(`${FASHION}/t10k-images-idx3-ubyte.gz`);
if (!haveFashion) console.log(`real-data IDX test skipped: ${FASHION} is missing (apt install dataset-fashion-mnist)`);

test.skipIf(!haveFashion)('real data: the Fashion-MNIST test set reads exactly as NumPy reads it', () => {
  const d = readDataFile({
    name: 't10k-images-idx3-ubyte.gz',
    bytes: new Uint8Array(readFileSync(`${FASHION}/t10k-images-idx3-ubyte.gz`)),
    labels: { name: 't10k-labels-idx1-ubyte.gz', bytes: new Uint8Array(readFileSync(`${FASHION}/t10k-labels-idx1-ubyte.gz`)) },
  });
  const ds = d.dataset;
  expect([ds.count, ds.features, ...ds.imageShape!]).toEqual([10000, 784, 28, 28]);
  // Reference values from numpy.frombuffer over the gunzipped files.
  let sum = 0;
  for (const v of ds.x) sum += v;
  expect(sum).toBe(573469082);
  expect(Array.from(ds.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  expect(classCounts(ds)).toEqual(new Array(10).fill(1000));
});
