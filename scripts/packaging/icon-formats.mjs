// @ts-check
// The three icon containers the installers use, written (and read back, for the tests)
// without any image package: PNG (RGBA, 8 bits per channel), Windows ICO and Apple ICNS.

import { deflateSync, inflateSync } from 'node:zlib';

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** CRC-32 (IEEE), as PNG chunks need; table built once. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** @param {Uint8Array} bytes */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type @param {Uint8Array} data */
function pngChunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encode straight RGBA pixels as a PNG (colour type 6, 8 bits, no interlace).
 * Each row uses the Sub or Up filter, whichever leaves smaller absolute residuals,
 * which keeps flat-coloured icons small.
 * @param {number} width @param {number} height @param {Uint8Array} rgba
 */
export function encodePng(width, height, rgba) {
  if (rgba.length !== width * height * 4) throw new Error(`encodePng: ${rgba.length} bytes for ${width}x${height} RGBA`);
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  const sub = new Uint8Array(stride);
  const up = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = rgba.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? rgba.subarray((y - 1) * stride, y * stride) : null;
    let subCost = 0;
    let upCost = 0;
    for (let i = 0; i < stride; i++) {
      sub[i] = (row[i] - (i >= 4 ? row[i - 4] : 0)) & 0xff;
      up[i] = (row[i] - (prev ? prev[i] : 0)) & 0xff;
      subCost += sub[i] < 128 ? sub[i] : 256 - sub[i];
      upCost += up[i] < 128 ? up[i] : 256 - up[i];
    }
    const offset = y * (stride + 1);
    raw[offset] = upCost < subCost ? 2 : 1;
    raw.set(upCost < subCost ? up : sub, offset + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bits per channel
  ihdr[9] = 6; // RGBA
  return new Uint8Array(Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw, { level: 9 })), pngChunk('IEND', new Uint8Array(0))]));
}

/** @param {number} a @param {number} b @param {number} c */
function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decode an 8-bit RGBA, non-interlaced PNG (what encodePng writes, and what icons use).
 * Checks the signature and every chunk CRC.
 * @param {Uint8Array} bytes
 * @returns {{ width: number, height: number, rgba: Uint8Array }}
 */
export function decodePng(bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('decodePng: not a PNG (bad signature)');
  let pos = 8;
  let width = 0;
  let height = 0;
  /** @type {Buffer[]} */
  const idat = [];
  while (pos + 12 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + length > buf.length) throw new Error(`decodePng: chunk ${type} runs past the end`);
    const data = buf.subarray(pos + 8, pos + 8 + length);
    if (crc32(buf.subarray(pos + 4, pos + 8 + length)) !== buf.readUInt32BE(pos + 8 + length)) throw new Error(`decodePng: bad CRC in chunk ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 6 || data[12] !== 0) throw new Error('decodePng: only 8-bit RGBA, non-interlaced PNGs are supported');
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    pos += 12 + length;
  }
  if (width === 0 || height === 0) throw new Error('decodePng: no IHDR');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  if (raw.length !== (stride + 1) * height) throw new Error('decodePng: pixel data has the wrong length');
  const rgba = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = rgba.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? rgba.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= 4 ? out[i - 4] : 0;
      const b = prev[i];
      const c = i >= 4 ? prev[i - 4] : 0;
      const predictor = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : -1;
      if (predictor < 0) throw new Error(`decodePng: unknown filter ${filter} on row ${y}`);
      out[i] = (src[i] + predictor) & 0xff;
    }
  }
  return { width, height, rgba };
}

/**
 * A 32-bit BMP icon image (BITMAPINFOHEADER, BGRA rows bottom-up, then the 1-bit AND
 * mask). Used below 256 px, where every Windows component (shell, NSIS, rcedit) reads it.
 * @param {number} size @param {Uint8Array} rgba
 */
function bmpIconImage(size, rgba) {
  const maskStride = Math.ceil(size / 32) * 4;
  const out = Buffer.alloc(40 + size * size * 4 + maskStride * size);
  out.writeUInt32LE(40, 0);
  out.writeInt32LE(size, 4);
  out.writeInt32LE(size * 2, 8); // XOR bitmap + AND mask
  out.writeUInt16LE(1, 12);
  out.writeUInt16LE(32, 14);
  out.writeUInt32LE(size * size * 4 + maskStride * size, 20);
  let p = 40;
  for (let y = size - 1; y >= 0; y--) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      out[p++] = rgba[i + 2];
      out[p++] = rgba[i + 1];
      out[p++] = rgba[i];
      out[p++] = rgba[i + 3];
    }
  }
  for (let y = size - 1; y >= 0; y--) {
    for (let x = 0; x < size; x++) {
      if (rgba[(y * size + x) * 4 + 3] === 0) out[p + (x >> 3)] |= 0x80 >> (x & 7);
    }
    p += maskStride;
  }
  return out;
}

/**
 * Windows .ico: BMP images below 256 px, PNG at 256 px (the "jumbo" size).
 * @param {{ size: number, rgba: Uint8Array, png: Uint8Array }[]} images
 */
export function encodeIco(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(images.length, 4);
  /** @type {Uint8Array[]} */
  const bodies = [];
  let offset = header.length;
  images.forEach(({ size, rgba, png }, n) => {
    if (size > 256) throw new Error(`encodeIco: ${size} px is larger than ICO allows`);
    const body = size >= 256 ? png : bmpIconImage(size, rgba);
    const e = 6 + 16 * n;
    header[e] = size === 256 ? 0 : size; // 0 means 256
    header[e + 1] = size === 256 ? 0 : size;
    header.writeUInt16LE(1, e + 4); // planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(body.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += body.length;
    bodies.push(body);
  });
  return new Uint8Array(Buffer.concat([header, ...bodies]));
}

/**
 * Read an .ico's directory: each image's size and whether it is stored as PNG or BMP.
 * @param {Uint8Array} bytes
 * @returns {{ width: number, height: number, format: 'png' | 'bmp', data: Uint8Array }[]}
 */
export function parseIco(bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length < 6 || buf.readUInt16LE(0) !== 0 || buf.readUInt16LE(2) !== 1) throw new Error('parseIco: not an icon file');
  const count = buf.readUInt16LE(4);
  const images = [];
  for (let n = 0; n < count; n++) {
    const e = 6 + 16 * n;
    if (e + 16 > buf.length) throw new Error('parseIco: directory runs past the end');
    const length = buf.readUInt32LE(e + 8);
    const offset = buf.readUInt32LE(e + 12);
    if (offset + length > buf.length) throw new Error(`parseIco: image ${n} runs past the end`);
    const data = new Uint8Array(buf.subarray(offset, offset + length));
    const format = Buffer.from(data.subarray(0, 8)).equals(PNG_SIGNATURE) ? 'png' : 'bmp';
    images.push({ width: buf[e] || 256, height: buf[e + 1] || 256, format: /** @type {'png' | 'bmp'} */ (format), data });
  }
  return images;
}

/**
 * ICNS element types holding PNG data, with their pixel size. The double-density types
 * (ic11–ic14) are what Retina displays pick; icp4–icp6 serve the 1x small sizes.
 */
export const ICNS_TYPES = Object.freeze([
  { type: 'icp4', size: 16 },
  { type: 'icp5', size: 32 },
  { type: 'icp6', size: 64 },
  { type: 'ic07', size: 128 },
  { type: 'ic08', size: 256 },
  { type: 'ic09', size: 512 },
  { type: 'ic10', size: 1024 },
  { type: 'ic11', size: 32 },
  { type: 'ic12', size: 64 },
  { type: 'ic13', size: 256 },
  { type: 'ic14', size: 512 },
]);

/** @param {{ type: string, png: Uint8Array }[]} elements */
export function encodeIcns(elements) {
  const parts = elements.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return new Uint8Array(Buffer.concat([head, ...parts]));
}

/**
 * @param {Uint8Array} bytes
 * @returns {{ type: string, data: Uint8Array }[]}
 */
export function parseIcns(bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== 'icns') throw new Error('parseIcns: not an icns file');
  if (buf.readUInt32BE(4) !== buf.length) throw new Error(`parseIcns: header says ${buf.readUInt32BE(4)} bytes, file has ${buf.length}`);
  const elements = [];
  let pos = 8;
  while (pos < buf.length) {
    if (pos + 8 > buf.length) throw new Error('parseIcns: truncated element header');
    const length = buf.readUInt32BE(pos + 4);
    if (length < 8 || pos + length > buf.length) throw new Error(`parseIcns: element at ${pos} has a bad length`);
    elements.push({ type: buf.toString('latin1', pos, pos + 4), data: new Uint8Array(buf.subarray(pos + 8, pos + length)) });
    pos += length;
  }
  return elements;
}
