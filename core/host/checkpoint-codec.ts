import { z } from 'zod';
import { StudioError } from '../errors.js';
import { readJsonBytes } from '../json-text.js';
import type { FloatArray } from '../matrix.js';
import { networkSpecSchema, trainingConfigSchema, OPTIMIZERS } from '../spec.js';
import type { TrainerCheckpoint } from '../trainer.js';
import { checkCheckpointLayout } from './checkpoint-layout.js';

/**
 * A trainer checkpoint as one ArrayBuffer, so Electron main can keep the last
 * one (and hand it back after a crash) without knowing what is inside.
 *
 * Layout: "BPCK" | u32 version | u32 header bytes | JSON header | zero padding
 * to 8 | raw little-endian arrays. In the JSON, every typed array is replaced by
 * {"$a": "f32"|"f64"|"i32", "o": byte offset into the raw part, "n": length}.
 * Decoding checks everything (the bytes come back over a process boundary) and
 * reports one line, never throws anything but StudioError.
 */

const MAGIC = 0x4b435042; // "BPCK" little-endian
const VERSION = 1;
const MAX_HEADER = 16 * 1024 * 1024;

type ArrayTag = 'f32' | 'f64' | 'i32';
type Packed = { $a: ArrayTag; o: number; n: number };

const BYTES: Record<ArrayTag, number> = { f32: 4, f64: 8, i32: 4 };

export function encodeCheckpoint(cp: TrainerCheckpoint): ArrayBuffer {
  const arrays: { tag: ArrayTag; data: Float32Array | Float64Array | Int32Array; offset: number }[] = [];
  let blobBytes = 0;
  const pack = (v: unknown): unknown => {
    if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array) {
      const tag: ArrayTag = v instanceof Float32Array ? 'f32' : v instanceof Float64Array ? 'f64' : 'i32';
      blobBytes = align8(blobBytes);
      const entry = { tag, data: v, offset: blobBytes };
      arrays.push(entry);
      blobBytes += v.byteLength;
      return { $a: tag, o: entry.offset, n: v.length } satisfies Packed;
    }
    if (Array.isArray(v)) return v.map(pack);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = pack(x);
      return out;
    }
    return v;
  };
  const header = new TextEncoder().encode(JSON.stringify(pack(cp)));
  const blobStart = align8(12 + header.length);
  const buf = new ArrayBuffer(blobStart + blobBytes);
  const view = new DataView(buf);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  new Uint8Array(buf, 12, header.length).set(header);
  for (const a of arrays) {
    const base = blobStart + a.offset;
    if (LITTLE_ENDIAN) {
      new Uint8Array(buf, base, a.data.byteLength).set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
      continue;
    }
    // Big-endian host: element by element through DataView, still little-endian in the bytes.
    const w = BYTES[a.tag];
    for (let i = 0; i < a.data.length; i++) {
      const x = a.data[i]!;
      if (a.tag === 'f32') view.setFloat32(base + i * w, x, true);
      else if (a.tag === 'f64') view.setFloat64(base + i * w, x, true);
      else view.setInt32(base + i * w, x, true);
    }
  }
  return buf;
}

const packedSchema = z.object({ $a: z.enum(['f32', 'f64', 'i32']), o: z.number().int().min(0), n: z.number().int().min(0) }).strict();
const count = z.number().int().min(0);

const rngSchema = z
  .object({ a: z.number().int(), b: z.number().int(), c: z.number().int(), d: z.number().int(), spare: z.number().nullable() })
  .strict();

const checkpointHeaderSchema = z
  .object({
    version: z.literal(1),
    spec: networkSpecSchema,
    config: trainingConfigSchema,
    params: z.array(
      z.object({ name: z.string(), shape: z.tuple([count, count]), data: packedSchema }).strict(),
    ),
    buffers: z.array(z.object({ name: z.string(), data: packedSchema }).strict()).optional(),
    networkRng: rngSchema.optional(),
    optimizer: z
      .object({ kind: z.enum(OPTIMIZERS), steps: count, slots: z.array(z.array(packedSchema)) })
      .strict(),
    rng: rngSchema,
    epoch: count,
    iteration: count,
    position: count,
    batchInEpoch: count,
    order: packedSchema.nullable(),
    awaitingFinish: z.boolean(),
    diverged: z.boolean(),
    epochSeconds: z.number().min(0),
    trainCount: count,
  })
  .strict();

export function decodeCheckpoint(input: ArrayBuffer | Uint8Array): TrainerCheckpoint {
  const bad = (msg: string): StudioError => new StudioError('BAD_MESSAGE', `checkpoint: ${msg}`);
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length < 12) throw bad(`${bytes.length} bytes is too short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw bad('not a Backprop Studio checkpoint (wrong magic)');
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw bad(`version ${version} is not supported (expected ${VERSION})`);
  const headerLength = view.getUint32(8, true);
  if (headerLength > MAX_HEADER || 12 + headerLength > bytes.length) throw bad(`header of ${headerLength} bytes does not fit in ${bytes.length}`);
  const json = readJsonBytes(bytes.subarray(12, 12 + headerLength));
  if ('why' in json) throw bad(`header is not valid JSON: ${json.why}`);
  const parsed = checkpointHeaderSchema.safeParse(json.value);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw bad(`field ${i ? i.path.join('.') : '?'}: ${i ? i.message : 'invalid'}`);
  }
  const h = parsed.data;
  const blobStart = align8(12 + headerLength);
  const blobBytes = bytes.length - blobStart;
  // Counts, names, shapes and non-overlapping offsets of every array, before any is decoded.
  checkCheckpointLayout(h, blobBytes, bad);

  const unpack = (p: Packed, what: string): Float32Array | Float64Array | Int32Array => {
    const w = BYTES[p.$a];
    if (p.o % 8 !== 0 || p.o + p.n * w > blobBytes) throw bad(`${what}: ${p.n} values at offset ${p.o} run past the end`);
    const base = blobStart + p.o;
    if (LITTLE_ENDIAN) {
      // Copy into a fresh, aligned buffer: the blob may sit at any offset of the input.
      const raw = bytes.slice(base, base + p.n * w).buffer;
      const out = p.$a === 'i32' ? new Int32Array(raw) : p.$a === 'f32' ? new Float32Array(raw) : new Float64Array(raw);
      if (p.$a !== 'i32') {
        for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) throw bad(`${what}: value ${i} is ${out[i]}`);
      }
      return out;
    }
    if (p.$a === 'i32') {
      const out = new Int32Array(p.n);
      for (let i = 0; i < p.n; i++) out[i] = view.getInt32(base + i * 4, true);
      return out;
    }
    const out = p.$a === 'f32' ? new Float32Array(p.n) : new Float64Array(p.n);
    for (let i = 0; i < p.n; i++) {
      const v = p.$a === 'f32' ? view.getFloat32(base + i * 4, true) : view.getFloat64(base + i * 8, true);
      if (!Number.isFinite(v)) throw bad(`${what}: value ${i} is ${v}`);
      out[i] = v;
    }
    return out;
  };
  const float = (p: Packed, what: string): FloatArray => {
    if (p.$a === 'i32') throw bad(`${what}: expected floating-point values`);
    return unpack(p, what) as FloatArray;
  };

  const params = h.params.map((p) => {
    const data = float(p.data, p.name);
    if (data.length !== p.shape[0] * p.shape[1]) throw bad(`${p.name}: ${data.length} values for shape ${p.shape.join('x')}`);
    return { name: p.name, shape: p.shape, data };
  });
  const slots = h.optimizer.slots.map((row, i) => row.map((s, k) => float(s, `optimizer slot ${i}.${k}`)));
  let order: Int32Array | null = null;
  if (h.order) {
    if (h.order.$a !== 'i32') throw bad('order: expected integers');
    order = unpack(h.order, 'order') as Int32Array;
    for (const i of order) if (i < 0 || i >= h.trainCount) throw bad(`order: sample index ${i} outside 0..${h.trainCount - 1}`);
  }
  const buffers = h.buffers?.map((b) => ({ name: b.name, data: float(b.data, b.name) }));
  return {
    version: 1,
    spec: h.spec,
    config: h.config,
    params,
    ...(buffers ? { buffers } : {}),
    ...(h.networkRng ? { networkRng: h.networkRng } : {}),
    optimizer: { kind: h.optimizer.kind, steps: h.optimizer.steps, slots },
    rng: h.rng,
    epoch: h.epoch,
    iteration: h.iteration,
    position: h.position,
    batchInEpoch: h.batchInEpoch,
    order,
    awaitingFinish: h.awaitingFinish,
    diverged: h.diverged,
    epochSeconds: h.epochSeconds,
    trainCount: h.trainCount,
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function align8(n: number): number {
  return (n + 7) & ~7;
}
