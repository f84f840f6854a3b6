import type { PortLike } from '../../core/protocol/port.js';
import type { CommandOutcome, EngineToMain } from '../../contract/engine-control.js';
import { MAIN_COMMAND_ID_PREFIX } from '../../contract/engine-control.js';
import { isStateCommandType, type StateCommand } from '../../core/host/restore-plan.js';
import { isLongCommand } from '../../core/host/heartbeat.js';
import { commandIdSchema } from '../../core/protocol/messages.js';

/**
 * Sits in the engine process between the host and its two clients: the renderer
 * (over a MessagePort that main hands over, replaced after a page reload) and main
 * (over process.parentPort). To the host it is one port, so the host stays the
 * same code it is in a Web Worker.
 *
 * - Renderer messages go to the host unchanged. State commands (configure,
 *   loadData, …) are copied and, once the host acknowledges them, reported to
 *   main, which keeps them for a restart; checkpoints are reported too.
 * - Commands main runs itself (ids starting with `__main:`) have their ack/error
 *   routed back to main; their result events still reach the renderer (so its view
 *   follows a restore), except an exported model, which only main asked for.
 * - Host messages sent while no renderer is attached wait in a bounded queue.
 * - Main hears how many commands the host runs in one piece are in flight
 *   (`busy`), so its heartbeat gives those minutes, not seconds.
 *
 * Nothing waits here for an answer that cannot come: only commands with an id the
 * host will echo (commandIdSchema) are tracked, each until its one ack or error,
 * and the copies are bounded.
 */

type Handler = (data: unknown) => void;

interface MainPending {
  type: string;
  result?: { type: string; [field: string]: unknown };
  settle: (outcome: CommandOutcome) => void;
}

/** Result events main wants back in the outcome (the rest would only cost a copy). */
const RESULTS_FOR_MAIN = new Set(['modelExported']);

export const MAX_QUEUED_FOR_RENDERER = 1000;
/** State commands copied while they wait for the host's answer; beyond it the oldest copy goes (a flood, not a user). */
export const MAX_PENDING_STATE = 64;

/** Map key of a command id: 1 and "1" are different ids. */
function idKey(id: unknown): string | null {
  if (typeof id === 'number') return `n:${id}`;
  if (typeof id === 'string') return `s:${id}`;
  return null;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export class EngineTap {
  private hostHandler: Handler | null = null;
  private renderer: { port: PortLike; stop: () => void; close?: () => void } | null = null;
  private readonly queued: { message: unknown; transfer?: ArrayBuffer[] }[] = [];
  /** Renderer state commands waiting for the host's answer, by id (the same id twice: answered in order). */
  private readonly pendingState = new Map<string, StateCommand[]>();
  private pendingStateCount = 0;
  /** Types of commands in flight that the host runs in one piece, by id. */
  private readonly pendingLong = new Map<string, number>();
  private longCount = 0;
  /** Commands main runs, by id. */
  private readonly pendingMain = new Map<string, MainPending>();
  private runChain: Promise<void> = Promise.resolve();

  constructor(private readonly toMain: (message: EngineToMain) => void) {}

  /** Copies of state commands waiting for the host's answer (a leak shows here). */
  get pendingStateCommands(): number {
    return this.pendingStateCount;
  }

  /** The port given to createHost. */
  readonly hostPort: PortLike = {
    postMessage: (message, transfer) => this.fromHost(message, transfer),
    onMessage: (handler) => {
      this.hostHandler = handler;
      return () => {
        if (this.hostHandler === handler) this.hostHandler = null;
      };
    },
  };

  /** Connect a (new) renderer port; the previous one is closed. Queued host messages are delivered now. */
  attachRenderer(port: PortLike, close?: () => void): void {
    this.detachRenderer();
    const stop = port.onMessage((data) => this.fromRenderer(data));
    this.renderer = { port, stop, close };
    for (const { message, transfer } of this.queued.splice(0)) port.postMessage(message, transfer);
  }

  detachRenderer(): void {
    if (!this.renderer) return;
    this.renderer.stop();
    this.renderer.close?.();
    this.renderer = null;
  }

  /**
   * Run commands one after another (each waits for the previous ack or error) and
   * report every outcome to main in one `commands-done`. Requests are serialized.
   */
  runCommands(requestId: number, commands: readonly { type: string; id: number | string }[]): Promise<void> {
    const run = async (): Promise<void> => {
      const outcomes: CommandOutcome[] = [];
      for (const command of commands) outcomes.push(await this.runOne(command));
      this.toMain({ type: 'commands-done', requestId, outcomes });
    };
    this.runChain = this.runChain.then(run, run);
    return this.runChain;
  }

  private runOne(command: { type: string; id: number | string }): Promise<CommandOutcome> {
    const key = idKey(command.id);
    if (!key || typeof command.id !== 'string' || !command.id.startsWith(MAIN_COMMAND_ID_PREFIX)) {
      return Promise.resolve({
        ok: false,
        type: command.type,
        code: 'BAD_MESSAGE',
        message: `ids of commands from main must start with ${MAIN_COMMAND_ID_PREFIX}`,
      });
    }
    if (!this.hostHandler) {
      return Promise.resolve({ ok: false, type: command.type, code: 'NOT_READY', message: 'the engine host is not listening' });
    }
    const handler = this.hostHandler;
    return new Promise((settle) => {
      this.pendingMain.set(key, { type: command.type, settle });
      this.trackLong(key, command.type);
      handler(command);
    });
  }

  private fromRenderer(data: unknown): void {
    const msg = asRecord(data);
    const key = idKey(msg?.id);
    if (msg && typeof msg.id === 'string' && msg.id.startsWith(MAIN_COMMAND_ID_PREFIX)) {
      this.toRenderer({
        type: 'error',
        id: msg.id,
        code: 'BAD_MESSAGE',
        message: `command ids starting with ${MAIN_COMMAND_ID_PREFIX} are reserved for the app`,
      });
      return;
    }
    // The host echoes only ids of this shape; another id would wait here for ever.
    const answerable = msg !== null && key !== null && commandIdSchema.safeParse(msg.id).success;
    if (!this.hostHandler) {
      if (answerable) this.toRenderer({ type: 'error', id: msg.id, code: 'NOT_READY', message: 'the engine host is not listening' });
      return;
    }
    if (answerable) {
      // A copy: the host may keep, reuse or (in a worker) detach the original buffers.
      if (isStateCommandType(msg.type)) this.keepState(key, structuredClone(msg) as StateCommand);
      this.trackLong(key, msg.type);
    }
    this.hostHandler(data);
  }

  private keepState(key: string, command: StateCommand): void {
    const list = this.pendingState.get(key) ?? [];
    list.push(command);
    this.pendingState.set(key, list);
    if (++this.pendingStateCount <= MAX_PENDING_STATE) return;
    // Drop the oldest copy (Map order is insertion order of the ids).
    const [oldestKey, oldest] = this.pendingState.entries().next().value!;
    oldest.shift();
    if (oldest.length === 0) this.pendingState.delete(oldestKey);
    this.pendingStateCount--;
  }

  private takeState(key: string): StateCommand | undefined {
    const list = this.pendingState.get(key);
    const first = list?.shift();
    if (!list || !first) return undefined;
    if (list.length === 0) this.pendingState.delete(key);
    this.pendingStateCount--;
    return first;
  }

  private trackLong(key: string, type: unknown): void {
    if (!isLongCommand(type)) return;
    this.pendingLong.set(key, (this.pendingLong.get(key) ?? 0) + 1);
    this.setLongCount(this.longCount + 1);
  }

  private answered(key: string): void {
    const n = this.pendingLong.get(key);
    if (n === undefined) return;
    if (n <= 1) this.pendingLong.delete(key);
    else this.pendingLong.set(key, n - 1);
    this.setLongCount(this.longCount - 1);
  }

  private setLongCount(count: number): void {
    const was = this.longCount;
    this.longCount = count;
    if ((was === 0) !== (count === 0)) this.toMain({ type: 'busy', longCommands: count });
  }

  private fromHost(message: unknown, transfer?: ArrayBuffer[]): void {
    const msg = asRecord(message);
    if (msg?.type === 'checkpoint' && typeof msg.epoch === 'number' && typeof msg.iteration === 'number') {
      // Posted to main before the renderer gets (and may detach) the buffer.
      this.toMain({
        type: 'checkpoint',
        epoch: msg.epoch,
        iteration: msg.iteration,
        endEpoch: typeof msg.endEpoch === 'number' ? msg.endEpoch : null,
        bytes: msg.bytes as ArrayBuffer,
      });
    }
    const key = idKey(msg?.id);
    if (msg && key && (msg.type === 'ack' || msg.type === 'error')) this.answered(key);
    if (msg && key) {
      const mine = this.pendingMain.get(key);
      if (mine) {
        if (msg.type === 'ack') {
          this.pendingMain.delete(key);
          mine.settle({ ok: true, type: mine.type, ...(mine.result ? { result: mine.result } : {}) });
          return;
        }
        if (msg.type === 'error') {
          this.pendingMain.delete(key);
          mine.settle({ ok: false, type: mine.type, code: String(msg.code), message: String(msg.message) });
          return;
        }
        if (typeof msg.type === 'string' && RESULTS_FOR_MAIN.has(msg.type)) {
          mine.result = { ...msg, type: msg.type };
          return;
        }
      }
      if (msg.type === 'ack' || msg.type === 'error') {
        const state = this.takeState(key);
        if (state && msg.type === 'ack') this.toMain({ type: 'state', command: state });
      }
    }
    this.toRenderer(message, transfer);
  }

  private toRenderer(message: unknown, transfer?: ArrayBuffer[]): void {
    if (this.renderer) {
      this.renderer.port.postMessage(message, transfer);
      return;
    }
    this.queued.push({ message, transfer });
    if (this.queued.length > MAX_QUEUED_FOR_RENDERER) this.queued.shift();
  }
}
