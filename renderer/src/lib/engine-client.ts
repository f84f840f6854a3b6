import { errorMessage, type ErrorCode, type ErrorPlace } from '../../../core/errors.js';
import { eventsOf } from '../../../core/protocol/batching-port.js';
import {
  eventSchema,
  type CommandInput,
  type CommandType,
  type EngineEvent,
  type EventOf,
  type EventType,
} from '../../../core/protocol/messages.js';

/**
 * The renderer's one way to talk to the engine, whatever carries the messages:
 * a Web Worker (browser mode) or a MessagePort handed over by the preload
 * (Electron). Commands get ids and return promises that settle on the engine's
 * `ack` (with the command's result event, which the engine sends before the ack)
 * or `error`. Every event, answers included, is also broadcast to listeners, so
 * the session state follows the engine even for commands someone else sent
 * (Electron main replaying a crashed engine's state).
 */

/** What both a Worker and a MessagePort offer. */
export interface EnginePort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  /** MessagePorts deliver nothing until started; Workers have no start(). */
  start?: () => void;
}

/** The result event each command produces before its ack (absent: the ack alone). */
interface ResultEvents {
  configure: 'configured';
  setTraining: 'trainingChanged';
  loadData: 'dataLoaded';
  loadBuiltin: 'dataLoaded';
  inspect: 'inspectResult';
  gradcheck: 'gradcheckResult';
  exportModel: 'modelExported';
  importModel: 'modelImported';
  evaluate: 'evaluation';
  predictGrid: 'gridResult';
  samples: 'samplesResult';
  trace: 'traceResult';
  checkWeight: 'weightCheckResult';
  predict: 'predictResult';
  evaluateFile: 'fileEvaluation';
  predictFile: 'filePredictions';
  featureMaps: 'featureMapsResult';
  layerTensors: 'layerTensorsResult';
}
const RESULT_EVENT: Record<string, EventType | undefined> = {
  configure: 'configured',
  setTraining: 'trainingChanged',
  loadData: 'dataLoaded',
  loadBuiltin: 'dataLoaded',
  inspect: 'inspectResult',
  gradcheck: 'gradcheckResult',
  exportModel: 'modelExported',
  importModel: 'modelImported',
  evaluate: 'evaluation',
  predictGrid: 'gridResult',
  samples: 'samplesResult',
  trace: 'traceResult',
  checkWeight: 'weightCheckResult',
  predict: 'predictResult',
  evaluateFile: 'fileEvaluation',
  predictFile: 'filePredictions',
  featureMaps: 'featureMapsResult',
  layerTensors: 'layerTensorsResult',
};

export type CommandResult<T extends CommandType> = T extends keyof ResultEvents ? EventOf<ResultEvents[T]> : undefined;

/** A command without its id: the client numbers them. */
export type CommandBody<T extends CommandType> = Omit<Extract<CommandInput, { type: T }>, 'id'>;

/** Why a command failed, with the engine's stable error code. */
/** A failed command as the engine reported it: decide on `code` and `where`, show `message`. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly command?: CommandType,
    readonly where: ErrorPlace = {},
  ) {
    super(message);
  }
}

interface Pending {
  type: CommandType;
  result?: EngineEvent;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

type Listener = (ev: EngineEvent) => void;

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<Listener>();
  // One message may carry several events (core/protocol/batching-port.ts): handled in order, in one task.
  private readonly onMessage = (ev: MessageEvent): void => {
    for (const raw of eventsOf(ev.data)) this.receive(raw);
  };
  private closed = false;

  constructor(private readonly port: EnginePort) {
    port.addEventListener('message', this.onMessage);
    port.start?.();
  }

  /** Send a command; resolves with its result event (or undefined) once the engine acks it. */
  send<T extends CommandType>(body: CommandBody<T> & { type: T }, transfer: Transferable[] = []): Promise<CommandResult<T>> {
    if (this.closed) return Promise.reject(new EngineError('NOT_READY', 'The engine is not running.', body.type));
    const id = this.nextId++;
    return new Promise<CommandResult<T>>((resolve, reject) => {
      this.pending.set(id, { type: body.type, resolve: resolve as (v: unknown) => void, reject });
      try {
        this.port.postMessage({ ...body, id }, transfer);
      } catch (e) {
        this.pending.delete(id);
        reject(new EngineError('INTERNAL', `Could not send '${body.type}' to the engine: ${errorMessage(e)}`, body.type));
      }
    });
  }

  /** Listen to every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listen to one event type. */
  on<T extends EventType>(type: T, listener: (ev: EventOf<T>) => void): () => void {
    return this.subscribe((ev) => {
      if (ev.type === type) listener(ev as EventOf<T>);
    });
  }

  /** Resolves on the next event of a type (e.g. 'ready'). */
  next<T extends EventType>(type: T): Promise<EventOf<T>> {
    return new Promise((resolve) => {
      const off = this.on(type, (ev) => {
        off();
        resolve(ev);
      });
    });
  }

  /**
   * Stop using this port: every command still waiting fails with `reason`
   * (the engine crashed, or is being replaced).
   */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.port.removeEventListener('message', this.onMessage);
    for (const p of this.pending.values()) p.reject(new EngineError('INTERNAL', reason, p.type));
    this.pending.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Commands sent and not yet answered (shown as "working…" in the UI). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private receive(raw: unknown): void {
    const parsed = eventSchema.safeParse(raw);
    if (!parsed.success) {
      // A malformed event is an engine bug; say so once and keep the session alive.
      const issue = parsed.error.issues[0];
      const type = typeof raw === 'object' && raw !== null ? String((raw as { type?: unknown }).type) : typeof raw;
      this.emit({
        type: 'error',
        code: 'INTERNAL',
        message: `The engine sent an invalid '${type}' event (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}).`,
      });
      return;
    }
    const ev = parsed.data;
    const id = 'id' in ev && typeof ev.id === 'number' ? ev.id : undefined;
    const pending = id !== undefined ? this.pending.get(id) : undefined;
    if (pending && id !== undefined) {
      if (ev.type === 'ack') {
        this.pending.delete(id);
        pending.resolve(pending.result);
      } else if (ev.type === 'error') {
        this.pending.delete(id);
        pending.reject(new EngineError(ev.code, ev.message, pending.type, ev.where ?? {}));
      } else if (RESULT_EVENT[pending.type] === ev.type) {
        pending.result = ev;
      }
    }
    // Errors answering one of our own commands reach the caller through the promise;
    // every other event (including errors with no id) goes to the listeners.
    if (ev.type === 'error' && pending) return;
    if (ev.type === 'ack') return;
    this.emit(ev);
  }

  private emit(ev: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (e) {
        console.error('engine event listener failed', e);
      }
    }
  }
}
