/**
 * Telling a stuck engine from a busy one. The host answers `ping` at once, from
 * the message handler, and trains (runs and `step` alike) in slices that yield to
 * the message loop; so an engine whose loop turns answers within a slice. One that
 * has not answered for `answerWithinMs` is stuck (an endless loop, a deadlock) and
 * is restarted and restored as after a crash — unless a command the host runs in
 * one piece is in flight (parsing a large file, a gradient check), which may take
 * minutes and gets `longCommandMs`.
 *
 * Pure: the Watchdog gets its clock and timers injected, so the desktop supervisor
 * (electron/main) and browser mode (renderer/src/lib/engine-link.ts) share it and
 * tests drive it with fake timers.
 */

export interface HeartbeatOptions {
  /** How often to ask. */
  intervalMs: number;
  /** Silence (no answer, no event) after which an engine counts as stuck. */
  answerWithinMs: number;
  /** The same while a command the host runs in one piece is in flight. */
  longCommandMs: number;
}

export const DEFAULT_HEARTBEAT: HeartbeatOptions = {
  intervalMs: 2_000,
  answerWithinMs: 10_000,
  longCommandMs: 300_000,
};

/** Commands the host answers within one slice: training is sliced, the rest is small. */
const ANSWERED_IN_A_SLICE: ReadonlySet<string> = new Set([
  'ping',
  'start',
  'pause',
  'resume',
  'stop',
  'step',
  'setTraining',
  'resetWeights',
]);

/**
 * A command the host runs in one piece, which may keep it from answering for a
 * long time (reading a data or model file, a gradient check, an evaluation).
 * Unknown types are answered at once with an error, so they are not long.
 */
export function isLongCommand(type: unknown): boolean {
  return typeof type === 'string' && type.length <= 40 && /^[a-zA-Z]+$/.test(type) && !ANSWERED_IN_A_SLICE.has(type);
}

/** `pause` and `stop` also end a `step` in progress (between two slices). */
export function isStepInterrupt(message: unknown): boolean {
  const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
  return type === 'pause' || type === 'stop';
}

/** The id of a well-formed `ping` command, else undefined: the host answers it ahead of its queue. */
export function pingId(message: unknown): number | string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, id, ...rest } = message as { type?: unknown; id?: unknown };
  if (type !== 'ping' || Object.keys(rest).length > 0) return undefined;
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && id.length >= 1 && id.length <= 100) return id;
  return undefined;
}

export interface WatchdogDeps {
  /** Ask the engine for a sign of life (its answer must reach `heard()`). */
  ping(): void;
  /** The engine was silent too long: kill it and restore. The watchdog has stopped itself. */
  onStuck(silentMs: number): void;
  setTimer(fn: () => void, ms: number): () => void;
  now(): number;
}

export class Watchdog {
  private readonly opts: HeartbeatOptions;
  private lastHeard = 0;
  private longCommands = 0;
  private cancel: (() => void) | null = null;

  constructor(
    private readonly deps: WatchdogDeps,
    options: Partial<HeartbeatOptions> = {},
  ) {
    this.opts = { ...DEFAULT_HEARTBEAT, ...options };
  }

  get running(): boolean {
    return this.cancel !== null;
  }

  /** Watch a (new) engine: the silence is counted from now. */
  start(): void {
    this.stop();
    this.lastHeard = this.deps.now();
    this.longCommands = 0;
    this.schedule();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  /** Anything from the engine: an answer to a ping, an event, an ack. */
  heard(): void {
    this.lastHeard = this.deps.now();
  }

  /** How many commands the host runs in one piece are in flight now. */
  setLongCommands(count: number): void {
    this.longCommands = Math.max(0, count);
  }

  private schedule(): void {
    this.cancel = this.deps.setTimer(() => this.tick(), this.opts.intervalMs);
  }

  private tick(): void {
    const silent = this.deps.now() - this.lastHeard;
    const limit = this.longCommands > 0 ? this.opts.longCommandMs : this.opts.answerWithinMs;
    if (silent >= limit) {
      this.cancel = null;
      this.deps.onStuck(silent);
      return;
    }
    this.deps.ping();
    this.schedule();
  }
}
