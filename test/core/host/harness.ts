import { afterEach, expect } from 'vitest';
import { eventSchema, type EngineEvent, type EventOf, type EventType } from '../../../core/protocol/messages.js';
import { fromEventTarget, type EventTargetPort } from '../../../core/protocol/port.js';
import { createHost, type EngineHost, type HostOptions } from '../../../core/host/host.js';
import { createWasmOps, type WasmOps } from '../../../core/ops/wasm/wasm-ops.js';

/** A command without its id; loose on purpose, since tests also send what the schema must refuse. */
export type Body = { type: string; [field: string]: unknown };

/**
 * A host on one end of a real MessageChannel and a small client on the other,
 * as the renderer would hold it. Every event is checked against the protocol's
 * strict event schema, so a test that passes also proves the engine speaks the
 * protocol exactly.
 */
export class Harness {
  readonly events: EngineEvent[] = [];
  /** Events that failed the schema (must stay empty). */
  readonly invalid: { raw: unknown; problem: string }[] = [];
  readonly host: EngineHost;
  private readonly channel = new MessageChannel();
  private waiters: { pred: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  private nextId = 1;

  constructor(options: HostOptions = {}) {
    this.host = createHost(fromEventTarget(this.channel.port1 as unknown as EventTargetPort), options);
    this.channel.port2.addEventListener('message', (ev) => this.receive((ev as MessageEvent).data));
    this.channel.port2.start();
  }

  private receive(raw: unknown): void {
    const parsed = eventSchema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      this.invalid.push({ raw, problem: `${i?.path.join('.')}: ${i?.message}` });
      return;
    }
    const ev = parsed.data;
    this.events.push(ev);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(ev)) return true;
      w.resolve(ev);
      return false;
    });
  }

  /** The next event (from now on) that satisfies `pred`. */
  waitFor<T extends EngineEvent = EngineEvent>(pred: (e: EngineEvent) => boolean): Promise<T> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve: resolve as (e: EngineEvent) => void }));
  }

  next<T extends EventType>(type: T): Promise<EventOf<T>> {
    return this.waitFor((e) => e.type === type);
  }

  /** Send anything (invalid messages too). */
  post(msg: unknown, transfer: Transferable[] = []): void {
    this.channel.port2.postMessage(msg, transfer);
  }

  /**
   * Send a command with a fresh id and wait for its ack or error; returns the
   * events answering it (result events carry the same id) and the closing one.
   */
  async request(cmd: Body, transfer: Transferable[] = []): Promise<{ id: number; ack: boolean; error?: EventOf<'error'>; results: EngineEvent[] }> {
    const id = this.nextId++;
    const done = this.waitFor((e) => (e.type === 'ack' || e.type === 'error') && 'id' in e && e.id === id);
    const from = this.events.length;
    this.post({ ...cmd, id }, transfer);
    const end = await done;
    const results = this.events.slice(from).filter((e) => 'id' in e && e.id === id && e.type !== 'ack' && e.type !== 'error');
    return end.type === 'error' ? { id, ack: false, error: end, results } : { id, ack: true, results };
  }

  /** Like request, but fails the test on an error answer. */
  async ok(cmd: Body, transfer: Transferable[] = []): Promise<EngineEvent[]> {
    const r = await this.request(cmd, transfer);
    if (!r.ack) throw new Error(`${cmd.type} failed: ${r.error?.code} ${r.error?.message}`);
    return r.results;
  }

  of<T extends EventType>(type: T): EventOf<T>[] {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }

  close(): void {
    this.host.dispose();
    this.channel.port1.close();
    this.channel.port2.close();
  }
}

/**
 * A small 3-class problem as CSV text: 4 numeric features, a header, string
 * labels in the last column. Classes are separable but not trivially (each
 * class is a noisy blob), made from a fixed LCG so the file is the same on
 * every run.
 */
export function makeCsv(rows = 240, seed = 12345): string {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const centres = [
    [1, 0, 0, 2],
    [0, 1, 2, 0],
    [2, 2, 1, 1],
  ];
  const names = ['alpha', 'beta', 'gamma'];
  const lines = ['f1,f2,f3,f4,kind'];
  for (let i = 0; i < rows; i++) {
    const c = i % 3;
    const f = centres[c]!.map((m) => (m * 3 + (rand() - 0.5) * 2.5).toFixed(4));
    lines.push(`${f.join(',')},${names[c]}`);
  }
  return lines.join('\n') + '\n';
}

export function csvBytes(text: string): ArrayBuffer {
  return new TextEncoder().encode(text).buffer as ArrayBuffer;
}

export const SPEC = {
  inputSize: 4,
  layers: [{ kind: 'affine', units: 16 }, { kind: 'relu' }, { kind: 'affine', units: 3 }],
  loss: 'softmax-cross-entropy',
} as const;

export const TRAINING = {
  optimizer: 'sgd',
  learningRate: 0.05,
  batchSize: 20,
  epochs: 5,
  seed: 7,
  init: 'he',
} as const;

/**
 * A harness maker for one test file: after each test, every harness it made must
 * have received only events that match the protocol schema, and is closed.
 */
export function harnessPerTest(): (options?: HostOptions) => Harness {
  const made: Harness[] = [];
  afterEach(() => {
    for (const h of made) {
      expect(h.invalid, 'every event matches the protocol schema').toEqual([]);
      h.close();
    }
    made.length = 0;
  });
  return (options) => {
    const h = new Harness(options);
    made.push(h);
    return h;
  };
}

/**
 * A host on the WebAssembly backend (one thread) per call, as browser mode and the desktop
 * engine run it, ready to take commands: the harness, its ops (for memory and fallback
 * counters) and the ready event. After the test every one is checked as harnessPerTest
 * does, closed, and its backend disposed, in that order.
 */
export function wasmHarnessPerTest(): () => Promise<{ h: Harness; ops: WasmOps; ready: EventOf<'ready'> }> {
  const made: { h: Harness; ops: () => WasmOps | null }[] = [];
  afterEach(async () => {
    for (const { h, ops } of made.splice(0)) {
      expect(h.invalid, 'every event matches the protocol schema').toEqual([]);
      h.close();
      await ops()?.dispose();
    }
  });
  return async () => {
    let ops: WasmOps | null = null;
    const h = new Harness({ ops: async () => (ops = await createWasmOps({ threads: 1 })) });
    made.push({ h, ops: () => ops });
    const ready = await h.next('ready');
    return { h, ops: ops!, ready };
  };
}
