import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeMenu, Menu, resetElectronMock } from '../mocks/electron.js';
import { trayIcon } from '../../electron/paths.js';
import { TrayController, type TrayLike } from '../../electron/tray.js';
import type { TrayActions, TrayIconState, TrayState } from '../../electron/tray-menu.js';
import { trayIconFile } from '../../electron/tray-state.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const state: TrayState = {
  relay: 'running',
  baseUrl: 'http://127.0.0.1:4141/v1',
  fastest: { route: 'groq/llama', ttftMs: 180 },
  routes: { up: 2, failing: 0 },
  providers: [{ id: 'groq', label: 'Groq', enabled: true }],
  topModels: ['llama'],
  integrations: [{ id: 'opencode', label: 'OpenCode' }],
  startAtLogin: false,
};

const actions: TrayActions = {
  copyBaseUrl: vi.fn(),
  openDashboard: vi.fn(),
  setProviderEnabled: vi.fn(),
  pin: vi.fn(),
  configureIntegration: vi.fn(),
  setStartAtLogin: vi.fn(),
  setPaused: vi.fn(),
  quit: vi.fn(),
};

function fakeTray() {
  const listeners = new Map<string, () => void>();
  const tray = {
    setContextMenu: vi.fn(),
    setToolTip: vi.fn(),
    setImage: vi.fn(),
    on: vi.fn((event: string, listener: () => void) => listeners.set(event, listener)),
    destroy: vi.fn(),
  } satisfies TrayLike;
  return { tray, listeners };
}

function setup(platform: NodeJS.Platform = 'linux') {
  const { tray, listeners } = fakeTray();
  const createTray = vi.fn((_icon: string) => tray);
  const controller = new TrayController({ createTray, iconFor: (icon) => `/icons/${icon}.png`, actions, platform });
  return { tray, listeners, createTray, controller };
}

describe('TrayController', () => {
  beforeEach(() => resetElectronMock());

  it('creates the tray with the icon for the state and always sets a context menu (also on Linux)', () => {
    const { tray, createTray, controller } = setup('linux');
    controller.update(state);
    expect(createTray).toHaveBeenCalledWith('/icons/ok.png');
    expect(tray.setToolTip).toHaveBeenCalledWith('Fastest: groq/llama · 180 ms TTFT');
    expect(tray.setContextMenu).toHaveBeenCalledOnce();
    const menu = tray.setContextMenu.mock.calls[0]?.[0] as unknown as FakeMenu;
    expect(menu).toBeInstanceOf(FakeMenu);
    expect(Menu.buildFromTemplate).toHaveBeenCalledOnce();
  });

  it('rebuilds the menu and swaps the icon only when the state changes', () => {
    const { tray, controller } = setup();
    controller.update(state);
    controller.update(structuredClone(state));
    expect(tray.setContextMenu).toHaveBeenCalledTimes(1);
    controller.update({ ...state, routes: { up: 1, failing: 1 } });
    expect(tray.setContextMenu).toHaveBeenCalledTimes(2);
    expect(tray.setImage).toHaveBeenLastCalledWith('/icons/degraded.png');
    controller.update({ ...state, relay: 'paused' });
    expect(tray.setImage).toHaveBeenLastCalledWith('/icons/paused.png');
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Switchboard: paused');
    controller.update({ ...state, relay: 'error', error: 'boom' });
    expect(tray.setImage).toHaveBeenLastCalledWith('/icons/down.png');
    controller.update({ ...state, relay: 'error', error: 'boom again' });
    expect(tray.setImage).toHaveBeenCalledTimes(3);
    expect(tray.setContextMenu).toHaveBeenCalledTimes(5);
  });

  it('opens the dashboard on left click on Windows only', () => {
    const windows = setup('win32');
    windows.controller.update(state);
    windows.listeners.get('click')?.();
    expect(actions.openDashboard).toHaveBeenCalledOnce();
    const mac = setup('darwin');
    mac.controller.update(state);
    expect(mac.listeners.has('click')).toBe(false);
  });

  it('rebuilds an unchanged menu after invalidate (Electron flips a clicked checkbox by itself)', () => {
    const { tray, controller } = setup();
    controller.update(state);
    controller.invalidate();
    controller.update(state);
    expect(tray.setContextMenu).toHaveBeenCalledTimes(2);
  });

  it('shows template images on macOS and coloured icons elsewhere, for every state', () => {
    const states: Array<[TrayState, TrayIconState]> = [
      [state, 'ok'],
      [{ ...state, routes: { up: 1, failing: 1 } }, 'degraded'],
      [{ ...state, relay: 'error', error: 'boom' }, 'down'],
      [{ ...state, relay: 'paused' }, 'paused'],
    ];
    const expected: Record<string, Record<TrayIconState, string>> = {
      darwin: { ok: 'trayTemplate.png', degraded: 'tray-degradedTemplate.png', down: 'tray-downTemplate.png', paused: 'tray-pausedTemplate.png' },
      win32: { ok: 'tray-ok.png', degraded: 'tray-degraded.png', down: 'tray-down.png', paused: 'tray-paused.png' },
      linux: { ok: 'tray-ok.png', degraded: 'tray-degraded.png', down: 'tray-down.png', paused: 'tray-paused.png' },
    };
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const { tray } = fakeTray();
      const createTray = vi.fn((_icon: string) => tray);
      const controller = new TrayController({ createTray, iconFor: (icon, on) => trayIcon(false, icon, on), actions, platform });
      const shown: string[] = [];
      for (const [next, icon] of states) {
        controller.update(next);
        shown.push(basename(tray.setImage.mock.lastCall?.[0] ?? createTray.mock.calls[0]![0]));
        expect(trayIconFile(icon, platform)).toBe(expected[platform]![icon]);
      }
      expect(shown).toEqual(states.map(([, icon]) => expected[platform]![icon]));
    }
  });

  it('has every tray icon file, with the @2x image Electron picks on HiDPI displays', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const icon of ['ok', 'degraded', 'down', 'paused'] as const) {
        const file = join(root, 'resources', 'tray', trayIconFile(icon, platform));
        expect(existsSync(file), file).toBe(true);
        expect(existsSync(join(dirname(file), basename(file, '.png') + '@2x.png')), file).toBe(true);
        // Electron treats an image as a template only when its base name ends in "Template".
        expect(basename(file, '.png').endsWith('Template')).toBe(platform === 'darwin');
      }
    }
  });

  it('destroys the tray', () => {
    const { tray, controller } = setup();
    controller.update(state);
    controller.destroy();
    expect(tray.destroy).toHaveBeenCalledOnce();
  });
});
