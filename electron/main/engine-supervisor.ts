import { StudioError, errorMessage } from '../../core/errors.js';
import { describeZodError } from '../../core/spec.js';
import { engineToMainSchema, MAIN_COMMAND_ID_PREFIX, type CommandOutcome, type EngineToMain } from '../../contract/engine-control.js';
import { RestorePlan, type CommandBody, type StateCommand } from '../../core/host/restore-plan.js';
import type { EngineRestartEvent, RestoredState } from '../../contract/studio-api.js';
import { Watchdog, type HeartbeatOptions } from '../../core/host/heartbeat.js';

/**
 * Keeps one engine utility process alive for one window.
 *
 * - start(): fork the engine; connectRenderer() makes a MessageChannelMain, gives
 *   one end to the engine and the other to the renderer.
 * - The engine reports what the user set up (acknowledged configure/loadData/…
 *   commands and epoch-end checkpoints); the RestorePlan keeps the latest of each.
 * - An exit nobody asked for is a crash: the renderer hears `restarting`, a new
 *   engine is forked after a backoff, the plan is replayed into it, the renderer
 *   gets a fresh port and `restarted` with what came back. Crashes in a row are
 *   limited (`maxRestarts`); an engine that ran `stableAfterMs` resets the count.
 *   Past the limit the renderer hears `failed` and Reload Engine starts afresh.
 * - A heartbeat (core/host/heartbeat.ts) pings the engine; one that stops
 *   answering (an endless loop, not a long file read it announced as `busy`) is
 *   killed and restarted exactly like a crashed one, and the user is told so.
 * - shutdown() (window closed) ends the engine for good.
 *
 * Electron itself is reached only through the injected functions, so tests drive
 * every path with fakes and a manual clock.
 */

/** What the supervisor needs of a utility process. */
export interface EngineChild {
  postMessage(message: unknown, transfer?: unknown[]): void;
  kill(): boolean;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** One end of a MessageChannelMain; only passed along, never read here. */
export type PortEnd = object;

export interface SupervisorDeps {
  fork(): EngineChild;
  createChannel(): { port1: PortEnd; port2: PortEnd };
  /** Post the port to the window's renderer; false when there is no window to take it. */
  sendPortToRenderer(port: PortEnd): boolean;
  notifyRenderer(event: EngineRestartEvent): void;
  /** A state command the engine acknowledged (main follows an accepted importModel). */
  onStateCommand?(command: StateCommand): void;
  setTimer(fn: () => void, ms: number): () => void;
  now(): number;
  log?(message: string): void;
}

export interface SupervisorOptions {
  /** Restarts allowed in a row before giving up. */
  maxRestarts?: number;
  /** Wait before restart n (the last value repeats). */
  backoffMs?: readonly number[];
  /** An engine that lived this long resets the crash count. */
  stableAfterMs?: number;
  /** Give up waiting for a restore (or an export) after this long. */
  commandTimeoutMs?: number;
  /** Heartbeat timing (core/host/heartbeat.ts DEFAULT_HEARTBEAT); false: no heartbeat. */
  heartbeat?: Partial<HeartbeatOptions> | false;
}

export const DEFAULT_SUPERVISOR_OPTIONS: Required<SupervisorOptions> = {
  maxRestarts: 3,
  backoffMs: [500, 2000, 5000],
  stableAfterMs: 60_000,
  commandTimeoutMs: 120_000,
  heartbeat: {},
};

/** What the user reads around a reload that was not the menu's Reload Engine. */
export interface ReloadWording {
  /** The `restarting` message ("Switching the compute backend to WebAssembly…"). */
  restarting?: string;
  /** The first sentence of the `restarted` message, before what was restored. */
  restartedHead?: string;
}

export type SupervisorState = 'idle' | 'running' | 'restarting' | 'failed' | 'stopped';

interface PendingRequest {
  resolve(outcomes: CommandOutcome[]): void;
  reject(e: Error): void;
  cancelTimer(): void;
}

export class EngineSupervisor {
  readonly plan = new RestorePlan();
  private child: EngineChild | null = null;
  private childStartedAt = 0;
  private _state: SupervisorState = 'idle';
  private crashesInARow = 0;
  private cancelRestart: (() => void) | null = null;
  private readonly pending = new Map<number, PendingRequest>();
  private nextRequestId = 1;
  private nextCommandId = 1;
  /** Set by the engine just before it exits on a fatal error. */
  private lastFatal: string | null = null;
  private readonly opts: Required<SupervisorOptions>;
  private readonly watchdog: Watchdog | null;

  constructor(
    private readonly deps: SupervisorDeps,
    options: SupervisorOptions = {},
  ) {
    this.opts = { ...DEFAULT_SUPERVISOR_OPTIONS, ...options };
    const heartbeat = this.opts.heartbeat;
    this.watchdog =
      heartbeat === false
        ? null
        : new Watchdog(
            {
              ping: () => this.child?.postMessage({ type: 'ping' }),
              onStuck: (silentMs) => this.onStuck(silentMs),
              setTimer: deps.setTimer,
              now: deps.now,
            },
            heartbeat,
          );
  }

  get state(): SupervisorState {
    return this._state;
  }

  /** Fork the first engine. */
  start(): void {
    if (this._state !== 'idle') return;
    if (this.trySpawn('crashed', null, 0)) this._state = 'running';
  }

  /** A fresh channel: one end to the engine, the other to the renderer. False if there is no engine. */
  connectRenderer(): boolean {
    if (!this.child || this._state !== 'running') return false;
    const { port1, port2 } = this.deps.createChannel();
    this.child.postMessage({ type: 'attach-renderer' }, [port1]);
    return this.deps.sendPortToRenderer(port2);
  }

  /**
   * Menu > Reload Engine: a new engine with the state restored, crash count reset.
   * After the supervisor gave up, the state that kept crashing the engine is
   * dropped and the new engine starts empty. `wording` says why when it is not
   * the menu (a new compute backend: the fork picks up main's setting).
   */
  reload(wording: ReloadWording = {}): void {
    if (this._state === 'stopped') return;
    const fromFailure = this._state === 'failed';
    if (fromFailure) this.plan.clear();
    this.cancelRestart?.();
    this.cancelRestart = null;
    this.crashesInARow = 0;
    this.notify('restarting', 'reload', null, 1, emptyRestore(), wording.restarting);
    this.killChild('the engine was restarted');
    this._state = 'restarting';
    void this.restartNow('reload', null, 1, fromFailure, wording.restartedHead);
  }

  /** The window closed: end the engine, cancel any restart, fail pending requests. */
  shutdown(): void {
    if (this._state === 'stopped') return;
    this._state = 'stopped';
    this.cancelRestart?.();
    this.cancelRestart = null;
    this.killChild('the engine was shut down');
  }

  /** The current model as safetensors bytes, asked of the engine by main itself (save on close). */
  async exportModel(): Promise<Uint8Array> {
    const [outcome] = await this.runCommands([{ type: 'exportModel' }]);
    if (!outcome) throw new StudioError('INTERNAL', 'the engine did not answer exportModel');
    if (!outcome.ok) throw new StudioError(outcome.code === 'NOT_READY' ? 'NOT_READY' : 'INTERNAL', outcome.message);
    const bytes = outcome.result?.bytes;
    if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
    if (bytes instanceof Uint8Array) return bytes;
    throw new StudioError('INTERNAL', 'the engine answered exportModel without model bytes');
  }

  /** Run commands in the engine (ids are assigned here); one outcome per command, in order. */
  runCommands(commands: readonly CommandBody[]): Promise<CommandOutcome[]> {
    const child = this.child;
    if (!child || (this._state !== 'running' && this._state !== 'restarting')) {
      return Promise.reject(new StudioError('NOT_READY', 'the engine is not running; use Engine > Reload Engine'));
    }
    const requestId = this.nextRequestId++;
    const withIds = commands.map((c) => ({ ...c, id: `${MAIN_COMMAND_ID_PREFIX}${this.nextCommandId++}` }));
    return new Promise((resolve, reject) => {
      const cancelTimer = this.deps.setTimer(() => {
        this.pending.delete(requestId);
        reject(new StudioError('INTERNAL', `the engine did not answer within ${Math.round(this.opts.commandTimeoutMs / 1000)} s`));
      }, this.opts.commandTimeoutMs);
      this.pending.set(requestId, { resolve, reject, cancelTimer });
      child.postMessage({ type: 'run-commands', requestId, commands: withIds });
    });
  }

  // -------------------------------------------------------------------------

  private spawn(): EngineChild {
    const child = this.deps.fork();
    this.child = child;
    this.childStartedAt = this.deps.now();
    this.lastFatal = null;
    child.on('message', (message) => this.onChildMessage(child, message));
    child.on('exit', (code) => this.onChildExit(child, code));
    this.watchdog?.start();
    return child;
  }

  /**
   * Fork an engine; when even that fails (a missing or unreadable engine file), the
   * supervisor gives up at once and says why, instead of throwing in main.
   */
  private trySpawn(reason: EngineRestartEvent['reason'], exitCode: number | null, attempt: number): EngineChild | null {
    try {
      return this.spawn();
    } catch (e) {
      const why = errorMessage(e);
      this.log(`could not start the engine: ${why}`);
      this._state = 'failed';
      this.notify('failed', reason, exitCode, attempt, emptyRestore(),
        `The engine could not be started (${why}). Choose Engine > Reload Engine to try again.`);
      return null;
    }
  }

  private killChild(why: string): void {
    const child = this.child;
    this.child = null;
    this.watchdog?.stop();
    // onChildExit ignores a child that is no longer current: this exit was asked for.
    child?.kill();
    this.failPending(why);
  }

  private onChildMessage(child: EngineChild, raw: unknown): void {
    if (child !== this.child) return;
    this.watchdog?.heard();
    const parsed = engineToMainSchema.safeParse(raw);
    if (!parsed.success) {
      this.log(describeZodError(parsed.error, 'message from the engine'));
      return;
    }
    const msg: EngineToMain = parsed.data;
    switch (msg.type) {
      case 'state':
        this.plan.record(msg.command as StateCommand);
        this.deps.onStateCommand?.(msg.command as StateCommand);
        return;
      case 'checkpoint':
        this.plan.recordCheckpoint(msg.epoch, msg.bytes, msg.endEpoch);
        return;
      case 'commands-done': {
        const p = this.pending.get(msg.requestId);
        if (!p) return;
        this.pending.delete(msg.requestId);
        p.cancelTimer();
        p.resolve(msg.outcomes);
        return;
      }
      case 'fatal':
        this.lastFatal = msg.message;
        this.log(msg.message);
        return;
      case 'busy':
        this.watchdog?.setLongCommands(msg.longCommands);
        return;
      case 'pong':
        return; // heard() above is all it is for
    }
  }

  /** The engine stopped answering: end it and restart it as if it had crashed. */
  private onStuck(silentMs: number): void {
    const child = this.child;
    if (!child || this._state === 'stopped') return;
    this.lastFatal = `it stopped answering for ${Math.round(silentMs / 1000)} s and was ended`;
    this.onChildExit(child, null);
    // onChildExit forgot this child, so its own exit event (after the kill) is ignored.
    child.kill();
  }

  private onChildExit(child: EngineChild, code: number | null): void {
    if (child !== this.child || this._state === 'stopped') return;
    this.child = null;
    this.watchdog?.stop();
    this.failPending('the engine stopped');
    const lived = this.deps.now() - this.childStartedAt;
    if (lived >= this.opts.stableAfterMs) this.crashesInARow = 0;
    this.crashesInARow += 1;
    const attempt = this.crashesInARow;
    const why = this.lastFatal ? ` (${this.lastFatal})` : '';
    const reason: EngineRestartEvent['reason'] = code === null ? 'unresponsive' : 'crashed';
    const stopped = code === null ? 'stopped answering' : `stopped unexpectedly (exit code ${code})`;
    this.log(`engine ${code === null ? 'hung' : `exited with code ${code}`}${why}; restart ${attempt} of ${this.opts.maxRestarts}`);
    if (attempt > this.opts.maxRestarts) {
      this._state = 'failed';
      this.notify('failed', reason, code, attempt - 1, emptyRestore(),
        `The engine stopped ${attempt} times in a row${why} and was not restarted. ` +
          'Choose Engine > Reload Engine to start a fresh one.');
      return;
    }
    this._state = 'restarting';
    this.notify('restarting', reason, code, attempt, emptyRestore(),
      `The engine ${stopped}${code === null ? '' : why}. Restarting it (attempt ${attempt} of ${this.opts.maxRestarts})…`);
    const delay = this.opts.backoffMs[Math.min(attempt - 1, this.opts.backoffMs.length - 1)] ?? 0;
    this.cancelRestart = this.deps.setTimer(() => {
      this.cancelRestart = null;
      void this.restartNow(reason, code, attempt, false);
    }, delay);
  }

  private async restartNow(
    reason: EngineRestartEvent['reason'],
    exitCode: number | null,
    attempt: number,
    fresh: boolean,
    head?: string,
  ): Promise<void> {
    if (this._state !== 'restarting') return;
    const child = this.trySpawn(reason, exitCode, attempt);
    if (!child) return;
    const plan = this.plan.commands();
    const problems: string[] = [];
    if (plan.length > 0) {
      try {
        const outcomes = await this.runCommands(plan);
        for (const o of outcomes) if (!o.ok) problems.push(`${o.type}: ${o.message}`);
      } catch (e) {
        problems.push(errorMessage(e));
      }
    }
    // Crashed again while restoring, or shut down meanwhile: that path has taken over.
    if (this.child !== child || this._state !== 'restarting') return;
    this._state = 'running';
    this.connectRenderer();
    const restored = this.plan.summary(problems);
    this.notify('restarted', reason, exitCode, attempt, restored, restartMessage(reason, restored, fresh, head));
  }

  private failPending(why: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.cancelTimer();
      p.reject(new StudioError('INTERNAL', why));
    }
  }

  private notify(
    phase: EngineRestartEvent['phase'],
    reason: EngineRestartEvent['reason'],
    exitCode: number | null,
    attempt: number,
    restored: RestoredState,
    message = phase === 'restarting' ? 'Restarting the engine…' : '',
  ): void {
    this.deps.notifyRenderer({ phase, reason, exitCode, attempt, maxAttempts: this.opts.maxRestarts, restored, message });
  }

  private log(message: string): void {
    (this.deps.log ?? ((m: string) => console.warn(`[engine] ${m}`)))(message);
  }
}

function emptyRestore(): RestoredState {
  return { network: false, data: null, checkpointEpoch: null, runPaused: false, problems: [] };
}

/** What the user reads once the new engine is up. */
export function restartMessage(
  reason: EngineRestartEvent['reason'],
  r: RestoredState,
  fresh: boolean,
  head: string = defaultHead(reason),
): string {
  if (fresh) return `${head} It started empty: the state that kept crashing it was not restored.`;
  const parts: string[] = [];
  if (r.network) parts.push('the network');
  if (r.data) parts.push(`the data (${r.data})`);
  if (r.checkpointEpoch !== null) parts.push(`the weights of epoch ${r.checkpointEpoch}`);
  let text = head;
  if (parts.length > 0) text += ` Restored ${joinWords(parts)}.`;
  else text += ' There was nothing to restore.';
  if (r.runPaused) text += ' The run is paused there: Resume finishes it.';
  if (r.problems.length > 0) text += ` Not restored: ${r.problems.join('; ')}.`;
  return text;
}

function defaultHead(reason: EngineRestartEvent['reason']): string {
  return reason === 'crashed'
    ? 'The engine was restarted after a crash.'
    : reason === 'unresponsive'
      ? 'The engine was restarted: it had stopped answering.'
      : 'The engine was reloaded.';
}

function joinWords(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
