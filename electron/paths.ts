import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrayIconState } from './tray-menu.js';
import { trayIconFile } from './tray-state.js';

const here = dirname(fileURLToPath(import.meta.url));

/** resources/ in a checkout (dist/electron/../../resources) or beside app.asar when packaged. */
export function resourcesDir(isPackaged: boolean): string {
  return isPackaged ? process.resourcesPath : join(here, '..', '..', 'resources');
}

/** The tray icon for a state: a template image on macOS, a coloured one elsewhere (trayIconFile). */
export function trayIcon(isPackaged: boolean, state: TrayIconState, platform: NodeJS.Platform = process.platform): string {
  return join(resourcesDir(isPackaged), 'tray', trayIconFile(state, platform));
}

/** The compiled preload beside this file (dist/electron/preload.js, inside app.asar when packaged). */
export function preloadPath(): string {
  return join(here, 'preload.js');
}
