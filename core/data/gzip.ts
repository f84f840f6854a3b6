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
 *   worth, and fails with TOO_LARGE. Slices stay at most 64 KB: fflate grows its
 *   own output buffer by doubling within one push, so a 256 KB slice of a bomb
 *   (260 MB out) held 843 MB at the cap against 440 MB now; smaller slices make
 *   fflate slower.
 * - **Integrity.** fflate does not check the CRC-32 and length in each member's
 *   trailer; we do, so a damaged download is an error, not silently wrong pixels.
 */

const MAX_SLICE = 64 * 1024;
const MAX_RATIO = 1032;

/** gzip magic bytes 1f 8b: detection by content, never by file name. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export interface InflateLimit {
  /** Most bytes the reader will accept after decompression. */
  max: number;
  /** Where the limit comes from, for the message ("the limit", "what its IDX header announces"). */
  reason?: string;
}

/**
 * Inflate a whole gzip file (all members) into ONE buffer, refusing more than
 * `limit` bytes of output while inflating. The buffer is sized from the size the
 * last member's trailer announces (capped by the limit and by what deflate can
 * produce from this input), so an honest file is inflated with no second copy;
 * a lying trailer or several members only make it grow, never past the limit.
 */
export function gunzipCapped(bytes: Uint8Array, limit: number | InflateLimit, file?: string): Uint8Array {
  const { max: maxOutput, reason = 'the limit' } = typeof limit === 'number' ? { max: limit } : limit;
  const where = file === undefined ? {} : { file };
  const corrupt = (why: string): StudioError =>
    new StudioError('BAD_DATA', `gzip data is damaged or truncated (${why})`, where);

  // 10-byte header + at least an empty deflate block + 8-byte trailer.
  if (bytes.length < 20) throw corrupt(`only ${bytes.length} bytes`);
  if (bytes[2] !== 8) throw corrupt(`compression method ${bytes[2]} is not deflate`);

  const announced = readU32LE(bytes, bytes.length - 4);
  let out: Uint8Array = new Uint8Array(Math.max(0, Math.min(announced, maxOutput, bytes.length * MAX_RATIO)));
  let total = 0;
  // Where each member starts in the input and in the output, for the trailer checks.
  const members: { inStart: number; outStart: number }[] = [{ inStart: 0, outStart: 0 }];
  const inflater = new Gunzip((chunk) => {
    const end = total + chunk.length;
    if (end > maxOutput) {
      total = end;
      return;
    }
    if (end > out.length) out = grown(out, total, Math.min(maxOutput, Math.max(end, 2 * out.length)));
    out.set(chunk, total);
    total = end;
  });
  inflater.onmember = (offset) => members.push({ inStart: offset, outStart: total });

  try {
    for (let at = 0, end = 0; at < bytes.length; at = end) {
      const room = Math.max(0, maxOutput - total);
      end = Math.min(bytes.length, at + Math.max(1, Math.min(MAX_SLICE, Math.floor(room / MAX_RATIO))));
      inflater.push(bytes.subarray(at, end), end === bytes.length);
      if (total > maxOutput) {
        throw new StudioError(
          'TOO_LARGE',
          `gzip data inflates to more than ${formatBytes(maxOutput)} (${reason}); stopped after ` +
            `${formatBytes(end)} of ${formatBytes(bytes.length)} compressed`,
          where,
        );
      }
    }
  } catch (e) {
    if (e instanceof StudioError) throw e;
    throw corrupt(errorMessage(e));
  }
  if (total < out.length) out = out.subarray(0, total);

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

/**
 * The first `n` bytes of the inflated data (fewer when it is shorter), inflating
 * only as much input as that takes: enough to see what kind of file is inside
 * and how large it says it is. No integrity check: the full inflation does that.
 */
export function gunzipHead(bytes: Uint8Array, n: number): Uint8Array {
  const head = new Uint8Array(n);
  let got = 0;
  const inflater = new Gunzip((chunk) => {
    const take = Math.min(chunk.length, n - got);
    head.set(chunk.subarray(0, take), got);
    got += take;
  });
  try {
    for (let at = 0; at < bytes.length && got < n; at += 1024) {
      inflater.push(bytes.subarray(at, Math.min(bytes.length, at + 1024)), at + 1024 >= bytes.length);
    }
  } catch {
    // Damage is reported by gunzipCapped, with its full diagnosis.
  }
  return head.subarray(0, got);
}

/** A larger buffer holding the first `used` bytes of `buf`. */
function grown(buf: Uint8Array, used: number, size: number): Uint8Array {
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, used));
  return next;
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
