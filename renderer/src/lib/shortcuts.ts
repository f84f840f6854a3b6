import type { Session } from './session.svelte.js';

/**
 * Keyboard shortcuts: Space train/pause/resume, S step, Esc stop (or close a
 * dialog), Ctrl/Cmd+O open, Ctrl/Cmd+S save, Ctrl/Cmd+Shift+S save as. Keys
 * typed into a field stay in the field.
 */
export interface ShortcutHelp {
  keys: string;
  action: string;
}

export function shortcutList(mod: string): ShortcutHelp[] {
  return [
    { keys: 'Space', action: 'Train, pause or resume' },
    { keys: 'S', action: 'Step one batch' },
    { keys: 'Esc', action: 'Stop training' },
    { keys: `${mod}+O`, action: 'Open a data file or model' },
    { keys: `${mod}+S`, action: 'Save model' },
    { keys: `${mod}+Shift+S`, action: 'Save model as…' },
  ];
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'range', 'file', 'color'].includes(target.type);
  }
  return false;
}

export interface ShortcutActions {
  open(): void;
}

export function installShortcuts(session: Session, actions: ShortcutActions): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.isComposing) return;
    const mod = e.ctrlKey || e.metaKey;
    if (session.dialogs.confirmRequest || session.dialogs.promptRequest) return; // the dialog handles its own keys
    if (mod && !e.altKey) {
      const k = e.key.toLowerCase();
      if (k !== 'o' && k !== 's') return;
      if (session.platform.menuOwnsFileShortcuts) return; // the desktop menu's accelerators do it
      e.preventDefault();
      if (k === 'o') actions.open();
      else void session.model.save(e.shiftKey);
      return;
    }
    if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    if (e.key === ' ' || e.code === 'Space') {
      // Also when a button has focus: Space must not click it as well.
      e.preventDefault();
      void session.run.toggleRun();
    } else if (e.key === 's' || e.key === 'S') {
      e.preventDefault();
      void session.run.step();
    } else if (e.key === 'Escape') {
      if (session.run.runState !== 'idle') {
        e.preventDefault();
        void session.run.stop();
      }
    }
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
