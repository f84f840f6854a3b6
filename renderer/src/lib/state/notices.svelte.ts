import { errorMessage } from '../../../../core/errors.js';
import { EngineError } from '../engine-client.js';

/**
 * The messages shown in the window's corner: what happened, in one line each,
 * some with an action ("Reset with learning rate 0.003"). A repeat is counted on
 * the notice it repeats, many of one kind are one notice, the stack is capped,
 * and only errors stay until dismissed.
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
  /** How many times this notice was given (shown as "×3" when more than once). */
  count: number;
  /** Further lines of the same kind (a load's warnings beyond the first). */
  more: string[];
}

/** How long an info or success notice stays. */
export const NOTICE_LIFETIME_MS = 8000;
/** Warnings stay longer, then close by themselves too; errors stay until dismissed. */
export const WARNING_LIFETIME_MS = 20_000;
/** At most this many notices at once: the oldest, least serious ones give way. */
export const MAX_NOTICES = 4;

const RANK: Record<NoticeLevel, number> = { success: 0, info: 1, warning: 2, error: 3 };

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
    return this.add(level, title, message, [], action);
  }

  /**
   * Many messages of one kind (a data file's warnings) as one notice: the first
   * shown, the rest behind "N more"; nothing when there are none.
   */
  notifyAll(level: NoticeLevel, title: string, messages: readonly string[]): number | null {
    if (messages.length === 0) return null;
    return this.add(level, title, messages[0], messages.slice(1));
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }

  /** Clear all. */
  clear(): void {
    this.list = [];
  }

  private add(level: NoticeLevel, title: string, message: string | undefined, more: string[], action?: NoticeAction): number {
    const id = ++this.nextId;
    // The same message again is counted on one notice (made the newest), not piled up.
    const same = this.list.find((n) => n.title === title && n.message === message);
    const notice: Notice = { id, level, title, message, action, count: (same?.count ?? 0) + 1, more };
    const list = [...this.list.filter((n) => n !== same), notice];
    // Over the cap: drop the least serious, oldest first (errors last).
    while (list.length > MAX_NOTICES) {
      let drop = 0;
      for (let i = 1; i < list.length - 1; i++) if (RANK[list[i]!.level] < RANK[list[drop]!.level]) drop = i;
      list.splice(drop, 1);
    }
    this.list = list;
    const lifetime = level === 'error' ? null : level === 'warning' ? WARNING_LIFETIME_MS : NOTICE_LIFETIME_MS;
    if (lifetime !== null) this.schedule(() => this.dismiss(id), lifetime);
    return id;
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
