import type { CommandType, EngineEvent, EventOf, EventType } from '../../../core/protocol/messages.js';
import { isLongCommand, Watchdog, type HeartbeatOptions } from '../../../core/host/heartbeat.js';
import { RestorePlan, type CommandBody as PlanCommand, type RestoredState } from '../../../core/host/restore-plan.js';
import { EngineClient, EngineError, type CommandBody, type CommandResult, type EnginePort } from './engine-client.js';
import { errorMessage } from '../../../core/errors.js';

/**
 * The session's connection to "the engine", which outlives any one engine
 * process: after a crash a new port arrives (Electron main restarts the utility
 * process; in browser mode we restart the Worker ourselves) and the link swaps
 * its client. Listeners registered here keep hearing events across restarts.
 * In browser mode it also watches the engine's heartbeat and replays the
 * RestorePlan into a new Worker; in Electron, main does both.
 */

export type EngineHealth = 'starting' | 'ready' | 'restarting' | 'failed';

/** What happened to the engine, in the shape the UI reports it (mirrors Electron's EngineRestartEvent). */
export interface RestartNotice {
  phase: 'restarting' | 'restarted' | 'failed';
  /** A crash, an engine that stopped answering, or the user's own "Reload engine" (desktop menu). */
  reason: 'crashed' | 'unresponsive' | 'reload';
  message: string;
}

/** How the link watches an engine it runs itself (browser mode); Electron main watches its own. */
export interface WatchOptions {
  /** The engine stopped answering (core/host/heartbeat.ts): end it and start another. */
  onUnresponsive(why: string): void;
  heartbeat?: Partial<HeartbeatOptions>;
}

export class EngineLink {
  private client: EngineClient | null = null;
  /** What a restarted engine is given back: the same plan as Electron main's (core/host/restore-plan.ts). */
  readonly plan = new RestorePlan();
  private readonly listeners = new Set<(ev: EngineEvent) => void>();
  private readonly restartListeners = new Set<(n: RestartNotice) => void>();
  private readonly connectListeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  private watchdog: Watchdog | null = null;
  /** Commands the host runs in one piece, sent and not answered: the heartbeat waits longer meanwhile. */
  private longCommands = 0;

  /** Use a new port (first start or after a restart); the old client's pending commands fail. */
  attach(port: EnginePort, watch?: WatchOptions): void {
    this.detach('The engine was restarted before answering.');
    const client = new EngineClient(port);
    this.client = client;
    this.unsubscribe = client.subscribe((ev) => {
      this.watchdog?.heard();
      if (ev.type === 'checkpoint') this.plan.recordCheckpoint(ev.epoch, ev.bytes, ev.endEpoch ?? null);
      for (const l of this.listeners) l(ev);
    });
    if (watch) this.watch(client, watch);
    for (const l of this.connectListeners) l();
  }

  /** Forget the current port; commands still waiting fail with `reason`. */
  detach(reason: string): void {
    this.watchdog?.stop();
    this.watchdog = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.client?.close(reason);
    this.client = null;
    this.longCommands = 0;
  }

  get connected(): boolean {
    return this.client !== null;
  }

  send<T extends CommandType>(body: CommandBody<T> & { type: T }, transfer: Transferable[] = []): Promise<CommandResult<T>> {
    const result = this.sendUnrecorded<T>(body, transfer);
    // Kept for a restart once the engine accepted it (a refused file never replaces good data).
    result.then(
      () => this.plan.record(body as unknown as PlanCommand),
      () => undefined,
    );
    return result;
  }

  private sendUnrecorded<T extends CommandType>(body: CommandBody<T> & { type: T }, transfer: Transferable[] = []): Promise<CommandResult<T>> {
    const client = this.client;
    if (!client) return Promise.reject(new EngineError('NOT_READY', 'The engine is not running (it is starting or restarting).', body.type));
    const result = client.send(body as never, transfer) as Promise<CommandResult<T>>;
    if (isLongCommand(body.type)) {
      this.setLongCommands(this.longCommands + 1);
      const done = (): void => {
        if (this.client === client) this.setLongCommands(this.longCommands - 1);
      };
      result.then(done, done);
    }
    return result;
  }

  /**
   * Give a freshly started engine the state the crashed one had (RestorePlan:
   * network and data in their order, the weights under the settings of their
   * time, then the settings in force). Returns what came back and what failed.
   */
  async replay(): Promise<RestoredState> {
    const problems: string[] = [];
    for (const command of this.plan.commands()) {
      try {
        await this.sendUnrecorded(command as CommandBody<CommandType> & { type: CommandType });
      } catch (e) {
        problems.push(`${command.type}: ${errorMessage(e)}`);
      }
    }
    return this.plan.summary(problems);
  }

  private watch(client: EngineClient, options: WatchOptions): void {
    const watchdog = new Watchdog(
      {
        ping: () => {
          client.send({ type: 'ping' }).then(
            () => watchdog.heard(),
            () => undefined,
          );
        },
        onStuck: (silentMs) => {
          if (this.client === client) options.onUnresponsive(`it stopped answering for ${Math.round(silentMs / 1000)} s`);
        },
        setTimer: (fn, ms) => {
          const t = setTimeout(fn, ms);
          return () => clearTimeout(t);
        },
        now: () => Date.now(),
      },
      options.heartbeat,
    );
    this.watchdog = watchdog;
    watchdog.start();
  }

  private setLongCommands(count: number): void {
    this.longCommands = Math.max(0, count);
    this.watchdog?.setLongCommands(this.longCommands);
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
