import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/**
 * A fake `electron` for main-process tests on machines without the Electron binary. Wire it per
 * file with `vi.mock('electron', () => import('../mocks/electron.js'))`; `resetElectronMock()`
 * in beforeEach restores the defaults.
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

export class FakeMenu {
  constructor(readonly template: unknown[]) {}
}

export const Menu = { buildFromTemplate: vi.fn((template: unknown[]) => new FakeMenu(template)) };

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  readonly session = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
  };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
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
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
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
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Emits 'close' like a user closing the window; returns whether it really closed. */
  userClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) this.destroyed = true;
    return !prevented;
  }
}

class FakeApp extends EventEmitter {
  loginItem = { openAtLogin: false };
  readonly setLoginItemSettings = vi.fn((settings: { openAtLogin?: boolean }) => {
    this.loginItem = { openAtLogin: settings.openAtLogin ?? false };
  });
  readonly getLoginItemSettings = vi.fn(() => ({ ...this.loginItem }));
  getPath = vi.fn((_name: string) => '/tmp/switchboard-test');
  requestSingleInstanceLock = vi.fn(() => true);
  quit = vi.fn();
  isPackaged = false;
}

export const app = new FakeApp();

export function resetElectronMock(): void {
  safeStorageState.available = true;
  safeStorageState.backend = 'gnome_libsecret';
  BrowserWindow.created.length = 0;
  app.loginItem = { openAtLogin: false };
  app.removeAllListeners();
  vi.clearAllMocks();
}

export default { app, safeStorage, shell, clipboard, Menu, BrowserWindow };
