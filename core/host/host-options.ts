import type { Ops } from '../ops/types.js';
import type { Schedule } from './schedule.js';

/* How an engine host is made (createHost in host.ts) and what it hands back. */

export interface HostOptions {
  /**
   * The numeric backend, or a factory for it (the WebAssembly backend is created
   * asynchronously). Default: the plain TypeScript reference kernels.
   */
  ops?: Ops | (() => Ops | Promise<Ops>);
  /** Milliseconds, monotonic. Injected by tests to drive throttling without waiting. */
  now?: () => number;
  /** How long one training slice runs before the host yields (ms). */
  sliceMs?: number;
  /** Minimum time between two progress events (ms): 50 = at most 20 per second. */
  progressIntervalMs?: number;
  /**
   * Minimum time between two layerStats events while training (ms). Statistics read
   * every weight and gradient, so they come less often than progress (plus one at every
   * epoch end, pause and step).
   */
  statsIntervalMs?: number;
  /** Queues the next slice as a task; injected by tests that want to step slices by hand. */
  schedule?: Schedule;
  /** Runs `fn` after `ms` (slow motion's wait between batches); default setTimeout. */
  delay?: (fn: () => void, ms: number) => void;
}

export interface EngineHost {
  /** Resolves once the backend is ready and `ready` was sent (rejects if the ops factory failed). */
  readonly ready: Promise<void>;
  /** Stop listening and drop the session; a running run ends without events. */
  dispose(): void;
}

export const DEFAULT_SLICE_MS = 12;
export const DEFAULT_PROGRESS_INTERVAL_MS = 50;
/** Batch losses kept between two progress events; older ones are dropped (the chart shows the newest). */
export const MAX_PENDING_LOSSES = 20_000;
export const DEFAULT_STATS_INTERVAL_MS = 250;
