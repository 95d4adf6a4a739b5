import type { SettingsResponse, SettingsUpdate, SettingsView, ThemeSetting } from '../../../relay/admin/dto.js';
import { admin } from '../api/admin-client.js';
import { generateRelayToken, movedLocation } from '../components/settings/settings-form.js';
import { connection } from './connection.svelte.js';
import { theme } from './theme.svelte.js';

/**
 * The relay's settings (GET/PATCH /admin/settings) and the relay token (PUT/DELETE /admin/token).
 * Reloaded after every `config` event while a Settings view is open, and the dashboard's theme
 * follows `ui.theme` whenever they load.
 */
class SettingsState {
  current = $state.raw<SettingsView | null>(null);
  /** Saves in flight: their answers carry the new settings, so the `config` events they cause need no reload. */
  private saving = 0;

  async load(): Promise<void> {
    // The answer is `{ settings }` like PATCH's; a bare view is accepted too.
    const body = await admin.get<SettingsResponse | SettingsView>('/settings');
    this.replace('settings' in body ? body.settings : body);
  }

  /**
   * Saves some settings and answers them as they now are. When the relay moved (port or LAN
   * exposure changed) the page continues at the new origin: the admin cookie belongs to the host,
   * not the port, so it still signs the page in there.
   */
  async save(update: SettingsUpdate): Promise<SettingsView> {
    this.saving += 1;
    let response: SettingsResponse;
    try {
      response = await admin.patch<SettingsResponse>('/settings', update);
    } finally {
      this.saving -= 1;
    }
    this.replace(response.settings);
    if (response.movedTo !== undefined && typeof location !== 'undefined') {
      const next = movedLocation(response.movedTo, location);
      if (next !== undefined) location.assign(next);
    }
    return response.settings;
  }

  /** The user picked a theme: it applies at once and is saved; a refused save puts the old one back. */
  async chooseTheme(choice: ThemeSetting): Promise<void> {
    const previous = theme.choice;
    theme.set(choice);
    try {
      await this.save({ ui: { theme: choice } });
    } catch (error) {
      theme.set(previous);
      throw error;
    }
  }

  /**
   * Makes a new relay token in the page and sets it. The token is returned for showing once: the
   * relay never hands it out again.
   */
  async generateToken(): Promise<string> {
    const token = generateRelayToken();
    await admin.put<{ set: boolean }>('/token', { token });
    await this.load();
    return token;
  }

  async removeToken(): Promise<void> {
    await admin.delete<{ set: boolean }>('/token');
    await this.load();
  }

  /** Reloads after each settings change the relay announces; returns the function that stops. */
  watch(): () => void {
    return connection.onConfig(() => {
      // A port change closes this origin while its own save is answered: asking it again would only fail.
      if (this.saving === 0) this.load().catch(() => undefined);
    });
  }

  private replace(settings: SettingsView): void {
    this.current = settings;
    theme.follow(settings.ui.theme);
  }
}

export const settings = new SettingsState();
