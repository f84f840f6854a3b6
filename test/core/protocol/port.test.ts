import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel as NodeMessageChannel } from 'node:worker_threads';
import { fromEventTarget, fromMessagePortMain, fromNodePort, type MessagePortMainLike, type EventTargetPort } from '../../../core/protocol/port.js';
import { createHost, type EngineHost } from '../../../core/host/host.js';
import { eventSchema, type EngineEvent } from '../../../core/protocol/messages.js';

/** The same host behind each kind of port the studio uses. */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Electron's MessagePortMain, as a plain object with its shape: on('message', e => e.data), postMessage, start. */
class FakePortMain implements MessagePortMainLike {
  peer: FakePortMain | null = null;
  started = false;
  readonly posted: { message: unknown; transfer: unknown[] | undefined }[] = [];
  private listeners: ((e: { data: unknown }) => void)[] = [];
  private backlog: unknown[] = [];
  on(_event: 'message', listener: (e: { data: unknown }) => void): this {
    this.listeners.push(listener);
    return this;
  }
  off(_event: 'message', listener: (e: { data: unknown }) => void): this {
    this.listeners = this.listeners.filter((l) => l !== listener);
    return this;
  }
  start(): void {
    this.started = true;
    for (const m of this.backlog.splice(0)) this.deliver(m);
  }
  postMessage(message: unknown, transfer?: unknown[]): void {
    this.posted.push({ message, transfer });
    // Like Electron: a structured clone, delivered asynchronously, only once the other side started.
    const copy = structuredClone(message);
    setImmediate(() => this.peer!.deliver(copy));
  }
  private deliver(data: unknown): void {
    if (!this.started) this.backlog.push(data);
    else for (const l of this.listeners) l({ data });
  }
}

function collect(): { events: EngineEvent[]; push: (d: unknown) => void; next: (type: string) => Promise<EngineEvent> } {
  const events: EngineEvent[] = [];
  const waiters: { type: string; resolve: (e: EngineEvent) => void }[] = [];
  return {
    events,
    push(d) {
      const ev = eventSchema.parse(d);
      events.push(ev);
      for (const w of waiters.splice(0)) {
        if (w.type === ev.type) w.resolve(ev);
        else waiters.push(w);
      }
    },
    next: (type) => new Promise((resolve) => waiters.push({ type, resolve })),
  };
}

describe('PortLike adapters', () => {
  it("Electron's MessagePortMain shape: started, no ArrayBuffers in its transfer list", async () => {
    const engineSide = new FakePortMain();
    const rendererSide = new FakePortMain();
    engineSide.peer = rendererSide;
    rendererSide.peer = engineSide;
    const c = collect();
    rendererSide.on('message', (e) => c.push(e.data));
    rendererSide.start();
    const host: EngineHost = createHost(fromMessagePortMain(engineSide));
    cleanups.push(() => host.dispose());
    expect(engineSide.started).toBe(true);
    await c.next('ready');
    const inspect = c.next('inspectResult');
    rendererSide.postMessage({ type: 'configure', id: 1, spec: { inputSize: 3, layers: [{ kind: 'affine', units: 2 }] }, training: {} });
    rendererSide.postMessage({ type: 'inspect', id: 2, layer: 'fc1' });
    const r = await inspect;
    expect(r).toMatchObject({ type: 'inspectResult', wShape: [3, 2] });
    // MessagePortMain can only transfer ports: the adapter passes no transfer list.
    expect(engineSide.posted.every((p) => p.transfer === undefined)).toBe(true);
  });

  it("Node's worker_threads MessagePort, event-emitter style", async () => {
    const { port1, port2 } = new NodeMessageChannel();
    cleanups.push(() => {
      port1.close();
      port2.close();
    });
    const host = createHost(fromNodePort(port1));
    cleanups.push(() => host.dispose());
    const c = collect();
    port2.on('message', (d) => c.push(d));
    await c.next('ready');
    const err = c.next('error');
    port2.postMessage({ type: 'nonsense', id: 'q' });
    expect(await err).toMatchObject({ id: 'q', code: 'BAD_MESSAGE' });
  });

  it('DOM-style ports (global MessageChannel) transfer buffers both ways instead of copying them', async () => {
    const { port1, port2 } = new MessageChannel();
    cleanups.push(() => {
      port1.close();
      port2.close();
    });
    const inner = fromEventTarget(port1 as unknown as EventTargetPort);
    const sent: { type: string; transfer: ArrayBuffer[] }[] = [];
    const host = createHost({
      onMessage: (h) => inner.onMessage(h),
      postMessage: (m, transfer) => {
        sent.push({ type: (m as { type: string }).type, transfer: transfer ?? [] });
        inner.postMessage(m, transfer);
      },
    });
    cleanups.push(() => host.dispose());
    const c = collect();
    port2.addEventListener('message', (e) => c.push((e as MessageEvent).data));
    port2.start();
    await c.next('ready');
    const csv = new TextEncoder().encode('a,b,label\n1,2,x\n3,4,y\n5,6,x\n').buffer;
    const loaded = c.next('dataLoaded');
    port2.postMessage({ type: 'loadData', id: 1, name: 'tiny.csv', bytes: csv, options: {} }, [csv]);
    expect(csv.byteLength).toBe(0); // ours went to the engine
    const ev = await loaded;
    expect(ev).toMatchObject({ trainCount: 3, features: 2, classNames: ['x', 'y'] });
    // And the engine transfers the buffers of its events: W, b, dW, db of an inspect.
    const inspected = c.next('inspectResult');
    port2.postMessage({ type: 'configure', id: 2, spec: { inputSize: 2, layers: [{ kind: 'affine', units: 2 }] }, training: {} });
    port2.postMessage({ type: 'inspect', id: 3, layer: 0 });
    await inspected;
    const inspectSend = sent.find((x) => x.type === 'inspectResult')!;
    expect(inspectSend.transfer).toHaveLength(4);
    for (const b of inspectSend.transfer) expect(b.byteLength).toBe(0); // detached on our side: moved, not copied
  });

  it('removing the handler stops delivery', () => {
    const fake = new FakePortMain();
    const got: unknown[] = [];
    const off = fromMessagePortMain(fake).onMessage((d) => got.push(d));
    (fake as unknown as { deliver(d: unknown): void }).deliver('one');
    off();
    (fake as unknown as { deliver(d: unknown): void }).deliver('two');
    expect(got).toEqual(['one']);
  });
});
