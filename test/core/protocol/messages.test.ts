import { describe, expect, it } from 'vitest';
import {
  COMMAND_TYPES,
  commandSchema,
  eventSchema,
  parseCommand,
  transferablesOf,
  type EngineEvent,
} from '../../../core/protocol/messages.js';

/** The protocol's schemas on their own: what passes, what fails and how it says so. */

describe('protocol messages', () => {
  it('lists every command the issue names, plus the studio extras', () => {
    expect(COMMAND_TYPES).toEqual([
      'configure', 'setTraining', 'loadData', 'loadBuiltin', 'start', 'pause', 'resume', 'stop', 'step', 'ping', 'resetWeights',
      'inspect', 'gradcheck', 'exportModel', 'importModel', 'evaluate', 'predictGrid', 'samples', 'restoreCheckpoint',
      'trace', 'checkWeight', 'predict', 'evaluateFile', 'predictFile', 'setPace', 'featureMaps', 'layerTensors',
    ]);
  });

  it('fills defaults so the host never meets a missing optional', () => {
    const r = parseCommand({ type: 'configure', id: 1, spec: { inputSize: 2, layers: [{ kind: 'affine', units: 2 }] }, training: {} });
    expect(r.ok).toBe(true);
    if (!r.ok || r.command.type !== 'configure') throw new Error('unreachable');
    expect(r.command.spec.loss).toBe('softmax-cross-entropy');
    expect(r.command.training).toMatchObject({ optimizer: 'sgd', learningRate: 0.1, batchSize: 100, epochs: 5, seed: 1 });
    const step = parseCommand({ type: 'step', id: 'a' });
    expect(step.ok && step.command).toEqual({ type: 'step', id: 'a', count: 1 });
    const load = parseCommand({ type: 'loadData', id: 2, name: 'x.csv', bytes: new Uint8Array(3) });
    expect(load.ok && load.command.type === 'loadData' && load.command.options).toEqual({});
  });

  it('accepts bytes as ArrayBuffer or Uint8Array, never as a JSON array or a string', () => {
    for (const bytes of [new ArrayBuffer(4), new Uint8Array(4)]) {
      expect(parseCommand({ type: 'importModel', id: 1, name: 'm.safetensors', bytes }).ok).toBe(true);
    }
    for (const bytes of [[1, 2, 3], 'AAAA', { 0: 1, length: 1 }, new Float32Array(1)]) {
      const r = parseCommand({ type: 'importModel', id: 1, name: 'm.safetensors', bytes });
      expect(r).toEqual({ ok: false, id: 1, message: "command 'importModel': field bytes: expected an ArrayBuffer or Uint8Array of bytes" });
    }
  });

  it('names the field and echoes the id of a bad command', () => {
    expect(parseCommand({ type: 'predictGrid', id: 9, bounds: { xMin: 1, xMax: 0, yMin: 0, yMax: 1 }, cols: 10, rows: 10 })).toEqual({
      ok: false,
      id: 9,
      message: "command 'predictGrid': field bounds: bounds must have xMax > xMin and yMax > yMin",
    });
    const huge = parseCommand({ type: 'predictGrid', id: 9, bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 }, cols: 5000, rows: 10 });
    expect(huge.ok === false && huge.message).toMatch(/^command 'predictGrid': field cols: /);
    // An id that is not usable is not echoed.
    expect(parseCommand({ type: 'start', id: { evil: true } })).toMatchObject({ ok: false, message: expect.stringMatching(/field id/) });
    expect(parseCommand({ type: 'start', id: { evil: true } })).not.toHaveProperty('id');
    // Extra fields are refused: a typo must not pass silently.
    expect(parseCommand({ type: 'step', id: 1, cuont: 3 })).toEqual({ ok: false, id: 1, message: "command 'step': unknown field 'cuont'" });
    expect(parseCommand([1, 2])).toMatchObject({ ok: false, message: expect.stringMatching(/^a message must be an object .* got an array$/) });
  });

  it('keeps messages about hostile input short and on one line', () => {
    const long = 'x'.repeat(10_000);
    const r = parseCommand({ type: long, id: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message.length).toBeLessThan(400);
    expect(r.message).not.toMatch(/\n/);
  });

  it('accepts NaN and Infinity where a diverging run reports them', () => {
    const ev = { type: 'progress', state: 'running', iteration: 3, epoch: 0, loss: Number.NaN, samplesPerSecond: 10, fraction: 0.1, secondsLeft: null };
    expect(eventSchema.safeParse(ev).success).toBe(true);
    expect(eventSchema.safeParse({ ...ev, loss: Number.POSITIVE_INFINITY }).success).toBe(true);
    expect(eventSchema.safeParse({ ...ev, loss: '1' }).success).toBe(false);
  });

  it('finds every buffer of an event to transfer, once, and leaves shared memory alone', () => {
    const W = new Float32Array(6);
    const ev: EngineEvent = {
      type: 'dataLoaded',
      id: 1,
      name: 'x',
      trainCount: 1,
      testCount: 0,
      features: 2,
      classNames: ['a'],
      trainClassCounts: [1],
      testClassCounts: [0],
      standardized: false,
      preview: { kind: 'images', pixels: new Uint8Array(4), labels: new Int32Array(1), count: 1 },
      points: { trainXY: W, trainLabels: new Int32Array(1), testXY: W, testLabels: new Int32Array(0), bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 } },
      warnings: [],
    };
    const t = transferablesOf(ev);
    expect(t).toHaveLength(5); // pixels, labels, W (twice, listed once), trainLabels, testLabels
    expect(new Set(t).size).toBe(5);
    const shared = { type: 'modelExported', id: 1, bytes: new ArrayBuffer(3) } as const;
    expect(transferablesOf(shared)).toEqual([shared.bytes]);
    if (typeof SharedArrayBuffer === 'function') {
      const s = new Float32Array(new SharedArrayBuffer(8));
      const ev2 = { type: 'gridResult', id: 1, cols: 1, rows: 2, classes: new Uint8Array(2), confidence: s } as const;
      expect(transferablesOf(ev2 as unknown as EngineEvent)).toHaveLength(1);
    }
  });

  it('every command schema is strict and has an id', () => {
    for (const option of commandSchema.options) {
      expect(option.shape).toHaveProperty('id');
      expect(option.safeParse({ type: option.shape.type.value, id: 1, unknownField: 1 }).success).toBe(false);
    }
  });
});
