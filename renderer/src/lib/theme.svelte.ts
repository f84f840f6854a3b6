/**
 * Light, dark, or whatever the system says (the default). A forced choice is set
 * as <html data-theme>, which app.css and the canvas views (viz/theme.ts) follow,
 * and remembered across sessions.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'backprop-studio.theme';

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

class ThemeState {
  choice = $state<ThemeChoice>(stored());
  /** What is shown now (system resolved). */
  effective = $state<'light' | 'dark'>('light');

  constructor() {
    const media = matchMedia('(prefers-color-scheme: dark)');
    const update = (): void => {
      this.effective = this.choice === 'system' ? (media.matches ? 'dark' : 'light') : this.choice;
    };
    media.addEventListener('change', update);
    this.apply();
    update();
    this.update = update;
  }

  private update: () => void;

  private apply(): void {
    const root = document.documentElement;
    if (this.choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = this.choice;
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    try {
      if (choice === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch {
      // Storage may be unavailable (private mode): the choice then lasts for this session.
    }
    this.apply();
    this.update();
  }

  /** system -> the opposite of what shows -> back to system. */
  cycle(): void {
    if (this.choice === 'system') this.set(this.effective === 'dark' ? 'light' : 'dark');
    else this.set('system');
  }
}

export const theme = new ThemeState();
