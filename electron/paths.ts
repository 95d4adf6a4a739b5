import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrayIconState } from './tray-menu.js';

/** resources/ in a checkout (dist/electron/../../resources) or beside app.asar when packaged. */
export function resourcesDir(isPackaged: boolean): string {
  return isPackaged ? process.resourcesPath : join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources');
}

export function trayIcon(isPackaged: boolean, state: TrayIconState): string {
  return join(resourcesDir(isPackaged), 'tray', `tray-${state}.png`);
}
