import type { ThemeSetting } from '../../../relay/admin/dto.js';

export type ThemeChoice = ThemeSetting;

const STORAGE_KEY = 'switchboard.theme';

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

/**
 * Light or dark: follows the OS unless the user chose one; applied as `data-theme` on <html>.
 * The relay's `ui.theme` setting is the truth (settings state applies it when settings load and
 * saves the user's choice there); localStorage only paints the first frame right.
 */
class ThemeState {
  choice = $state<ThemeChoice>(typeof localStorage === 'undefined' ? 'system' : stored());

  set(choice: ThemeChoice): void {
    this.choice = choice;
    try {
      if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, choice);
    } catch {
      // Storage can be off (private windows); the choice still holds for this page.
    }
    this.apply();
  }

  /** The relay's setting arrived: apply it (and remember it for the next first paint) unless it is already in use. */
  follow(choice: ThemeChoice): void {
    if (choice !== this.choice) this.set(choice);
  }

  apply(): void {
    if (typeof document === 'undefined') return;
    if (this.choice === 'system') delete document.documentElement.dataset['theme'];
    else document.documentElement.dataset['theme'] = this.choice;
  }
}

export const theme = new ThemeState();
