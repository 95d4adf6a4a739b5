import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { app, BrowserWindow, resetElectronMock } from '../mocks/electron.js';
import { createHardenedWindow, DashboardWindow, hardenedWebPreferences } from '../../electron/windows.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const hardened = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
};

const TOKEN = 'admin-token-0123456789abcdefghijklmnopqrstuv';

function dashboardAt(initial: string | undefined, options: { dock?: boolean } = {}) {
  let origin = initial;
  const dashboard = new DashboardWindow({ origin: () => origin, adminToken: () => TOKEN, ...(options.dock ? { dock: app.dock } : {}) });
  return { dashboard, moveTo: (next: string | undefined) => (origin = next) };
}

describe('windows', () => {
  beforeEach(() => resetElectronMock());

  it('creates every window with the hardened webPreferences and the (empty) sandboxed preload', async () => {
    createHardenedWindow();
    await dashboardAt('http://127.0.0.1:4141').dashboard.show();
    expect(BrowserWindow.created).toHaveLength(2);
    for (const window of BrowserWindow.created) {
      expect(window.options.webPreferences).toMatchObject(hardened);
      const preload = window.options.webPreferences?.preload as string;
      expect(basename(preload)).toBe('preload.js');
      expect(window.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    }
    // The compiled preload sits beside windows.js; its source beside windows.ts.
    expect(existsSync(join(import.meta.dirname, '../../electron/preload.ts'))).toBe(true);
    expect(Object.isFrozen(hardenedWebPreferences)).toBe(true);
  });

  it('sets the admin cookie for the relay origin before loading, and loads the URL without the token', async () => {
    await dashboardAt('http://127.0.0.1:4141').dashboard.show();
    const window = BrowserWindow.created[0]!;
    expect(window.log).toEqual(['cookie http://127.0.0.1:4141/', 'load http://127.0.0.1:4141/']);
    expect(window.webContents.session.cookies.jar).toEqual([
      { url: 'http://127.0.0.1:4141/', name: 'switchboard_admin', value: TOKEN, path: '/', httpOnly: true, sameSite: 'strict' },
    ]);
    expect(window.loadedUrl).toBe('http://127.0.0.1:4141/');
    expect(window.loadedUrl).not.toContain(TOKEN);
    expect(window.loadedUrl).not.toContain('admin');
  });

  it("loads the relay's URL once and reuses the window", async () => {
    const { dashboard } = dashboardAt('http://127.0.0.1:4141');
    await dashboard.show();
    await dashboard.show();
    expect(BrowserWindow.created).toHaveLength(1);
    expect(BrowserWindow.created[0]?.log).toHaveLength(2);
    expect(BrowserWindow.created[0]?.visible).toBe(true);
  });

  it('does nothing before the relay listens', async () => {
    await dashboardAt(undefined).dashboard.show();
    expect(BrowserWindow.created).toHaveLength(0);
  });

  it('follows the relay to a new port: cookie for the new origin, then the new URL', async () => {
    const { dashboard, moveTo } = dashboardAt('http://127.0.0.1:4141');
    await dashboard.follow(); // no window yet: nothing to do
    expect(BrowserWindow.created).toHaveLength(0);
    await dashboard.show();
    await dashboard.follow(); // same origin: no reload
    const window = BrowserWindow.created[0]!;
    expect(window.log).toHaveLength(2);
    moveTo('http://127.0.0.1:5151');
    await dashboard.follow();
    expect(window.log.slice(2)).toEqual(['cookie http://127.0.0.1:5151/', 'load http://127.0.0.1:5151/']);
    moveTo('http://127.0.0.1:6161');
    await dashboard.show(); // showing a window left on an old origin reloads it too
    expect(window.loadedUrl).toBe('http://127.0.0.1:6161/');
    expect(BrowserWindow.created).toHaveLength(1);
  });

  it('hides to the tray on close, and really closes when quitting', async () => {
    const { dashboard } = dashboardAt('http://127.0.0.1:4141');
    await dashboard.show();
    const window = BrowserWindow.created[0]!;
    window.show();
    expect(window.userClose()).toBe(false);
    expect(window.visible).toBe(false);
    dashboard.prepareToQuit();
    expect(window.userClose()).toBe(true);
  });

  it('shows the dock icon while the window is open and hides it when the window closes (macOS)', async () => {
    const { dashboard } = dashboardAt('http://127.0.0.1:4141', { dock: true });
    await dashboard.show();
    expect(app.dock.show).toHaveBeenCalledTimes(1);
    expect(app.dock.hide).not.toHaveBeenCalled();
    BrowserWindow.created[0]!.userClose();
    expect(app.dock.hide).toHaveBeenCalledTimes(1);
    await dashboard.show();
    expect(app.dock.show).toHaveBeenCalledTimes(2);
  });

  it('leaves the dock alone where there is none', async () => {
    const { dashboard } = dashboardAt('http://127.0.0.1:4141');
    await dashboard.show();
    BrowserWindow.created[0]!.userClose();
    expect(app.dock.show).not.toHaveBeenCalled();
    expect(app.dock.hide).not.toHaveBeenCalled();
  });
});
