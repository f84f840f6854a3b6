import type { CommandType, EngineEvent, EventOf, EventType } from '../../../core/protocol/messages.js';
import type { TrainingConfig } from '../../../core/spec.js';
import { EngineClient, EngineError, type CommandBody, type CommandResult, type EnginePort } from './engine-client.js';
import { errorMessage } from '../../../core/errors.js';

/**
 * The session's connection to "the engine", which outlives any one engine
 * process: after a crash a new port arrives (Electron main restarts the utility
 * process; in browser mode we restart the Worker ourselves) and the link swaps
 * its client. Listeners registered here keep hearing events across restarts.
 */

export type EngineHealth = 'starting' | 'ready' | 'restarting' | 'failed';

/** What happened to the engine, in the shape the UI reports it (mirrors Electron's EngineRestartEvent). */
export interface RestartNotice {
  phase: 'restarting' | 'restarted' | 'failed';
  /** A crash, or the user's own "Reload engine" (desktop menu). */
  reason: 'crashed' | 'reload';
  message: string;
}

/** Commands that define the engine's state, kept so a restarted engine can be given it back. */
type StateCommand = CommandBody<'configure' | 'importModel' | 'loadData' | 'loadBuiltin'> & { type: 'configure' | 'importModel' | 'loadData' | 'loadBuiltin' };

export class EngineLink {
  private client: EngineClient | null = null;
  /** Last network-defining command (configure or importModel) and last data command, in the order sent. */
  private network: { seq: number; body: StateCommand } | null = null;
  private data: { seq: number; body: StateCommand } | null = null;
  /** The last epoch checkpoint, with the training settings in force when it was taken. */
  private checkpoint: { event: EventOf<'checkpoint'>; training: TrainingConfig | null } | null = null;
  /** The engine's training settings now (configure, importModel, setTraining). */
  private training: TrainingConfig | null = null;
  private seq = 0;
  private readonly listeners = new Set<(ev: EngineEvent) => void>();
  private readonly restartListeners = new Set<(n: RestartNotice) => void>();
  private readonly connectListeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;

  /** Use a new port (first start or after a restart); the old client's pending commands fail. */
  attach(port: EnginePort): void {
    this.detach('The engine was restarted before answering.');
    const client = new EngineClient(port);
    this.client = client;
    this.unsubscribe = client.subscribe((ev) => {
      if (ev.type === 'checkpoint') this.checkpoint = { event: ev, training: this.training };
      else if (ev.type === 'configured' || ev.type === 'trainingChanged') this.training = ev.training;
      for (const l of this.listeners) l(ev);
    });
    for (const l of this.connectListeners) l();
  }

  /** Forget the current port; commands still waiting fail with `reason`. */
  detach(reason: string): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.client?.close(reason);
    this.client = null;
  }

  get connected(): boolean {
    return this.client !== null;
  }

  send<T extends CommandType>(body: CommandBody<T> & { type: T }, transfer: Transferable[] = []): Promise<CommandResult<T>> {
    if (!this.client) return Promise.reject(new EngineError('NOT_READY', 'The engine is not running (it is starting or restarting).', body.type));
    const result = this.client.send(body as never, transfer) as Promise<CommandResult<T>>;
    this.remember(body, result);
    return result;
  }

  /** Keep what a restarted engine would need, once the engine accepted it. */
  private remember(body: { type: CommandType }, result: Promise<unknown>): void {
    const type = body.type;
    const isNetwork = type === 'configure' || type === 'importModel';
    const isData = type === 'loadData' || type === 'loadBuiltin';
    const clearsWeights = isNetwork || type === 'resetWeights';
    if (!isNetwork && !isData && !clearsWeights) return;
    const seq = ++this.seq;
    result.then(
      () => {
        if (clearsWeights) this.checkpoint = null;
        if (isNetwork) this.network = { seq, body: body as StateCommand };
        if (isData) this.data = { seq, body: body as StateCommand };
      },
      () => undefined,
    );
  }

  /**
   * Give a freshly started engine the state the crashed one had: the last network
   * and data commands in their original order, then the last epoch checkpoint.
   * Returns what was restored and what failed, for the message to the user.
   */
  async replay(): Promise<{ network: boolean; data: string | null; checkpointEpoch: number | null; problems: string[] }> {
    const problems: string[] = [];
    // Taken first: replaying configure clears the remembered checkpoint (as a real configure must).
    const cp = this.checkpoint;
    const current = this.training;
    const steps = [this.network, this.data].filter((s): s is { seq: number; body: StateCommand } => s !== null).sort((a, b) => a.seq - b.seq);
    let network = false;
    let data: string | null = null;
    for (const step of steps) {
      try {
        const r = await this.send(step.body);
        if (step.body.type === 'configure' || step.body.type === 'importModel') network = true;
        else data = r && 'name' in r ? String(r.name) : 'data';
      } catch (e) {
        problems.push(`${step.body.type}: ${errorMessage(e)}`);
      }
    }
    const settings = async (training: TrainingConfig | null): Promise<void> => {
      if (!training || JSON.stringify(training) === JSON.stringify(this.training)) return;
      await this.send({ type: 'setTraining', training });
    };
    let checkpointEpoch: number | null = null;
    if (cp && network) {
      try {
        // The checkpoint's optimizer state belongs to the settings of its time.
        await settings(cp.training);
        await this.send({ type: 'restoreCheckpoint', bytes: cp.event.bytes.slice(0) });
        checkpointEpoch = cp.event.epoch;
        this.checkpoint = cp;
      } catch (e) {
        problems.push(`checkpoint of epoch ${cp.event.epoch}: ${errorMessage(e)}`);
      }
    }
    if (network) {
      try {
        await settings(current);
      } catch (e) {
        problems.push(`training settings: ${errorMessage(e)}`);
      }
    }
    return { network, data, checkpointEpoch, problems };
  }

  subscribe(listener: (ev: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<T extends EventType>(type: T, listener: (ev: EventOf<T>) => void): () => void {
    return this.subscribe((ev) => {
      if (ev.type === type) listener(ev as EventOf<T>);
    });
  }

  /** Called when a port is attached (the engine may not be `ready` yet). */
  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  onRestart(listener: (n: RestartNotice) => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  /** Platforms report restarts through here. */
  reportRestart(n: RestartNotice): void {
    for (const l of this.restartListeners) l(n);
  }
}
