import type { DesktopCapabilities } from '../relay/index.js';
import { getStartAtLogin, setStartAtLogin, type AutostartContext } from './autostart.js';

export type { DesktopCapabilities };

/**
 * What only the desktop can do, as the relay takes it (`createRelay({ desktop })`, the way it
 * takes the SecretStore) and offers it to the dashboard's Settings through the admin API: start
 * at login, over electron/autostart.ts. `onStartAtLoginChange` hears every change made through
 * it (the dashboard's toggle as well as the tray's), so the tray's checkbox follows.
 */
export function desktopCapabilities(autostart: AutostartContext, onStartAtLoginChange?: (enabled: boolean) => void): DesktopCapabilities {
  return {
    startAtLogin: {
      get: () => getStartAtLogin(autostart),
      async set(enabled) {
        await setStartAtLogin(enabled, autostart);
        onStartAtLoginChange?.(enabled);
      },
    },
  };
}
