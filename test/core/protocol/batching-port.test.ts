import { describe, expect, it } from 'vitest';
import { batchOutgoing, eventsOf, MAX_BATCH } from '../../../core/protocol/batching-port.js';
import type { PortLike } from '../../../core/protocol/port.js';

/** A port that records what it was asked to post. */
function recordingPort(): PortLike & { posted: { message: unknown; transfer: ArrayBuffer[] | undefined }[] } {
  const posted: { message: unknown; transfer: ArrayBuffer[] | undefined }[] = [];
  return { posted, postMessage: (message, transfer) => void posted.push({ message, transfer }), onMessage: () => () => undefined };
}

/** A schedule the test runs by hand, standing in for the end of the engine's task. */
function manualSchedule(): { schedule: (f: () => void) => void; run(): void; pending(): number } {
  const queue: (() => void)[] = [];
  return { schedule: (f) => void queue.push(f), run: () => queue.splice(0).forEach((f) => f()), pending: () => queue.length };
}

describe('batchOutgoing: the events of one engine task go as one message', () => {
  it('posts nothing until the task ends, then everything it sent, in order', () => {
    const port = recordingPort();
    const task = manualSchedule();
    const out = batchOutgoing(port, task.schedule);
    out.postMessage({ type: 'epoch', epoch: 1 });
    out.postMessage({ type: 'layerStats', iteration: 3 });
    out.postMessage({ type: 'checkpoint', epoch: 1 });
    expect(port.posted).toEqual([]);
    expect(task.pending()).toBe(1); // one flush per task, however many events
    task.run();
    expect(port.posted.map((p) => p.message)).toEqual([[{ type: 'epoch', epoch: 1 }, { type: 'layerStats', iteration: 3 }, { type: 'checkpoint', epoch: 1 }]]);
  });

  it('sends a lone event as itself, not as an array of one', () => {
    const port = recordingPort();
    const task = manualSchedule();
    const out = batchOutgoing(port, task.schedule);
    out.postMessage({ type: 'ack', id: 7 });
    task.run();
    expect(port.posted.map((p) => p.message)).toEqual([{ type: 'ack', id: 7 }]);
  });

  it('starts a new batch after a flush', () => {
    const port = recordingPort();
    const task = manualSchedule();
    const out = batchOutgoing(port, task.schedule);
    out.postMessage({ type: 'a' });
    task.run();
    out.postMessage({ type: 'b' });
    out.postMessage({ type: 'c' });
    task.run();
    expect(port.posted.map((p) => p.message)).toEqual([{ type: 'a' }, [{ type: 'b' }, { type: 'c' }]]);
  });

  it('transfers every buffer of the batch once, even when two events list the same one', () => {
    const port = recordingPort();
    const task = manualSchedule();
    const out = batchOutgoing(port, task.schedule);
    const a = new ArrayBuffer(8);
    const b = new ArrayBuffer(16);
    out.postMessage({ type: 'checkpoint' }, [a]);
    out.postMessage({ type: 'modelExported' }, [b, a]);
    out.postMessage({ type: 'status' });
    task.run();
    expect(port.posted[0]!.transfer).toEqual([a, b]);
    expect(port.posted[0]!.transfer![0]).toBe(a);
  });

  it('flushes at the end of the real task (a microtask) by default', async () => {
    const port = recordingPort();
    const out = batchOutgoing(port);
    out.postMessage({ type: 'x' });
    out.postMessage({ type: 'y' });
    expect(port.posted).toEqual([]);
    await Promise.resolve();
    expect(port.posted.map((p) => p.message)).toEqual([[{ type: 'x' }, { type: 'y' }]]);
  });

  it('passes incoming messages through untouched', () => {
    const heard: unknown[] = [];
    let deliver: (d: unknown) => void = () => undefined;
    const port: PortLike = { postMessage: () => undefined, onMessage: (h) => ((deliver = h), () => undefined) };
    batchOutgoing(port).onMessage((d) => heard.push(d));
    deliver({ type: 'train', id: 1 });
    expect(heard).toEqual([{ type: 'train', id: 1 }]);
  });
});

describe('eventsOf: the receiving side', () => {
  it('reads one event or a batch of them', () => {
    expect(eventsOf({ type: 'ack', id: 1 })).toEqual([{ type: 'ack', id: 1 }]);
    expect(eventsOf([{ type: 'a' }, { type: 'b' }])).toEqual([{ type: 'a' }, { type: 'b' }]);
  });

  it('keeps a non-object as one (invalid) event for the schema to refuse', () => {
    expect(eventsOf('hello')).toEqual(['hello']);
  });

  it('caps an absurdly long batch', () => {
    expect(eventsOf(new Array(MAX_BATCH + 5).fill({ type: 'x' }))).toHaveLength(MAX_BATCH);
  });
});
