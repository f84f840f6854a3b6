import { errorMessage } from '../../../../core/errors.js';
import { EngineError } from '../engine-client.js';

/**
 * The messages shown in the window's corner: what happened, in one line each,
 * some with an action ("Reset with learning rate 0.003"). Info and success close
 * by themselves; warnings and errors stay until dismissed.
 */

export type NoticeLevel = 'error' | 'warning' | 'info' | 'success';

export interface NoticeAction {
  label: string;
  run: () => void;
}

export interface Notice {
  id: number;
  level: NoticeLevel;
  title: string;
  message?: string;
  action?: NoticeAction;
}

/** How long an info or success notice stays. */
export const NOTICE_LIFETIME_MS = 8000;

export type Schedule = (run: () => void, ms: number) => unknown;

export class Notices {
  list = $state<Notice[]>([]);
  private nextId = 0;

  /**
   * @param engineDown true while the engine is starting, restarting or failed: a
   *   NOT_READY failure then reads as "try again", not as an error.
   * @param schedule a timer (setTimeout; tests pass their own clock).
   */
  constructor(
    private readonly engineDown: () => boolean = () => false,
    private readonly schedule: Schedule = (run, ms) => setTimeout(run, ms),
  ) {}

  notify(level: NoticeLevel, title: string, message?: string, action?: NoticeAction): number {
    const id = ++this.nextId;
    // The same message twice in a row is one notice, not a pile.
    this.list = [...this.list.filter((n) => !(n.title === title && n.message === message)), { id, level, title, message, action }];
    if (level === 'info' || level === 'success') this.schedule(() => this.dismiss(id), NOTICE_LIFETIME_MS);
    return id;
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }

  /** A failed action: an error notice with the engine's message (a warning when the engine is only not running yet). */
  fail(title: string, e: unknown): void {
    if (e instanceof EngineError && e.code === 'NOT_READY' && this.engineDown()) {
      this.notify('warning', title, 'The engine is not running right now; try again in a moment.');
      return;
    }
    this.notify('error', title, errorMessage(e));
  }
}
