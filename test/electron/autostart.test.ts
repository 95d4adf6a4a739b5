import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { app, resetElectronMock } from '../mocks/electron.js';
import { desktopEntry, getStartAtLogin, linuxAutostartFile, setStartAtLogin, type AutostartContext } from '../../electron/autostart.js';

vi.mock('electron', () => import('../mocks/electron.js'));

let home: string;

beforeEach(async () => {
  resetElectronMock();
  home = await mkdtemp(join(tmpdir(), 'switchboard-home-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function linux(env: Record<string, string | undefined> = {}): AutostartContext {
  return { app, platform: 'linux', env, execPath: '/opt/Switchboard/switchboard', home };
}

describe('autostart', () => {
  it('writes and removes an XDG autostart entry under ~/.config on Linux', async () => {
    const context = linux();
    const file = join(home, '.config', 'autostart', 'switchboard.desktop');
    expect(linuxAutostartFile(context)).toBe(file);
    expect(await getStartAtLogin(context)).toBe(false);
    await setStartAtLogin(true, context);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Exec=/opt/Switchboard/switchboard --hidden');
    expect(await getStartAtLogin(context)).toBe(true);
    await setStartAtLogin(false, context);
    await expect(readFile(file)).rejects.toThrow();
    expect(await getStartAtLogin(context)).toBe(false);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('respects XDG_CONFIG_HOME and launches the AppImage rather than its mount', async () => {
    const config = join(home, 'xdg');
    const context = linux({ XDG_CONFIG_HOME: config, APPIMAGE: join(home, 'Apps', 'Switchboard 1.0.AppImage') });
    await setStartAtLogin(true, context);
    const text = await readFile(join(config, 'autostart', 'switchboard.desktop'), 'utf8');
    expect(text).toContain(`Exec="${join(home, 'Apps', 'Switchboard 1.0.AppImage')}" --hidden`);
  });

  it('quotes Exec paths as the Desktop Entry spec asks', () => {
    expect(desktopEntry('/a b/$x"y%')).toContain('Exec="/a b/\\$x\\"y%%" --hidden');
  });

  it.each<NodeJS.Platform>(['darwin', 'win32'])('uses login item settings, opening hidden, on %s', async (platform) => {
    const context: AutostartContext = { app, platform, env: {}, execPath: '/Applications/Switchboard.app', home };
    await setStartAtLogin(true, context);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, openAsHidden: true, args: ['--hidden'] });
    expect(await getStartAtLogin(context)).toBe(true);
    await setStartAtLogin(false, context);
    expect(await getStartAtLogin(context)).toBe(false);
  });
});
