/// <reference path="./crc32c.d.ts" />
import protobuf from 'protobufjs/minimal.js';
import CRC32C from 'crc-32/crc32c.js';
import { zipSync } from 'fflate';

/**
 * A kept training run as a TensorBoard event file, so `tensorboard --logdir DIR`
 * shows its curves. The file is a sequence of TFRecords:
 *
 *   uint64 length (LE) · uint32 masked CRC-32C of the length bytes · the Event bytes ·
 *   uint32 masked CRC-32C of the Event bytes,      masked(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8
 *
 * and each record holds one tensorflow.Event (tensorflow/core/util/event.proto):
 * the first carries file_version "brain.Event:2", the others one scalar summary
 * each (tensorflow/core/framework/summary.proto). The CRC is computed by crc-32's
 * CRC-32C and the protobuf written by protobufjs's Writer in the field order of
 * generated static code (no reflection: that compiles code at run time, which the
 * renderer's Content-Security-Policy forbids).
 *
 * Scalars: batch/loss per iteration (step = iteration), and per epoch
 * (step = epoch) epoch/train_loss, epoch/train_accuracy, epoch/test_loss,
 * epoch/test_accuracy, epoch/validation_loss, epoch/validation_accuracy.
 * Values that are null (a diverged loss, no test set) are left out.
 */

/** What a run must provide: the shape of the studio's kept runs (renderer/src/lib/runs/record.ts). */
export interface TensorboardRun {
  name: string;
  /** ms since 1970, when the run started. */
  createdAt: number;
  /** Loss per iteration: iterations since the start, seconds since the start, the loss (null when not finite). */
  curve: { iterations: readonly number[]; seconds: readonly number[]; losses: readonly (number | null)[] };
  epochs: readonly {
    epoch: number;
    seconds: number;
    trainLoss: number | null;
    trainAccuracy: number | null;
    testLoss: number | null;
    testAccuracy: number | null;
    validationLoss?: number | null;
    validationAccuracy?: number | null;
  }[];
}

export const TENSORBOARD_FILE_VERSION = 'brain.Event:2';
const EPOCH_TAGS = [
  ['trainLoss', 'epoch/train_loss'],
  ['trainAccuracy', 'epoch/train_accuracy'],
  ['testLoss', 'epoch/test_loss'],
  ['testAccuracy', 'epoch/test_accuracy'],
  ['validationLoss', 'epoch/validation_loss'],
  ['validationAccuracy', 'epoch/validation_accuracy'],
] as const;

/** The event file's bytes: one record per scalar, in time order within each tag. */
export function tensorboardEvents(run: TensorboardRun): Uint8Array {
  const start = run.createdAt / 1000;
  const records: Uint8Array[] = [record(encodeEvent({ wallTime: start, step: 0, fileVersion: TENSORBOARD_FILE_VERSION }))];
  const { iterations, seconds, losses } = run.curve;
  for (let i = 0; i < losses.length; i++) {
    const loss = losses[i];
    if (loss === null || loss === undefined || !Number.isFinite(loss)) continue;
    records.push(record(encodeEvent({ wallTime: start + (seconds[i] ?? 0), step: iterations[i]!, scalar: { tag: 'batch/loss', value: loss } })));
  }
  for (const e of run.epochs) {
    for (const [key, tag] of EPOCH_TAGS) {
      const value = e[key];
      if (value === null || value === undefined || !Number.isFinite(value)) continue;
      records.push(record(encodeEvent({ wallTime: start + e.seconds, step: e.epoch, scalar: { tag, value } })));
    }
  }
  return concat(records);
}

/** TensorBoard's file name pattern; it reads every file named events.out.tfevents.* in a run's folder. */
export function tensorboardFileName(run: Pick<TensorboardRun, 'createdAt'>, host = 'backprop-studio'): string {
  return `events.out.tfevents.${Math.floor(run.createdAt / 1000)}.${host.replace(/[^\w.-]+/g, '_')}`;
}

/**
 * Several runs as one .zip laid out as a TensorBoard log folder: one sub-folder per
 * run (named after it, made unique), each with its event file. Unzip it and run
 * `tensorboard --logdir` on the folder: every run is a line of its own.
 */
export function tensorboardArchive(runs: readonly TensorboardRun[]): Uint8Array {
  const used = new Set<string>();
  const files: Record<string, Uint8Array> = {};
  for (const run of runs) {
    const base = run.name.replace(/[^\w.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80) || 'run';
    let folder = base;
    for (let k = 2; used.has(folder); k++) folder = `${base}-${k}`;
    used.add(folder);
    files[`${folder}/${tensorboardFileName(run)}`] = tensorboardEvents(run);
  }
  return zipSync(files);
}

interface EventFields {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalar?: { tag: string; value: number };
}

// Field numbers and wire types of event.proto / summary.proto.
const VARINT = 0, FIXED64 = 1, BYTES = 2, FIXED32 = 5;
const key = (field: number, wire: number): number => (field << 3) | wire;

/** tensorflow.Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; } */
export function encodeEvent(e: EventFields): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(key(1, FIXED64)).double(e.wallTime);
  if (e.step !== 0) w.uint32(key(2, VARINT)).int64(e.step);
  if (e.fileVersion !== undefined) w.uint32(key(3, BYTES)).string(e.fileVersion);
  if (e.scalar) {
    // Summary { repeated Value value = 1; }  Value { string tag = 1; float simple_value = 2; }
    w.uint32(key(5, BYTES)).fork();
    w.uint32(key(1, BYTES)).fork();
    w.uint32(key(1, BYTES)).string(e.scalar.tag);
    w.uint32(key(2, FIXED32)).float(e.scalar.value);
    w.ldelim();
    w.ldelim();
  }
  return w.finish();
}

/** TFRecord framing: length, its masked CRC, the data, the data's masked CRC. */
export function record(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length >>> 0, true);
  view.setUint32(4, Math.floor(data.length / 2 ** 32), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
