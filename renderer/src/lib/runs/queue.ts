import { errorMessage } from '../../../../core/errors.js';
import type { CommandType, EngineEvent, EventOf } from '../../../../core/protocol/messages.js';
import type { RunPlan } from './comparisons.js';
import type { RunLabel } from './recorder.js';

/**
 * Runs a list of planned runs one after another in the engine: configure, start,
 * wait for done, next. Pause and resume act on the run in progress; stop ends it
 * and drops the runs not yet started (those already done stay in the store).
 */

export interface QueueLink {
  send(body: { type: CommandType; [k: string]: unknown }): Promise<unknown>;
  subscribe(listener: (ev: EngineEvent) => void): () => void;
}

export type QueueState = 'idle' | 'running' | 'paused';

export interface QueueProgress {
  state: QueueState;
  /** 0-based index of the run in progress. */
  index: number;
  total: number;
  current: string | null;
}

export class RunQueue {
  state: QueueState = 'idle';
  index = 0;
  total = 0;
  current: string | null = null;
  private stopRequested = false;

  constructor(
    private readonly link: QueueLink,
    /** Names the next run (the recorder's label). */
    private readonly label: (l: RunLabel | null) => void,
    private readonly onChange: (p: QueueProgress) => void = () => undefined,
    /** Awaited after each run (e.g. storing the run and its weights) before the next is built. */
    private readonly afterRun: () => Promise<void> = async () => undefined,
  ) {}

  get busy(): boolean {
    return this.state !== 'idle';
  }

  private changed(): void {
    this.onChange({ state: this.state, index: this.index, total: this.total, current: this.current });
  }

  /**
   * Run every plan in order. Resolves when all ran or the queue was stopped;
   * `failed` names the run whose configure or start the engine refused (the rest
   * are not started: they would likely fail the same way).
   */
  async run(plans: RunPlan[]): Promise<{ completed: number; stopped: boolean; failed: string | null }> {
    if (this.busy) throw new Error('runs are already under way; stop them first');
    this.state = 'running';
    this.stopRequested = false;
    this.total = plans.length;
    let completed = 0;
    let failed: string | null = null;
    let stopped = false;
    try {
      for (let i = 0; i < plans.length && !this.stopRequested; i++) {
        const plan = plans[i]!;
        this.index = i;
        this.current = plan.label.name;
        this.changed();
        try {
          await this.link.send({ type: 'configure', spec: plan.spec, training: plan.training });
          if (this.stopRequested) break;
          this.label(plan.label);
          const done = this.nextDone();
          await this.link.send({ type: 'start' });
          await done;
          completed++;
          await this.afterRun();
        } catch (e) {
          this.label(null);
          failed = `${plan.label.name}: ${errorMessage(e)}`;
          break;
        }
      }
      stopped = this.stopRequested;
    } finally {
      this.state = 'idle';
      this.current = null;
      this.stopRequested = false;
      this.changed();
    }
    return { completed, stopped, failed };
  }

  private nextDone(): Promise<EventOf<'done'>> {
    return new Promise((resolve) => {
      const off = this.link.subscribe((ev) => {
        if (ev.type !== 'done') return;
        off();
        resolve(ev);
      });
    });
  }

  async pause(): Promise<void> {
    if (this.state !== 'running') return;
    await this.link.send({ type: 'pause' });
    this.state = 'paused';
    this.changed();
  }

  async resume(): Promise<void> {
    if (this.state !== 'paused') return;
    await this.link.send({ type: 'resume' });
    this.state = 'running';
    this.changed();
  }

  /** End the run in progress and drop the rest. */
  async stop(): Promise<void> {
    if (!this.busy) return;
    this.stopRequested = true;
    try {
      await this.link.send({ type: 'stop' });
    } catch {
      // Between two runs there is nothing to stop: the loop sees the request.
    }
  }
}
