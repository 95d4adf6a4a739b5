import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { app, resetElectronMock } from '../mocks/electron.js';
import type { AutostartContext } from '../../electron/autostart.js';
import { desktopCapabilities } from '../../electron/desktop-capabilities.js';

vi.mock('electron', () => import('../mocks/electron.js'));

let home: string;

beforeEach(async () => {
  resetElectronMock();
  home = await mkdtemp(join(tmpdir(), 'switchboard-home-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('DesktopCapabilities.startAtLogin', () => {
  it('reads and writes the XDG autostart entry on Linux (in a temporary HOME) and reports each change', async () => {
    const context: AutostartContext = { app, platform: 'linux', env: {}, execPath: '/opt/Switchboard/switchboard', home };
    const changes: boolean[] = [];
    const capabilities = desktopCapabilities(context, (enabled) => changes.push(enabled));
    const startAtLogin = capabilities.startAtLogin!;
    expect(await startAtLogin.get()).toBe(false);
    await startAtLogin.set(true);
    expect(await startAtLogin.get()).toBe(true);
    expect(await readFile(join(home, '.config', 'autostart', 'switchboard.desktop'), 'utf8')).toContain('Exec=/opt/Switchboard/switchboard --hidden');
    await startAtLogin.set(false);
    expect(await startAtLogin.get()).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('uses the login item settings on macOS', async () => {
    const capabilities = desktopCapabilities({ app, platform: 'darwin', env: {}, execPath: '/Applications/Switchboard.app', home });
    await capabilities.startAtLogin!.set(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, openAsHidden: true, args: ['--hidden'] });
    expect(await capabilities.startAtLogin!.get()).toBe(true);
  });

  it('reports no change when writing failed', async () => {
    const onChange = vi.fn();
    // A file where the autostart folder should be: mkdir fails.
    const context: AutostartContext = { app, platform: 'linux', env: { XDG_CONFIG_HOME: join(home, 'file') }, execPath: '/x', home };
    await writeFile(join(home, 'file'), '');
    await expect(desktopCapabilities(context, onChange).startAtLogin!.set(true)).rejects.toThrow();
    expect(onChange).not.toHaveBeenCalled();
  });
});
