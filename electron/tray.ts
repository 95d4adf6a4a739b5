import { Menu, type Menu as ElectronMenu, type MenuItemConstructorOptions } from 'electron';
import { buildTrayMenu, statusLine, trayIconState, type TrayActions, type TrayIconState, type TrayState } from './tray-menu.js';

/** The part of Electron's Tray the controller uses; tests pass a fake. */
export interface TrayLike {
  setContextMenu(menu: ElectronMenu | null): void;
  setToolTip(toolTip: string): void;
  setImage(image: string): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayControllerOptions {
  /** Creates the native tray (`(icon) => new Tray(icon)` in the app). */
  createTray: (icon: string) => TrayLike;
  /** The icon file for each state on `platform` (`trayIcon` in paths.ts: template images on macOS). */
  iconFor: (state: TrayIconState, platform: NodeJS.Platform) => string;
  actions: TrayActions;
  platform?: NodeJS.Platform;
  buildMenu?: (template: MenuItemConstructorOptions[]) => ElectronMenu;
}

/**
 * Owns the tray icon: its image, tooltip and context menu follow the relay state. The menu is
 * set on every platform (Linux's AppIndicator shows nothing without one) and rebuilt only when the
 * state actually changed.
 */
export class TrayController {
  private tray: TrayLike | undefined;
  private lastKey: string | undefined;
  private lastIcon: TrayIconState | undefined;
  private readonly buildMenu: (template: MenuItemConstructorOptions[]) => ElectronMenu;

  constructor(private readonly options: TrayControllerOptions) {
    this.buildMenu = options.buildMenu ?? ((template) => Menu.buildFromTemplate(template));
  }

  /** Shows `state`; creates the tray on first use. */
  update(state: TrayState): void {
    const icon = trayIconState(state);
    const platform = this.options.platform ?? process.platform;
    if (!this.tray) {
      this.tray = this.options.createTray(this.options.iconFor(icon, platform));
      this.lastIcon = icon;
      // Left click opens the dashboard on Windows; macOS and Linux show the menu instead.
      if (platform === 'win32') this.tray.on('click', () => this.options.actions.openDashboard());
    }
    const key = JSON.stringify(state);
    if (key === this.lastKey) return;
    this.lastKey = key;
    if (icon !== this.lastIcon) {
      this.tray.setImage(this.options.iconFor(icon, platform));
      this.lastIcon = icon;
    }
    this.tray.setToolTip(statusLine(state));
    this.tray.setContextMenu(this.buildMenu(buildTrayMenu(state, this.options.actions)));
  }

  /**
   * Forgets the shown state so the next update rebuilds the menu: Electron flips a checkbox item
   * when clicked, so after an action that changed nothing the menu must be rebuilt to show the truth.
   */
  invalidate(): void {
    this.lastKey = undefined;
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = undefined;
    this.lastKey = undefined;
  }
}
