import { StudioError } from '../errors.js';
import { LIMITS } from '../spec.js';
import { readJsonBytes } from '../json-text.js';

/**
 * The safetensors container (https://github.com/huggingface/safetensors):
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   JSON: { "__metadata__": {string: string}, name: {dtype, shape, data_offsets: [begin, end]}, ... }
 *             (may end in spaces, so the data starts 8-byte aligned)
 *   rest      the tensors' raw little-endian bytes; offsets are relative to here
 *
 * F32 tensors are read and written (the engine trains in float32), and I64 for
 * counters PyTorch keeps as int64 (BatchNorm's num_batches_tracked), held here as
 * numbers (exact up to 2^24). The reader
 * trusts nothing: every length, offset and value is checked before use, and the
 * data section must be covered exactly (no gaps, no overlaps, no trailing bytes),
 * as the reference implementation requires.
 */

export interface Tensor {
  shape: number[];
  data: Float32Array;
  /** Stored type in the file; absent means F32. I64 values must be whole numbers. */
  dtype?: 'F32' | 'I64';
}

const DTYPE_BYTES = { F32: 4, I64: 8 } as const;

export interface SafetensorsContent {
  /** `__metadata__`, or an empty object when the file has none. */
  metadata: Record<string, string>;
  tensors: Map<string, Tensor>;
}

/** The reference implementation's limit; a model's header is a few KB. */
export const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeSafetensors(tensors: Map<string, Tensor>, metadata: Record<string, string>): Uint8Array {
  // Sorted by name, like the reference writer does for tensors of one dtype.
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) {
      throw new StudioError('INTERNAL', `tensor ${name}: shape [${t.shape.join(', ')}] needs ${count} values, got ${t.data.length}`);
    }
    const dtype = t.dtype ?? 'F32';
    if (dtype === 'I64' && !t.data.every((v) => Number.isInteger(v))) {
      throw new StudioError('INTERNAL', `tensor ${name}: an I64 tensor must hold whole numbers`);
    }
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + DTYPE_BYTES[dtype] * count] };
    offset += DTYPE_BYTES[dtype] * count;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    const t = tensors.get(name)!;
    const data = t.data;
    if (t.dtype === 'I64') {
      data.forEach((v, i) => view.setBigInt64(at + 8 * i, BigInt(v), true));
      at += 8 * data.length;
      continue;
    }
    if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    else data.forEach((v, i) => view.setFloat32(at + 4 * i, v, true));
    at += data.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: 'F32' | 'I64';
  shape: number[];
  begin: number;
  end: number;
}

/** More tensors than any network the studio builds (two or five per layer, at most 64 layers) by far. */
export const MAX_TENSORS = 10_000;

/** A tensor as the header describes it, before its data is read. */
export interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'F32' | 'I64';
}

/**
 * `beforeData` sees the metadata and every entry once their count, names, shapes
 * and offsets have been checked (no gaps, no overlaps: the data decodes to at most
 * the file's size), and before any tensor is decoded: a reader that knows which
 * tensors it needs refuses the others without decoding them.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  file?: string,
  maxHeaderBytes: number = MAX_HEADER_BYTES,
  beforeData?: (metadata: Record<string, string>, entries: readonly TensorEntry[]) => void,
): SafetensorsContent {
  const where = file === undefined ? {} : { file };
  const bad = (msg: string): StudioError => new StudioError('BAD_MODEL', msg, where);

  if (bytes.length === 0) throw bad('the file is empty');
  if (bytes.length < 8) throw bad(`only ${bytes.length} bytes: too short for a safetensors file (the header length alone takes 8)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLength = hi * 2 ** 32 + lo;
  if (headerLength > bytes.length - 8) {
    throw bad(
      `not a safetensors file, or truncated: the header length ${headerLength} is more than the ${bytes.length - 8} bytes that follow it`,
    );
  }
  if (headerLength > maxHeaderBytes) {
    throw new StudioError('TOO_LARGE', `the header is ${headerLength} bytes; the limit is ${maxHeaderBytes}`, where);
  }
  if (headerLength < 2 || bytes[8] !== 0x7b) throw bad('not a safetensors file: the header is not a JSON object');

  const json = readJsonBytes(bytes.subarray(8, 8 + headerLength));
  if ('why' in json) throw bad(`the header is not valid JSON: ${json.why}`);
  const header = json.value;
  if (!isPlainObject(header)) throw bad('the header is not a JSON object');

  const names = Object.keys(header);
  if (names.length - (names.includes('__metadata__') ? 1 : 0) > MAX_TENSORS) {
    throw new StudioError('TOO_LARGE', `the header lists ${names.length} tensors; the limit is ${MAX_TENSORS}`, where);
  }
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = readMetadata(value, bad);
      continue;
    }
    entries.push(readEntry(name, value, bad, where));
  }

  // The data section must be covered exactly, in offset order.
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: string | null = null;
  for (const e of entries) {
    if (e.end > dataLength) {
      throw bad(`tensor ${e.name} ends at byte ${e.end} of the data, which has only ${dataLength} bytes (truncated file?)`);
    }
    if (e.begin < expected) throw bad(`tensor ${e.name} overlaps ${previous} (starts at byte ${e.begin}, before ${expected})`);
    if (e.begin > expected) {
      throw bad(`bytes ${expected}..${e.begin} of the data belong to no tensor (a gap before ${e.name})`);
    }
    expected = e.end;
    previous = e.name;
  }
  if (expected !== dataLength) {
    throw bad(`${dataLength - expected} unexpected bytes after the last tensor (the data should end at byte ${expected})`);
  }

  beforeData?.(metadata, entries);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const at = dataStart + e.begin;
    if (e.dtype === 'I64') {
      const data = new Float32Array((e.end - e.begin) / 8);
      for (let i = 0; i < data.length; i++) {
        const v = view.getBigInt64(at + 8 * i, true);
        if (v < 0n || v > 16_777_216n) throw bad(`tensor ${e.name} holds ${v} at position ${i}; counters must be from 0 to 2^24`);
        data[i] = Number(v);
      }
      tensors.set(e.name, { shape: e.shape, data, dtype: 'I64' });
      continue;
    }
    const data = new Float32Array((e.end - e.begin) / 4);
    if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(bytes.subarray(at, dataStart + e.end));
    else for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(at + 4 * i, true);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) {
        throw bad(`tensor ${e.name} holds ${data[i]} at position ${i}; a model must have finite weights`);
      }
    }
    tensors.set(e.name, { shape: e.shape, data });
  }
  return { metadata, tensors };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readMetadata(value: unknown, bad: (m: string) => StudioError): Record<string, string> {
  if (!isPlainObject(value)) throw bad('__metadata__ is not an object of strings');
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw bad(`__metadata__.${k} is a ${v === null ? 'null' : typeof v}; safetensors metadata values are strings`);
  }
  // fromEntries defines own properties, so even a key named __proto__ stays plain data.
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

function readEntry(
  name: string,
  value: unknown,
  bad: (m: string) => StudioError,
  where: { file?: string },
): Entry {
  if (!isPlainObject(value)) throw bad(`tensor ${name}: not an object with dtype, shape and data_offsets`);
  const extra = Object.keys(value).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
  if (extra.length > 0) throw bad(`tensor ${name}: unexpected field ${extra[0]}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') throw bad(`tensor ${name}: dtype is missing`);
  if (dtype !== 'F32' && dtype !== 'I64') {
    throw bad(`tensor ${name} has dtype ${dtype}; only F32 (float32) and I64 (counters) tensors can be loaded`);
  }
  const width = DTYPE_BYTES[dtype];
  if (!Array.isArray(shape) || !shape.every(isSize)) {
    throw bad(`tensor ${name}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize)) {
    throw bad(`tensor ${name}: data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw bad(`tensor ${name}: data_offsets [${begin}, ${end}] end before they begin`);
  let count = 1;
  for (const s of shape as number[]) {
    count *= s;
    if (count > LIMITS.maxParams) {
      throw new StudioError(
        'TOO_LARGE',
        `tensor ${name}: shape [${shape.join(', ')}] is over the limit of ${LIMITS.maxParams} values`,
        where,
      );
    }
  }
  if (end - begin !== count * width) {
    throw bad(
      `tensor ${name}: shape [${shape.join(', ')}] needs ${count * width} bytes of ${dtype} but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
