import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, resetElectronMock } from '../mocks/electron.js';
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

describe('windows', () => {
  beforeEach(() => resetElectronMock());

  it('creates every window with the hardened webPreferences and no preload', async () => {
    createHardenedWindow();
    await new DashboardWindow(() => 'http://127.0.0.1:4141/').show();
    expect(BrowserWindow.created).toHaveLength(2);
    for (const window of BrowserWindow.created) {
      expect(window.options.webPreferences).toMatchObject(hardened);
      expect(window.options.webPreferences).not.toHaveProperty('preload');
      expect(window.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    }
    expect(Object.isFrozen(hardenedWebPreferences)).toBe(true);
  });

  it("loads the relay's URL once and reuses the window", async () => {
    const dashboard = new DashboardWindow(() => 'http://127.0.0.1:4141/');
    await dashboard.show();
    await dashboard.show();
    expect(BrowserWindow.created).toHaveLength(1);
    expect(BrowserWindow.created[0]?.loadedUrl).toBe('http://127.0.0.1:4141/');
    expect(BrowserWindow.created[0]?.visible).toBe(true);
  });

  it('does nothing before the relay listens', async () => {
    await new DashboardWindow(() => undefined).show();
    expect(BrowserWindow.created).toHaveLength(0);
  });

  it('hides to the tray on close, and really closes when quitting', async () => {
    const dashboard = new DashboardWindow(() => 'http://127.0.0.1:4141/');
    await dashboard.show();
    const window = BrowserWindow.created[0]!;
    window.show();
    expect(window.userClose()).toBe(false);
    expect(window.visible).toBe(false);
    dashboard.prepareToQuit();
    expect(window.userClose()).toBe(true);
  });
});
