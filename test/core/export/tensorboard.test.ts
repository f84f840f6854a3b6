import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { unzipSync } from 'fflate';
import { maskedCrc32c, tensorboardArchive, tensorboardEvents, tensorboardFileName, TENSORBOARD_FILE_VERSION, type TensorboardRun } from '../../../core/export/tensorboard.js';

/**
 * The event file read back the way TensorBoard reads it: TFRecords whose length
 * and data CRCs check out (against a CRC-32C written out here, bit by bit), each
 * an Event decoded by protobufjs from the schema of event.proto / summary.proto.
 */

const SCHEMA = `
syntax = "proto3";
package tensorflow;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
  }
}
message Summary {
  message Value {
    string node_name = 7;
    string tag = 1;
    oneof value {
      float simple_value = 2;
      bytes obsolete_old_style_histogram = 3;
    }
  }
  repeated Value value = 1;
}`;
const Event = protobuf.parse(SCHEMA).root.lookupType('tensorflow.Event');

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), one bit at a time: slow and obviously right. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const mask = (crc: number): number => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

interface Scalar {
  wallTime: number;
  step: number;
  tag?: string;
  value?: number;
  fileVersion?: string;
}

function readRecords(bytes: Uint8Array): Scalar[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Scalar[] = [];
  let at = 0;
  while (at < bytes.length) {
    const length = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    expect(view.getUint32(at + 8, true)).toBe(mask(crc32cBitwise(bytes.subarray(at, at + 8))));
    const data = bytes.subarray(at + 12, at + 12 + length);
    expect(view.getUint32(at + 12 + length, true)).toBe(mask(crc32cBitwise(data)));
    const e = Event.toObject(Event.decode(data), { longs: Number }) as {
      wallTime: number; step?: number; fileVersion?: string; summary?: { value: { tag: string; simpleValue: number }[] };
    };
    const v = e.summary?.value[0];
    out.push({ wallTime: e.wallTime, step: e.step ?? 0, ...(e.fileVersion ? { fileVersion: e.fileVersion } : {}), ...(v ? { tag: v.tag, value: v.simpleValue } : {}) });
    at += 12 + length + 4;
  }
  expect(at).toBe(bytes.length);
  return out;
}

const RUN: TensorboardRun = {
  name: 'adam lr 0.01',
  createdAt: Date.UTC(2026, 11, 6, 3, 0, 0),
  curve: { iterations: [1, 2, 3, 4], seconds: [0.01, 0.02, 0.03, 0.04], losses: [2.3, 1.9, null, 1.2] },
  epochs: [
    { epoch: 1, seconds: 0.025, trainLoss: 1.8, trainAccuracy: 0.5, testLoss: 1.85, testAccuracy: 0.45 },
    { epoch: 2, seconds: 0.05, trainLoss: 1.1, trainAccuracy: 0.75, testLoss: null, testAccuracy: null, validationLoss: 1.2, validationAccuracy: 0.7 },
  ],
};

describe('TensorBoard event files', () => {
  it('the CRC-32C with its mask agrees with the standard check value and with a bitwise CRC', () => {
    const nine = new TextEncoder().encode('123456789');
    expect(crc32cBitwise(nine)).toBe(0xe3069283);
    expect(maskedCrc32c(nine)).toBe(mask(0xe3069283));
  });

  it('writes a file_version record, then batch and epoch scalars that read back with valid CRCs', () => {
    const events = readRecords(tensorboardEvents(RUN));
    const t0 = RUN.createdAt / 1000;
    expect(events[0]).toEqual({ wallTime: t0, step: 0, fileVersion: TENSORBOARD_FILE_VERSION });
    const scalars = events.slice(1).map((e) => [e.tag, e.step, Number(e.value!.toFixed(5))]);
    expect(scalars).toEqual([
      ['batch/loss', 1, 2.3], ['batch/loss', 2, 1.9], ['batch/loss', 4, 1.2], // the null loss is left out
      ['epoch/train_loss', 1, 1.8], ['epoch/train_accuracy', 1, 0.5], ['epoch/test_loss', 1, 1.85], ['epoch/test_accuracy', 1, 0.45],
      ['epoch/train_loss', 2, 1.1], ['epoch/train_accuracy', 2, 0.75], ['epoch/validation_loss', 2, 1.2], ['epoch/validation_accuracy', 2, 0.7],
    ]);
    expect(events[2]!.wallTime).toBeCloseTo(t0 + 0.02, 6);
    expect(events.at(-1)!.wallTime).toBeCloseTo(t0 + 0.05, 6);
  });

  it('several runs: one folder per run in a .zip, names made safe and unique', () => {
    const files = unzipSync(tensorboardArchive([RUN, { ...RUN, name: 'adam lr 0.01' }, { ...RUN, name: '../../etc' }]));
    const file = tensorboardFileName(RUN);
    expect(Object.keys(files)).toEqual([`adam-lr-0.01/${file}`, `adam-lr-0.01-2/${file}`, `etc/${file}`]);
    expect(readRecords(files[`adam-lr-0.01/${file}`]!)).toHaveLength(12);
  });

  it('names the file as TensorBoard looks for it', () => {
    expect(tensorboardFileName(RUN, 'my host')).toBe(`events.out.tfevents.${RUN.createdAt / 1000}.my_host`);
  });
});
