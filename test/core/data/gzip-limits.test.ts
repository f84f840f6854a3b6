import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { readDataFile } from '../../../core/data/read-data.js';
import { gunzipCapped } from '../../../core/data/gzip.js';
import { DATA_LIMITS } from '../../../core/data/limits.js';
import { encodeIdx } from '../../../scripts/mnist-idx.mjs';
import { studioRefusal } from '../studio-failure.js';

/**
 * gzip is inflated no further than the reader accepts (an IDX file's announced
 * size, the CSV/TSV text limit), into one buffer.
 */

const gz = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b, { level: 1 }));

describe('the inflation cap is what the reader accepts', () => {
  test('an IDX file that inflates far beyond its header stops at the header-derived size', () => {
    // The header announces 10 images of 2x2; 8 MB follow.
    const images = new Uint8Array(16 + 8 * 1024 * 1024);
    images.set(encodeIdx([10, 2, 2], new Uint8Array(40)));
    const e = studioRefusal(() => readDataFile({ name: 'img-idx3-ubyte.gz', bytes: gz(images) }, { labelColumn: null }));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toMatch(/^img-idx3-ubyte\.gz: gzip data inflates to more than 64\.1 KB \(what its IDX header announces\); stopped after/);
  });

  test('a few stray bytes after the IDX values still get the IDX reader\'s own message', () => {
    const images = new Uint8Array([...encodeIdx([10, 2, 2], new Uint8Array(40)), 1, 2, 3]);
    const e = studioRefusal(() => readDataFile({ name: 'img-idx3-ubyte.gz', bytes: gz(images) }, { labelColumn: null }));
    expect(e.message).toBe('img-idx3-ubyte.gz: 3 unexpected bytes after the 10 x 2 x 2 values the header announces');
  });

  test('an IDX header announcing more than the limits is refused before inflating', () => {
    const e = studioRefusal(() =>
      readDataFile({ name: 'big-idx3-ubyte.gz', bytes: gz(encodeIdx([60_000_000, 28, 28], new Uint8Array(10))) }, { labelColumn: null }),
    );
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toBe('big-idx3-ubyte.gz: 60,000,000 samples is over the limit of 10,000,000');
  });

  test('CSV text that inflates beyond the text limit stops there, not at a larger gzip cap', () => {
    const text = Buffer.alloc(DATA_LIMITS.maxTextBytes + 1024 * 1024, '1,2,3,4,5,6,7,8,9,0\n');
    const e = studioRefusal(() => readDataFile({ name: 'big.csv.gz', bytes: gz(text) }));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toMatch(/^big\.csv\.gz: gzip data inflates to more than 256\.0 MB \(the limit for CSV\/TSV text\)/);
  });
});

describe('one output buffer', () => {
  test('an honest file is inflated into a buffer of exactly its size', () => {
    const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    const out = gunzipCapped(gz(data), 1e9);
    expect(out.buffer.byteLength).toBe(data.length);
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
  });

  test('several members and a trailer that understates the size still give the right bytes', () => {
    const a = new Uint8Array(300_000).map((_, i) => i % 7);
    const b = new Uint8Array(500_000).map((_, i) => i % 13);
    const both = new Uint8Array([...gz(a), ...gz(b)]);
    expect(Buffer.from(gunzipCapped(both, 1e9)).equals(Buffer.concat([a, b]))).toBe(true);
  });
});
