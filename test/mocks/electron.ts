import { EventEmitter } from 'node:events';
import { createRequire, Module } from 'node:module';
import { vi } from 'vitest';

/**
 * A fake `electron` for main-process tests on machines without the Electron binary. Wire it per
 * file with `vi.mock('electron', () => import('../mocks/electron.js'))`; `resetElectronMock()`
 * in beforeEach restores the defaults.
 *
 * Loading this module also puts it in Node's CommonJS cache under the real `electron` package's
 * path (see the end of the file), so that dependencies which Node loads itself, outside vitest's
 * module graph where `vi.mock` does not reach (electron-store), get the same fake. Source files
 * that use such a dependency import `electron` before it, which loads this module first.
 */

export const safeStorageState = { available: true, backend: 'gnome_libsecret' as string };

export const safeStorage = {
  isEncryptionAvailable: vi.fn(() => safeStorageState.available),
  getSelectedStorageBackend: vi.fn(() => safeStorageState.backend),
  // Reversible but not plaintext, so a test can see the file holds no key.
  encryptString: vi.fn((plain: string) => Buffer.from(`enc:${Buffer.from(plain, 'utf8').toString('hex')}`, 'utf8')),
  decryptString: vi.fn((cipher: Buffer) => {
    const text = cipher.toString('utf8');
    if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice(4), 'hex').toString('utf8');
  }),
};

export const shell = { openExternal: vi.fn(async (_url: string) => undefined) };

export const clipboard = { writeText: vi.fn((_text: string) => undefined) };

export const dialog = { showMessageBox: vi.fn(async (_options: Record<string, unknown>) => ({ response: 0, checkboxChecked: false })) };

export class FakeMenu {
  constructor(readonly template: unknown[]) {}
}

export const Menu = { buildFromTemplate: vi.fn((template: unknown[]) => new FakeMenu(template)) };

/** A session's cookie jar; every call is also written to the owning log (to check order against loads). */
export class FakeCookies {
  readonly jar: Array<Record<string, unknown>> = [];
  constructor(private readonly log: string[]) {}
  readonly set = vi.fn(async (details: Record<string, unknown>) => {
    this.log.push(`cookie ${String(details.url)}`);
    this.jar.push(details);
  });
}

export class FakeSession {
  readonly log: string[] = [];
  readonly cookies = new FakeCookies(this.log);
  readonly setPermissionRequestHandler = vi.fn();
  readonly setPermissionCheckHandler = vi.fn();
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  url = '';
  constructor(readonly session: FakeSession = new FakeSession()) {
    super();
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.url;
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly created: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | undefined;
  visible = false;
  destroyed = false;
  constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
    super();
    BrowserWindow.created.push(this);
  }
  /** Everything this window's session saw, in order: `cookie <url>` and `load <url>`. */
  get log(): string[] {
    return this.webContents.session.log;
  }
  async loadURL(url: string): Promise<void> {
    this.webContents.session.log.push(`load ${url}`);
    this.loadedUrl = url;
    this.webContents.url = url;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Emits 'close' like a user closing the window; returns whether it really closed. */
  userClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) this.destroyed = true;
    return !prevented;
  }
}

export const notificationState = { supported: true };

export class Notification extends EventEmitter {
  static readonly shown: Notification[] = [];
  static readonly isSupported = vi.fn(() => notificationState.supported);
  constructor(readonly options: { title?: string; body?: string } & Record<string, unknown>) {
    super();
  }
  show(): void {
    Notification.shown.push(this);
  }
}

export class Tray extends EventEmitter {
  static readonly created: Tray[] = [];
  image: string;
  toolTip = '';
  menu: unknown = null;
  destroyed = false;
  constructor(image: string) {
    super();
    this.image = image;
    Tray.created.push(this);
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu;
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }
  setImage(image: string): void {
    this.image = image;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** What the fake `app.getPath(name)` answers; tests point `userData` at a temporary directory. */
export const appPaths: Record<string, string> = { userData: '/tmp/switchboard-test' };

const DEFAULT_APP_PATHS = { ...appPaths };

class FakeApp extends EventEmitter {
  loginItem = { openAtLogin: false };
  readonly setLoginItemSettings = vi.fn((settings: { openAtLogin?: boolean }) => {
    this.loginItem = { openAtLogin: settings.openAtLogin ?? false };
  });
  readonly getLoginItemSettings = vi.fn(() => ({ ...this.loginItem }));
  getPath = vi.fn((name: string) => appPaths[name] ?? appPaths.userData ?? '/tmp/switchboard-test');
  getName = vi.fn(() => 'Switchboard');
  getVersion = vi.fn(() => '0.1.0');
  requestSingleInstanceLock = vi.fn(() => true);
  whenReady = vi.fn(async () => undefined);
  quit = vi.fn();
  isPackaged = false;
  /** macOS only in Electron; tests on other platforms still see it, as code must not rely on its absence. */
  readonly dock = { show: vi.fn(async () => undefined), hide: vi.fn(), isVisible: vi.fn(() => false) };
}

export const app = new FakeApp();

/**
 * Main-process IPC: a plain emitter (`on`, `eventNames`, `listenerCount`), plus `handle` and
 * `removeHandler` spies. The app registers no handler of its own; electron-store adds one that
 * electron/config-store.ts removes again.
 */
export class FakeIpcMain extends EventEmitter {
  readonly handle = vi.fn();
  readonly removeHandler = vi.fn();
}

export const ipcMain = new FakeIpcMain();

export const session = { defaultSession: new FakeSession() };

export function resetElectronMock(): void {
  safeStorageState.available = true;
  safeStorageState.backend = 'gnome_libsecret';
  notificationState.supported = true;
  BrowserWindow.created.length = 0;
  Notification.shown.length = 0;
  Tray.created.length = 0;
  session.defaultSession = new FakeSession();
  app.loginItem = { openAtLogin: false };
  app.removeAllListeners();
  ipcMain.removeAllListeners();
  for (const name of Object.keys(appPaths)) delete appPaths[name];
  Object.assign(appPaths, DEFAULT_APP_PATHS);
  vi.clearAllMocks();
}

const electronModule = { app, ipcMain, safeStorage, shell, clipboard, dialog, Menu, BrowserWindow, Notification, Tray, session };

export default electronModule;

// The CommonJS cache entry described at the top. Node's ESM loader reads `electron` (a CommonJS
// package) through this cache, so `import electron from 'electron'` in node_modules gets this
// object. Always overwritten: each test file gets fresh mock instances.
const require = createRequire(import.meta.url);
const electronPath = require.resolve('electron');
const cached = new Module(electronPath);
cached.filename = electronPath;
cached.loaded = true;
cached.exports = electronModule;
require.cache[electronPath] = cached;
