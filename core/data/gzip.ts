import { Gunzip } from 'fflate';
import { StudioError, errorMessage } from '../errors.js';
import { formatBytes, formatCount } from './limits.js';

/**
 * gzip decompression with two guarantees fflate alone does not give:
 *
 * - **A size cap enforced while inflating.** Input is pushed in slices and the
 *   output counted after each. Deflate expands at most ~1032:1, so a slice is
 *   never larger than (room left under the cap) / 1032: even a gzip bomb (a few
 *   KB that inflate to GBs) cannot overshoot the cap by more than a slice's
 *   worth, and fails with TOO_LARGE. Slices stay at most 256 KB; smaller ones
 *   make fflate slower.
 * - **Integrity.** fflate does not check the CRC-32 and length in each member's
 *   trailer; we do, so a damaged download is an error, not silently wrong pixels.
 */

const MAX_SLICE = 256 * 1024;
const MAX_RATIO = 1032;

/** gzip magic bytes 1f 8b: detection by content, never by file name. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzipCapped(bytes: Uint8Array, maxOutput: number, file?: string): Uint8Array {
  const where = file === undefined ? {} : { file };
  const corrupt = (why: string): StudioError =>
    new StudioError('BAD_DATA', `gzip data is damaged or truncated (${why})`, where);

  // 10-byte header + at least an empty deflate block + 8-byte trailer.
  if (bytes.length < 20) throw corrupt(`only ${bytes.length} bytes`);
  if (bytes[2] !== 8) throw corrupt(`compression method ${bytes[2]} is not deflate`);

  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooLarge = false;
  // Where each member starts in the input and in the output, for the trailer checks.
  const members: { inStart: number; outStart: number }[] = [{ inStart: 0, outStart: 0 }];

  const inflater = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > maxOutput) tooLarge = true;
    else chunks.push(chunk);
  });
  inflater.onmember = (offset) => members.push({ inStart: offset, outStart: total });

  try {
    for (let at = 0, end = 0; at < bytes.length; at = end) {
      const room = Math.max(0, maxOutput - total);
      end = Math.min(bytes.length, at + Math.max(1, Math.min(MAX_SLICE, Math.floor(room / MAX_RATIO))));
      inflater.push(bytes.subarray(at, end), end === bytes.length);
      if (tooLarge) {
        throw new StudioError(
          'TOO_LARGE',
          `gzip data inflates to more than ${formatBytes(maxOutput)} (the limit); stopped after ` +
            `${formatBytes(end)} of ${formatBytes(bytes.length)} compressed`,
          where,
        );
      }
    }
  } catch (e) {
    if (e instanceof StudioError) throw e;
    throw corrupt(errorMessage(e));
  }

  const out = concat(chunks, total);
  members.forEach((m, k) => {
    const inEnd = k + 1 < members.length ? members[k + 1]!.inStart : bytes.length;
    const outEnd = k + 1 < members.length ? members[k + 1]!.outStart : total;
    if (inEnd - m.inStart < 18) throw corrupt(`member ${k + 1} is too short`);
    const expectedCrc = readU32LE(bytes, inEnd - 8);
    const expectedSize = readU32LE(bytes, inEnd - 4);
    if ((outEnd - m.outStart) % 2 ** 32 !== expectedSize) {
      // A cut-off file ends in the middle of the compressed data: its "trailer" is then
      // 8 arbitrary bytes, so say what that usually means rather than quote them as a size.
      throw corrupt(
        `it inflates to ${formatCount(outEnd - m.outStart)} bytes, but its last 8 bytes do not close the data ` +
          `as gzip requires; a file cut short, e.g. an interrupted download, looks like this`,
      );
    }
    if (crc32(out.subarray(m.outStart, outEnd)) !== expectedCrc) throw corrupt('CRC-32 checksum mismatch');
  });
  return out;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function readU32LE(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/**
 * CRC-32 (IEEE, as gzip uses), slicing-by-8: eight table lookups per 8 bytes
 * keep a 47 MB image file's check to a fraction of a second.
 */
const CRC_TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  const t = CRC_TABLES;
  let c = -1;
  let i = 0;
  const n8 = data.length - (data.length % 8);
  for (; i < n8; i += 8) {
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    const hi = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    c =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + (hi & 0xff)]! ^
      t[2 * 256 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
