import type { EngineHealth } from '../engine-link.js';

/**
 * Whether the engine can take commands, which numeric backend it runs, and the
 * one long action in progress ("Loading MNIST…", shown as a spinner).
 */
export class EngineStatus {
  health = $state<EngineHealth>('starting');
  /** The numeric backend ("wasm-simd"); empty until the first ready event. */
  ops = $state('');
  busy = $state<string | null>(null);

  get ready(): boolean {
    return this.health === 'ready';
  }

  /** Starting, restarting or failed: commands now would be refused. */
  get down(): boolean {
    return this.health !== 'ready';
  }

  get restarting(): boolean {
    return this.health === 'restarting';
  }
}
