import { BrowserWindow, type WebPreferences } from 'electron';
import { preloadPath } from './paths.js';

/** Electron security checklist items 1-4: every window the app opens gets exactly these. */
export const hardenedWebPreferences: Readonly<WebPreferences> = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  spellcheck: false,
});

export function createHardenedWindow(options: { width?: number; height?: number; title?: string; show?: boolean } = {}): BrowserWindow {
  return new BrowserWindow({
    width: options.width ?? 1100,
    height: options.height ?? 760,
    title: options.title ?? 'Switchboard',
    show: options.show ?? false,
    autoHideMenuBar: true,
    // The preload is empty on purpose (see preload.ts); it is named so no window ever runs without one chosen here.
    webPreferences: { ...hardenedWebPreferences, preload: preloadPath() },
  });
}

/** The name of the relay's admin cookie (relay/admin/auth.ts). */
export const ADMIN_COOKIE = 'switchboard_admin';

/** The macOS dock (`app.dock`); absent elsewhere. */
export interface DockLike {
  show(): Promise<void> | void;
  hide(): void;
}

export interface DashboardWindowOptions {
  /** The relay's origin (`http://127.0.0.1:<port>`) while it runs. */
  origin: () => string | undefined;
  /** The relay's admin token, handed to the window as an HttpOnly cookie, never in a URL. */
  adminToken: () => string | undefined;
  /** macOS: the dock icon shows only while the dashboard is open (the app lives in the menu bar). */
  dock?: DockLike | undefined;
  createWindow?: () => BrowserWindow;
}

/**
 * The dashboard window: the relay's own UI at its own URL, the page a browser gets too. Before
 * loading, the main process puts the admin token in the window's cookie jar for the relay's
 * origin (HttpOnly, SameSite=Strict), so the token appears in no URL, history or page script.
 * Closing the window hides it to the tray; it is destroyed only when the app quits.
 */
export class DashboardWindow {
  private window: BrowserWindow | undefined;
  private loadedOrigin: string | undefined;
  private quitting = false;

  constructor(private readonly options: DashboardWindowOptions) {}

  /** Shows the window, creating it (and loading the relay URL) on first use. */
  async show(): Promise<void> {
    const origin = this.options.origin();
    if (origin === undefined) return;
    void this.options.dock?.show();
    if (!this.window || this.window.isDestroyed()) {
      const window = (this.options.createWindow ?? createHardenedWindow)();
      window.on('close', (event) => {
        if (this.quitting) return;
        event.preventDefault();
        window.hide();
        this.options.dock?.hide();
      });
      window.once('ready-to-show', () => window.show());
      this.window = window;
      await this.load(window, origin);
      return;
    }
    if (this.loadedOrigin !== origin) await this.load(this.window, origin);
    if (this.window.isMinimized()) this.window.restore();
    this.window.show();
    this.window.focus();
  }

  /** The relay moved (its port changed): an open window follows it. */
  async follow(): Promise<void> {
    const origin = this.options.origin();
    if (origin === undefined || !this.window || this.window.isDestroyed() || origin === this.loadedOrigin) return;
    await this.load(this.window, origin);
  }

  /** Lets the next close really close (called from app 'before-quit'). */
  prepareToQuit(): void {
    this.quitting = true;
  }

  get current(): BrowserWindow | undefined {
    return this.window;
  }

  private async load(window: BrowserWindow, origin: string): Promise<void> {
    const token = this.options.adminToken();
    const url = `${origin}/`;
    if (token !== undefined) {
      // Cookies are scoped by host, not port, and sent on plain http to loopback: no `secure`.
      await window.webContents.session.cookies.set({ url, name: ADMIN_COOKIE, value: token, path: '/', httpOnly: true, sameSite: 'strict' });
    }
    this.loadedOrigin = origin;
    await window.loadURL(url);
  }
}
