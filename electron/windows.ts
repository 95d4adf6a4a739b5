import { BrowserWindow, type WebPreferences } from 'electron';

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
    webPreferences: { ...hardenedWebPreferences },
  });
}

/**
 * The dashboard window: the relay's own UI at its URL. Closing it hides it to the tray; it is
 * destroyed only when the app quits.
 */
export class DashboardWindow {
  private window: BrowserWindow | undefined;
  private quitting = false;

  constructor(private readonly url: () => string | undefined) {}

  /** Shows the window, creating it (and loading the relay URL) on first use. */
  async show(): Promise<void> {
    const url = this.url();
    if (url === undefined) return;
    if (!this.window || this.window.isDestroyed()) {
      const window = createHardenedWindow();
      window.on('close', (event) => {
        if (this.quitting) return;
        event.preventDefault();
        window.hide();
      });
      window.once('ready-to-show', () => window.show());
      this.window = window;
      await window.loadURL(url);
      return;
    }
    if (this.window.isMinimized()) this.window.restore();
    this.window.show();
    this.window.focus();
  }

  /** Lets the next close really close (called from app 'before-quit'). */
  prepareToQuit(): void {
    this.quitting = true;
  }

  get current(): BrowserWindow | undefined {
    return this.window;
  }
}
